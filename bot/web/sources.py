"""The staff view's data: documents by section, search hits and where a quote sits.

Pure functions over ``CorpusSnapshot.documents()``; render.py turns their results into HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.chunking import SECTION_SEPARATOR
from ingest.swedish import FURNITURE

ALL_SECTIONS = "__alla__"
SEARCH_MAX_HITS = 50
SEARCH_MAX_CHARS = 200
# Headings can be whole sentences; a card or a dropdown shows at most this much of the last.
SHORT_SECTION_CHARS = 60
UNTITLED = "Namnlöst dokument"


def format_section(section: object) -> str:
    """The whole section trail, "Europa › UBC"."""
    return " › ".join(p.strip() for p in str(section or "").split(SECTION_SEPARATOR) if p.strip())


def short_section(section: object, limit: int = SHORT_SECTION_CHARS) -> str:
    """The innermost heading, cut at a word before ``limit`` characters."""
    parts = [p.strip() for p in str(section or "").split(SECTION_SEPARATOR) if p.strip()]
    last = parts[-1] if parts else ""
    if len(last) <= limit:
        return last
    cut = last[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:(")
    return f"{cut} …"


def doc_label(entry: Mapping) -> str:
    updated = f" ({entry.get('updated')})" if entry.get("updated") else ""
    return f"{entry.get('title') or UNTITLED}{updated}"


def document_choices(docs: Mapping[str, Mapping]) -> list[tuple[str, str]]:
    return [(doc_label(entry), doc_id) for doc_id, entry in docs.items()]


def section_choices(docs: Mapping[str, Mapping], doc_id: str | None) -> list[tuple[str, str]]:
    """Sections in document order, each named by its short heading (the trail is too long)."""
    entry = docs.get(doc_id or "")
    sections = []
    if entry:
        sections = list(dict.fromkeys(r.meta.get("section", "") for r in entry["chunks"]))
    return [("Alla avsnitt", ALL_SECTIONS)] + [
        (short_section(s) or "(utan rubrik)", s) for s in sections
    ]


def chunks_in(entry: Mapping, section: str | None) -> list:
    if not section or section == ALL_SECTIONS:
        return list(entry["chunks"])
    return [r for r in entry["chunks"] if r.meta.get("section", "") == section]


def _squash(text: str) -> str:
    return " ".join(text.split())


def locate(entry: Mapping, section: str, quote: str) -> tuple[str, int, int, int] | None:
    """(chunk id, start, end, chunk index) of ``quote`` in the document, its section first.

    Whitespace may differ between a quote and its chunk, so the match is made on squashed
    text and mapped back; a quote wider than one chunk is found by its first line.
    """
    chunks = entry["chunks"]
    near = _section_nearness(section)
    ordered = sorted(range(len(chunks)), key=lambda i: near(chunks[i].meta.get("section", "")))
    for probe in (quote, quote.strip().split("\n")[0]):
        wanted = _squash(probe)
        if not wanted:
            continue
        for i in ordered:
            span = _find_squashed(chunks[i].text, wanted)
            if span:
                return chunks[i].id, span[0], span[1], i
    return None


def _section_nearness(section: str):
    """How near a chunk's section is to the one a citation names: 0 the same, 1 the same below
    the document's title (a register's heading trail starts at the title, a chunk's below it),
    2 elsewhere."""
    below_title = section.split(SECTION_SEPARATOR, 1)[1] if SECTION_SEPARATOR in section else None

    def near(chunk_section: str) -> int:
        if chunk_section == section:
            return 0
        return 1 if chunk_section == below_title else 2

    return near


def _find_squashed(text: str, wanted: str) -> tuple[int, int] | None:
    """Where ``wanted`` (whitespace squashed) occurs in ``text``, as offsets into ``text``."""
    pattern = r"\s+".join(re.escape(w) for w in wanted.split())
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def search_terms(query: str) -> list[str]:
    """Lower-cased words of a search, longest first, duplicates and one-letter words dropped."""
    words = re.findall(r"[\w][\w'’:-]*", query.lower())
    terms = list(dict.fromkeys(w.strip("-:'’") for w in words if len(w.strip("-:'’")) >= 2))
    return sorted(terms, key=len, reverse=True)


def term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Every case-insensitive occurrence of a term, as character spans."""
    if not terms:
        return []
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    hits: list[tuple[Mapping, object]]  # (document entry, chunk record), best first
    total: int
    problem: str = ""  # a Swedish message instead of hits


def _furniture(text: str) -> bool:
    """Whether every line of a passage is page furniture (link labels, logo descriptions)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return bool(lines) and all(FURNITURE.search(ln) for ln in lines)


def search(docs: Mapping[str, Mapping], query: str, limit: int = SEARCH_MAX_HITS) -> SearchResult:
    """Chunks that contain every word of the query, most occurrences first."""
    query = (query or "").strip()
    if not query:
        return SearchResult(query, [], [], 0, "Skriv ett eller flera sökord.")
    if len(query) > SEARCH_MAX_CHARS:
        message = f"Sökningen är för lång. Högst {SEARCH_MAX_CHARS} tecken tillåts."
        return SearchResult(query, [], [], 0, message)
    terms = search_terms(query)
    if not terms:
        message = "Skriv minst ett ord med två eller fler bokstäver."
        return SearchResult(query, [], [], 0, message)
    hits = []
    for entry in docs.values():
        for rec in entry["chunks"]:
            if _furniture(rec.text):
                continue  # "Länk till annan webbplats", "logotype": page furniture, no hit
            hay = f"{rec.meta.get('section', '')}\n{rec.text}".lower()
            if all(t in hay for t in terms):
                hits.append((sum(hay.count(t) for t in terms), entry, rec))
    hits.sort(key=lambda h: -h[0])  # stable: document order among equals
    return SearchResult(query, terms, [(e, r) for _, e, r in hits[:limit]], len(hits))
