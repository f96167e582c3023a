"""`policybot eval --register`: build each gold register's corpus, score it, gate on a baseline."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config.settings import REPOSITORY, Settings
from evals.loading import document_paths
from evals.register_score import RegisterScore, format_score, score
from evals.registers import GoldRegister, load
from evals.schema import EvalFormatError
from ingest.loaders import SourceDocument

# The metrics the gate holds; each may not fall below the baseline's value.
GATED = ("row_recall", "row_precision", "cell_accuracy")
REGISTER_FOLDER = "registers"  # below the data directory: one index per gold register


def gold_files(paths: list[Path]) -> list[Path]:
    """The gold registers named, a folder meaning every YAML file in it."""
    out: list[Path] = []
    for path in paths:
        out += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not out:
        raise EvalFormatError(f"inga facitregister (YAML) i {', '.join(map(str, paths))}")
    return out


def corpus_for(gold: GoldRegister, path: Path, folder: Path) -> Path:
    """The gold's documents as a corpus folder: its own `corpus:`, or the named shared
    documents linked into folder (their text never enters the repository)."""
    if gold.corpus:
        return REPOSITORY / gold.corpus
    found = document_paths()
    missing = [d for d in gold.documents or [] if d not in found]
    if missing:
        raise EvalFormatError(f"{path}: dokumenten finns inte i ../shared/: {', '.join(missing)}")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for doc_id in gold.documents or []:
        (folder / found[doc_id].name).symlink_to(found[doc_id].resolve())
    return folder


def run_register(path: Path, settings: Settings, make_bot: Callable[[Settings], Any]) -> tuple:
    """(score, built register) for one gold register, on an index of its own documents."""
    from bot.register_build import build, indexed_documents

    gold = load(path)
    base = Path(settings.data_dir) / REGISTER_FOLDER / path.stem
    corpus = corpus_for(gold, path, base / "corpus")
    set_settings = settings.for_index(base / "index", corpus)
    bot = make_bot(set_settings)  # indexes the documents first
    docs = indexed_documents(set_settings)
    built = build(docs, bot.ask)
    by_id: dict[str, SourceDocument] = {d.doc_id: d for d in docs}
    return score(path.stem, gold, built, by_id), built


def compare(scores: list[RegisterScore], baseline: dict) -> list[str]:
    """Each gated metric that fell below the baseline, in Swedish."""
    drops = []
    for s in scores:
        before = baseline.get(s.name)
        if before is None:
            continue
        now = s.summary()
        drops += [
            f"{s.name}: {metric} {now[metric]:.1%} < baslinjen {before[metric]:.1%}"
            for metric in GATED
            if now[metric] < before[metric] - 1e-9
        ]
    return drops


def main(
    paths: list[Path],
    settings: Settings,
    make_bot: Callable[[Settings], Any],
    baseline: Path | None = None,
    json_out: Path | None = None,
    report: Callable[[str], None] = print,
) -> int:
    """Score every gold register; 1 when a gated metric falls below the baseline."""
    scores = [run_register(p, settings, make_bot)[0] for p in gold_files(paths)]
    for s in scores:
        report(format_score(s))
    summary = {s.name: s.summary() for s in scores}
    if json_out:
        json_out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    if baseline is None:
        return 0
    drops = compare(scores, json.loads(baseline.read_text(encoding="utf-8")))
    for d in drops:
        report(f"Försämring: {d}")
    return 1 if drops else 0
