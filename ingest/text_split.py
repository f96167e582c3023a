"""Swedish sentence splitting with character spans: sentence-splitter plus our abbreviations."""

from __future__ import annotations

import os
import re
import tempfile
from functools import cache
from pathlib import Path

from sentence_splitter import SentenceSplitter

from ingest.swedish import NONBREAKING_NUMERIC, NONBREAKING_PREFIXES


@cache
def _splitter() -> SentenceSplitter:
    """Moses' Swedish non-breaking prefixes plus ours (legal references, Swedish abbreviations).

    sentence-splitter reads its prefixes from a file only, so the combined list is written to a
    temporary file that is removed as soon as the splitter has read it.
    """
    import sentence_splitter

    shipped = Path(sentence_splitter.__file__).parent / "non_breaking_prefixes" / "sv.txt"
    # The shipped Swedish list was made by a non-speaker and holds ordinary words ("Nej",
    # "hand", "data", "med") that end many sentences; those are dropped, initials and real
    # abbreviations kept.
    lines = [
        line
        for line in shipped.read_text(encoding="utf-8").splitlines()
        if not _is_word(line.split("#")[0].strip())
    ]
    lines += list(NONBREAKING_PREFIXES)
    lines += [f"{p} #NUMERIC_ONLY#" for p in NONBREAKING_NUMERIC]
    fd, name = tempfile.mkstemp(suffix=".txt", prefix="policybot-sv-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        return SentenceSplitter(language="sv", non_breaking_prefix_file=name)
    finally:
        os.unlink(name)


def _is_word(entry: str) -> bool:
    """A common Swedish word rather than an abbreviation (wordfreq's Zipf scale >= 3.5)."""
    from wordfreq import zipf_frequency

    return len(entry) > 1 and entry.isalpha() and zipf_frequency(entry.lower(), "sv") >= 3.5


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line of text; the spans are verbatim slices.

    The splitter returns normalised sentences, so each is found again in the original text with
    any run of whitespace allowed where it has one.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in _splitter().split(text):
        words = sentence.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        m = re.compile(pattern).search(text, cursor)
        if m is None:  # cannot happen with whitespace-only normalisation; keep the rest whole
            break
        spans.append((m.start(), m.end()))
        cursor = m.end()
    rest = text[cursor:].strip()
    if rest:
        start = text.index(rest, cursor)
        spans.append((start, start + len(rest)))
    return spans
