"""Questions with the units and chunks that answer them, per split, over the shared documents.

A group is a QA file (its documents: every document of the publisher folders it asks about)
or an eval set (its corpus). Each answerable question gets its answer unit, the unit holding
the most of its quotes (or, for eval items without quotes, of its expected facts), and the
chunk around that unit, exactly as ingest cuts and prefixes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.questions import analyse
from config.settings import DEFAULT_CORPUS, REPOSITORY, Settings
from evals.loading import load_items
from evals.metrics import norm, satisfied
from ingest.chunking import to_documents
from ingest.loaders import discover, load_file
from training.qa import QAItem, by_group, document_paths, folders_of, load_qa, splits

EVALS = REPOSITORY / "evals"


@dataclass
class Passage:
    """A unit or chunk as ingest embeds it (page_content), with what it is checked by."""

    key: str  # <doc_id>#<level><order>
    doc_id: str
    level: str  # "unit" | "chunk"
    text: str  # what is embedded
    verbatim: str  # the document's own words
    chunk: str  # the chunk key it belongs to
    section: str = ""  # its heading trail below the document title


@dataclass
class Question:
    """One question of a group, with its answer passages (none for must-abstain)."""

    id: str
    group: str
    query: str  # what the bot embeds: the question, with a follow-up's topic carried over
    qa: QAItem
    unit: str | None = None
    chunk: str | None = None

    @property
    def abstain(self) -> bool:
        return self.qa.item.abstain


@dataclass
class Group:
    name: str
    split: str
    passages: dict[str, Passage] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)

    def units(self) -> list[Passage]:
        return [p for p in self.passages.values() if p.level == "unit"]

    def chunks(self) -> list[Passage]:
        return [p for p in self.passages.values() if p.level == "chunk"]


def passages_of(paths: list[Path], max_chars: int) -> dict[str, Passage]:
    """Every unit and chunk of the documents, as ingest cuts them, keyed <doc>#u<n> and
    <doc>#c<n>; each passage knows the key of its chunk."""
    out: dict[str, Passage] = {}
    for path in paths:
        doc = load_file(path)
        for d in to_documents(doc, max_chars):
            meta = d.metadata
            key = f"{doc.doc_id}#{meta['level'][0]}{meta['order']}"
            # ingest names the chunk <doc>#<n>; here units and chunks share one key space
            chunk = f"{doc.doc_id}#c{meta['chunk'].rsplit('#', 1)[1]}"
            body = doc.body[meta["start"] : meta["end"]]
            out[key] = Passage(
                key, doc.doc_id, meta["level"], d.page_content, body, chunk, meta["section"]
            )
    return out


def answer_unit(qa: QAItem, units: list[Passage]) -> Passage | None:
    """The unit of a cited source holding the most quotes (or expected facts); None when it
    holds none."""
    sources = set(qa.item.sources)
    best, best_score = None, 0
    for unit in units:
        if sources and unit.doc_id not in sources:
            continue
        text = norm(unit.verbatim)
        if qa.quotes:
            score = sum(norm(q) in text for q in qa.quotes)
        else:
            score = sum(satisfied(e, text) for e in qa.item.expect)
        if score > best_score:
            best, best_score = unit, score
    return best


def holds_answer(qa: QAItem, passage: Passage) -> bool:
    """Whether a passage holds any quote or expected fact: never a negative."""
    text = norm(passage.verbatim)
    return any(norm(q) in text for q in qa.quotes) or any(
        satisfied(e, text) for e in qa.item.expect
    )


def _questions(group: Group, items: list[QAItem]) -> None:
    units = group.units()
    for qa in items:
        query = analyse(qa.item.question, list(qa.item.history)).query
        q = Question(qa.item.id, group.name, query, qa)
        if not qa.item.abstain:
            unit = answer_unit(qa, units)
            if unit is None:
                continue  # no unit holds the answer (a quote across a cut): no pair
            q.unit, q.chunk = unit.key, unit.chunk
        group.questions.append(q)


def load_groups(wanted: set[str] | None = None, settings: Settings | None = None) -> list[Group]:
    """Every group of splits.yaml (or the wanted splits), with its passages and questions."""
    settings = settings or Settings()
    which = splits()
    docs = document_paths(evals_corpora=settings.evals_corpora_dir)
    qa_by_group = by_group(load_qa())
    groups = []
    for name, split in which.items():
        if wanted and split not in wanted:
            continue
        group = Group(name, split)
        if name.startswith("evals/"):
            items, paths = _eval_set(name, settings)
        else:
            items = qa_by_group.get(name, [])
            paths = sorted(p for f in folders_of(items, docs) for p in f.glob("*.md"))
        group.passages = passages_of(paths, settings.chunk_max_chars)
        _questions(group, items)
        groups.append(group)
    return groups


def _eval_set(name: str, settings: Settings) -> tuple[list[QAItem], list[Path]]:
    """An eval set's items as QA items (no quotes: expected facts find the unit) and its
    documents."""
    folder = REPOSITORY / name
    if name == "evals/sets" or name == "evals/holdout":
        corpus = DEFAULT_CORPUS
        files = sorted(folder.glob("*.yaml"))
    else:
        corpus = settings.evals_corpora_dir / folder.name / "corpus"
        files = [folder / "questions.yaml"]
    items = [QAItem(it, (), (), name) for it in load_items(files)]
    return items, discover(corpus)
