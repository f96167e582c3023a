"""Finding and reading eval files, eval sets with their own corpus, and corpus documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config.settings import DEFAULT_EVALS_CORPORA, SHARED_CORPORA, SNAPSHOT_CORPORA
from evals.schema import EvalFormatError, Item, kind

DEFAULT_SETS = Path(__file__).resolve().parent / "sets"
QUESTIONS_FILE = "questions.yaml"
CORPUS_FOLDER = "corpus"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class EvalSet:
    """A folder holding questions.yaml, asked of a bot built on the set's documents alone: its
    own corpus/ (made-up fixtures), or, for real documents from outside, which the project does
    not commit, <shared_corpora>/<name>/corpus/. Item ids are qualified as <name>/<id> so that
    sets may reuse ids."""

    name: str
    root: Path
    corpus_dir: Path

    @property
    def questions(self) -> Path:
        return self.root / QUESTIONS_FILE


def set_corpus_dir(set_dir: Path, shared_corpora: Path | None) -> Path | None:
    """Where a set's documents are: its own corpus/ first, then the shared data folder."""
    own = set_dir / CORPUS_FOLDER
    if own.is_dir():
        return own
    if shared_corpora is not None:
        shared = shared_corpora / set_dir.resolve().name / CORPUS_FOLDER
        if shared.is_dir():
            return shared
    return None


def eval_set(path: Path, shared_corpora: Path | None) -> EvalSet | None:
    """The set in a folder, or None when the folder has no questions.yaml.

    A folder with questions but no documents is an error, not a set to skip: a gate that
    silently ran fewer sets would pass for the wrong reason."""
    if not (path / QUESTIONS_FILE).is_file():
        return None
    corpus = set_corpus_dir(path, shared_corpora)
    if corpus is None:
        where = f"{path / CORPUS_FOLDER}"
        if shared_corpora is not None:
            where += f" eller {shared_corpora.resolve() / path.resolve().name / CORPUS_FOLDER}"
        raise EvalFormatError(
            f"{path}: utvärderingsmängdens dokument saknas; de ska ligga i {where} "
            "(sätt POLICYBOT_EVALS_CORPORA_DIR till mappen med mängdernas dokument)"
        )
    return EvalSet(path.resolve().name, path, corpus)


@dataclass
class Targets:
    """What one `policybot eval` run covers: plain YAML files (asked of the configured corpus)
    and eval sets with their own corpus."""

    files: list[Path] = field(default_factory=list)
    sets: list[EvalSet] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # subfolders beside sets that are none


def find_targets(paths: Iterable[str | Path] | None, shared_corpora: Path | None = None) -> Targets:
    """Sort the command line's paths: a set folder is a set; a folder whose subfolders are sets
    stands for all of them; other folders expand to their .yaml files; evals/sets/ when none.
    shared_corpora is where sets without a corpus/ of their own find their documents."""
    targets = Targets()
    for raw in list(paths or []) or [DEFAULT_SETS]:
        path = Path(raw)
        if path.is_dir() and (found := eval_set(path, shared_corpora)):
            targets.sets.append(found)
        elif path.is_dir() and (
            subsets := [
                s
                for p in sorted(path.iterdir())
                if p.is_dir() and (s := eval_set(p, shared_corpora))
            ]
        ):
            targets.sets += subsets
            roots = {s.root for s in subsets}
            targets.skipped += [p for p in sorted(path.iterdir()) if p.is_dir() and p not in roots]
        else:
            targets.files += eval_files([path])
    names = [s.name for s in targets.sets]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise EvalFormatError(
            f"flera utvärderingsmängder heter {', '.join(twice)}; mappnamnen ska vara unika"
        )
    return targets


def eval_files(paths: Iterable[str | Path] | None) -> list[Path]:
    """The YAML files to run: the given files, folders expanded; evals/sets/ when none."""
    files: list[Path] = []
    for raw in list(paths or []) or [DEFAULT_SETS]:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES)
            if not found:
                raise EvalFormatError(f"{path}: mappen innehåller inga .yaml-filer")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise EvalFormatError(f"{path}: filen finns inte")
    return files


def load_items(paths: Iterable[str | Path] | str | Path) -> list[Item]:
    """Read and validate eval files (folders are expanded to their .yaml files).

    Raises EvalFormatError naming the file and the item for: invalid YAML, a file that is not a
    list, an item without id or question, unknown keys, values of the wrong type, empty strings
    and ids used twice (in any of the files).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    items: list[Item] = []
    seen: dict[str, str] = {}
    for path in eval_files(paths):
        for item in load_file(path):
            if item.id in seen:
                where = "samma fil" if seen[item.id] == item.file else seen[item.id]
                raise EvalFormatError(
                    f"{item.file}: fråga {item.id!r}: id:t används redan ({where}); "
                    "varje id ska vara unikt"
                )
            seen[item.id] = item.file
            items.append(item)
    return items


def load_set(eval_set: EvalSet) -> list[Item]:
    """A set's questions with their ids qualified by the set's name."""
    return [
        item.model_copy(update={"id": f"{eval_set.name}/{item.id}"})
        for item in load_items(eval_set.questions)
    ]


def load_file(path: Path) -> list[Item]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EvalFormatError(f"{path}: ogiltig YAML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFormatError(f"{path}: kan inte läsas: {exc}") from exc
    if data is None:
        raise EvalFormatError(f"{path}: filen är tom; den ska vara en lista med frågor")
    if not isinstance(data, list):
        raise EvalFormatError(
            f"{path}: filen ska vara en YAML-lista med frågor (- id: ...), inte {kind(data)}"
        )
    return [Item.from_yaml(raw, str(path), n) for n, raw in enumerate(data, start=1)]


def load_corpus(corpus_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """doc_id -> SourceDocument for every readable file; messages for the ones that are not."""
    from ingest.loaders import LoadError, discover
    from ingest.loaders import load_file as load_document

    docs: dict[str, Any] = {}
    warnings: list[str] = []
    for path in discover(corpus_dir):
        try:
            doc = load_document(path)
        except LoadError as exc:
            warnings.append(str(exc))
            continue
        docs.setdefault(doc.doc_id, doc)
    return docs, warnings


def document_paths(
    corpora: Path = SHARED_CORPORA,
    evals_corpora: Path = DEFAULT_EVALS_CORPORA,
    snapshots: Path = SNAPSHOT_CORPORA,
) -> dict[str, Path]:
    """doc id -> file, over ../shared/corpora/<publisher>/, ../shared/evals-corpora/<set>/ and
    the training documents written from repository snapshots (../snapshot-corpora/<publisher>/)."""
    paths = sorted(corpora.glob("*/*.md")) + sorted(evals_corpora.glob("*/corpus/*"))
    paths += sorted(snapshots.glob("*/*.md"))
    return {p.stem: p for p in paths if p.is_file()}
