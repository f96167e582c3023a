"""Plain text to structure: paragraphs and lists of pieces (marks, [n] markers, links).

Templates render the result with autoescaping, so no text ever becomes markup: this module
only decides where a list starts, which words are highlighted and which are addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

BULLET = re.compile(r"^\s*(?:[-*•–])\s+")
NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+")
REF = re.compile(r"\[(\d{1,2})\]")
# Addresses as the documents write them: with a scheme, or a bare www. host.
ADDRESS = re.compile(r"\b(?:https?://|www\.)[^\s<>”\"')\]]+[^\s<>”\"')\].,;:!?]")


@dataclass
class Piece:
    """A run of text with one look: plain, highlighted, a citation marker or a link."""

    text: str
    mark: bool = False
    ref: int | None = None
    href: str | None = None


@dataclass
class Block:
    """A paragraph (its lines) or a list (its items); each line is a list of pieces."""

    kind: str  # "p", "ul" or "ol"
    lines: list[list[Piece]] = field(default_factory=list)
    start: int = 1  # the first number of an "ol"


def safe_url(url: object) -> str | None:
    """The URL if it is a plain http(s) address, else None (never javascript:, data: …)."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlparse(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    return url


def _links_and_refs(text: str, mark: bool, refs: bool) -> list[Piece]:
    """Split one run into plain pieces, citation markers and addresses."""
    patterns = [ADDRESS.pattern] + ([REF.pattern] if refs else [])
    found = re.compile("|".join(f"({p})" for p in patterns))
    pieces, pos = [], 0
    for m in found.finditer(text):
        if m.start() > pos:
            pieces.append(Piece(text[pos : m.start()], mark))
        token = m.group()
        if token.startswith("["):
            pieces.append(Piece(token, mark, ref=int(token[1:-1])))
        else:
            href = safe_url(token if "://" in token else f"https://{token}")
            pieces.append(Piece(token, mark, href=href))
        pos = m.end()
    if pos < len(text):
        pieces.append(Piece(text[pos:], mark))
    return pieces


def _pieces(text: str, start: int, marks: list[tuple[int, int]], refs: bool) -> list[Piece]:
    """The pieces of ``text``, which starts at offset ``start`` of the whole text."""
    cuts = {0, len(text)}
    for a, b in marks:
        for c in (a - start, b - start):
            if 0 < c < len(text):
                cuts.add(c)
    bounds = sorted(cuts)
    pieces: list[Piece] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        middle = start + (a + b) / 2
        marked = any(m0 <= middle < m1 for m0, m1 in marks)
        pieces += _links_and_refs(text[a:b], marked, refs)
    return pieces


def inline(text: str, marks: list[tuple[int, int]] | None = None) -> list[Piece]:
    """One line of pieces (a heading, say): highlighted spans and addresses, no lists."""
    return _pieces(text, 0, marks or [], refs=False)


def _line_kind(line: str) -> tuple[str, int, int | None]:
    """("ul"|"ol"|"p", length of the list marker, the item's number)."""
    if m := BULLET.match(line):
        return "ul", m.end(), None
    if m := NUMBERED.match(line):
        return "ol", m.end(), int(m.group(1))
    return "p", 0, None


def blocks(
    text: str, marks: list[tuple[int, int]] | None = None, refs: bool = False
) -> list[Block]:
    """Paragraphs and lists of ``text``; ``marks`` are character spans to highlight.

    A blank line ends a paragraph; consecutive "- " (or "1. ") lines make one list.
    """
    marks = marks or []
    out: list[Block] = []
    offset, blank = 0, True
    for line in (text or "").split("\n"):
        kind, skip, number = _line_kind(line)
        body = line[skip:]
        if not line.strip():
            blank = True
        else:
            pieces = _pieces(body.rstrip(), offset + skip, marks, refs)
            last = out[-1] if out else None
            if last and last.kind == kind and (kind != "p" or not blank):
                last.lines.append(pieces)
            else:
                out.append(Block(kind, [pieces], start=number or 1))
            blank = False
        offset += len(line) + 1
    return out


def plain(text: str) -> str:
    """Text for screen-reader announcements: markers dropped, whitespace squashed."""
    return " ".join(REF.sub("", text or "").split())
