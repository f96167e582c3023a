"""The heading trails of a Markdown body: which section each offset of the text stands in."""

from __future__ import annotations

import re

from ingest.chunking import SECTION_SEPARATOR

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def trails(body: str) -> list[tuple[int, int, str]]:
    """(offset, level, heading trail) of each heading, the title heading first in the trail."""
    out: list[tuple[int, int, str]] = []
    stack: dict[int, str] = {}
    for m in HEADING.finditer(body):
        level = len(m.group(1))
        stack = {k: v for k, v in stack.items() if k < level}
        stack[level] = m.group(2).strip()
        out.append((m.start(), level, SECTION_SEPARATOR.join(stack[k] for k in sorted(stack))))
    return out


def trail_at(marks: list[tuple[int, int, str]], offset: int) -> str:
    """The heading trail the text at offset stands under, given the body's trails(): ""
    before any heading. The trails are passed in so that a caller looking up many offsets of
    one body parses its headings once."""
    found = ""
    for start, _, trail in marks:
        if start > offset:
            break
        found = trail
    return found
