"""Lists a document gives by its headings: a section whose sub-headings are the items asked for."""

from __future__ import annotations

from dataclasses import dataclass

from bot import features as f
from bot.candidates import Candidate
from bot.questions import QuestionInfo
from bot.retrieval import Record
from config.tuning import Tuning
from ingest.chunking import SECTION_SEPARATOR as SEPARATOR
from ingest.swedish import ASKS_SEVERAL


@dataclass
class HeadingList:
    """The sub-headings of one section, read as the items of a list."""

    source: Record  # a unit of the document, for its title, date and address
    parent: str  # the section trail of the heading whose sub-headings are listed
    children: list[str]  # the sub-headings' texts, in reading order
    lead_in: Record | None = None  # the sentence that introduces them ("dessa sex principer")
    coverage: float = 0.0  # how much of the question the lead-in or the heading covers


def sub_headings(outline: list[str]) -> dict[str, list[str]]:
    """Each heading trail that has headings under it -> those headings, in reading order."""
    out: dict[str, dict[str, None]] = {}
    for trail in outline:
        parts = trail.split(SEPARATOR)
        for i in range(1, len(parts)):
            out.setdefault(SEPARATOR.join(parts[:i]), {})[parts[i]] = None
    return {parent: list(children) for parent, children in out.items()}


def find(
    info: QuestionInfo,
    ranked: list[Candidate],
    outlines: dict[str, list[str]],
    idf: dict[str, float],
    tuning: Tuning,
) -> HeadingList | None:
    """The section whose sub-headings answer a list question: introduced by the best unit
    ("Med hjälp av dessa sex principer ...:" and then one heading per principle), or named by
    a heading that covers the question as well as any unit does ("6 Strategiska områden")."""
    if info.kind != "list" or info.followup or not ranked or not ASKS_SEVERAL.search(info.original):
        return None
    best = ranked[0]
    trees: dict[str, dict[str, list[str]]] = {}  # each document's sub-headings, built once

    def tree(doc: str) -> dict[str, list[str]]:
        if doc not in trees:
            trees[doc] = sub_headings(outlines.get(doc, []))
        return trees[doc]

    for cand in ranked[: tuning.heading_list_window]:
        # The last sentence of a section's own text, right before its sub-headings, that says
        # as much of what is asked as the best unit does and names what the question asks for
        # ("Vilka principer ...?" - "dessa sex principer"): it introduces them.
        meta = cand.record.meta
        if cand.following is not None or meta.get("is_list") or cand.coverage < best.coverage:
            continue
        own = meta.get("section", "")
        if not _names_target(info, f"{cand.record.text} {own.split(SEPARATOR)[-1]}"):
            continue
        items = tree(meta["doc_id"]).get(own, [])
        if len(items) >= tuning.heading_list_min:
            return HeadingList(cand.record, own, items, cand.record, cand.coverage)
    found: tuple[float, HeadingList] | None = None
    seen: set[str] = set()
    for cand in ranked[: tuning.window]:
        doc = cand.record.meta["doc_id"]
        if doc in seen:
            continue
        seen.add(doc)
        context = cand.record.meta.get("title", "")
        for parent, items in tree(doc).items():
            if len(items) < tuning.heading_list_min:
                continue
            title = parent.split(SEPARATOR)[-1]
            cover = f.coverage(
                info.focus_stems, title, context, idf, info.aliases, tuning.context_credit
            )[0]
            if found is None or cover > found[0]:
                found = (cover, HeadingList(cand.record, parent, items, coverage=cover))
    if found and found[0] >= max(tuning.heading_list_coverage, best.coverage):
        return found[1]
    return None


def _names_target(info: QuestionInfo, text: str) -> bool:
    """Text mentions the thing a list question asks for (the word after "Vilka")."""
    if not info.target:
        return False
    words, stems = f.terms_of(text, info)
    return f.mentions(info.target, words, stems)
