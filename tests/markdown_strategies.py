"""Hypothesis strategies for Markdown-ish Swedish policy documents, shared by the property tests.

A generated document is returned with the character spans of its heading lines (Markdown
headings and bold-only lines), which the chunker deliberately drops into the section trail, so
that tests know from the generator, not from the chunker, what text must end up in units.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

# Sentence openers: plain capitalised words, so no generated line can start a heading by chance.
OPENERS = ["Kommunen", "Luleå", "Planen", "Nämnden", "Det", "Arbetet", "Ärendet", "Öppenheten"]
WORDS = [
    "kommunen",
    "samarbetar",
    "med",
    "vänorter",
    "i",
    "Norden",
    "och",
    "Europa",
    "t.ex.",
    "bl.a.",
    "m.m.",
    "dvs.",
    "ca",
    "s.k.",
    "enl.",
    "4 kap. 2 §",
    "3 §",
    "kap.",
    "nr",
    "St.",
    "Dr.",
    "2021-12-03",
    "2019–2023",
    "52 000",
    "12,5 %",
    "år",
    "2015",
    "ansvarar",
    "för",
    "internationella",
    "nätverk",
    "Bottenviksbågen",
    "Tromsø",
    "Uleåborg",
    "Ærø",
    "åäö",
    "ÅÄÖ",
    "😀",
    "🇸🇪",
    "✓",
    "”citat”",
    "«lainaus»",
    "(parentes)",
    "–",
    "—",
    "e-post",
    "www.lulea.se",
    "https://www.lulea.se/a.b?c=1",
    "info@lulea.se",
    "U.S.A.",
    "A.",
    "f.d.",
    "o.s.v.",
    "jfr",
    "...",
    "…",
    "?",
    "!",
    ":",
    ";",
    "»",
    "UBC:s",
    "EU:s",
    "SERN",
    "kl.",
    "13.00",
    "1.",
    "2)",
    "#",
    "##",
    "**",
    "|",
    "-",
    "[^1]:",
]
TERMINATORS = [".", ".", ".", "?", "!", ":", ";", "", "…", ".)", ".”", "?!"]
# Whitespace inside a line: ordinary and odd (tab, no-break space, thin space), and characters
# that Python's str.splitlines() takes for line breaks but Markdown does not (form feed from PDF
# text, Unicode line separator).
GAPS = [" ", " ", " ", "  ", "\t", "\u00a0", "\u2009", "\x0c", "\u2028"]
# Arbitrary short strings inside sentences. No "\n" or "\r": lines are the generator's
# business, so that it knows which lines are headings. Form feed, vertical tab and the Unicode
# line separators are not Markdown line endings, so they may come up inside a line (PDF text).
ODD = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs", "Cc"), include_characters="\t\x0b\x0c\x1c\x85"
    ),
    min_size=1,
    max_size=6,
)
LIST_MARKERS = ["- ", "* ", "1. ", "2) ", "• ", "-\t"]
BLOCK_SEPARATORS = ["\n\n", "\n\n", "\n \n", "\n\n\n", "\r\n\r\n"]


@dataclass(frozen=True)
class GeneratedDoc:
    body: str
    headings: tuple[tuple[int, int], ...]  # (start, end) of each heading line, "\n" excluded


@st.composite
def sentences(draw, long: bool = True) -> str:
    """One sentence: an opener, words (sometimes very many, sometimes odd ones), a terminator."""
    n = draw(st.integers(0, 120 if long and draw(st.booleans()) else 14))
    parts = [draw(st.sampled_from(OPENERS))]
    for _ in range(n):
        token = draw(st.one_of(st.sampled_from(WORDS), ODD) if n < 40 else st.sampled_from(WORDS))
        if draw(st.integers(0, 20)) == 0:
            token += draw(st.sampled_from(["[^1]", "[^2]", "[^a]"]))  # footnote reference
        parts.append(draw(st.sampled_from(GAPS)) + token)
    return "".join(parts) + draw(st.sampled_from(TERMINATORS))


@st.composite
def paragraph(draw) -> str:
    """One to three lines of one to three sentences; a later line may be bold only (not a
    heading there, as it does not open a block)."""
    lines = []
    for i in range(draw(st.integers(1, 3))):
        if i and draw(st.integers(0, 6)) == 0:
            lines.append(f"**{draw(st.sampled_from(OPENERS))} fetstil**")
            continue
        k = draw(st.integers(1, 3))
        lines.append(" ".join(draw(sentences()) for _ in range(k)))
    return "\n".join(lines)


@st.composite
def bullet_list(draw) -> str:
    items = []
    for _ in range(draw(st.integers(1, 5))):
        item = draw(st.sampled_from(LIST_MARKERS)) + draw(sentences(long=False))
        if draw(st.integers(0, 4)) == 0:  # a wrapped, indented continuation line
            item += "\n   " + draw(sentences(long=False))
        items.append(item + draw(st.sampled_from(["", "", " "])))
    return "\n".join(items)


@st.composite
def table(draw) -> str:
    rows = ["| Namn | Värde |", "|---|---|"]
    for _ in range(draw(st.integers(1, 4))):
        rows.append(f"| {draw(st.sampled_from(OPENERS))} | {draw(st.sampled_from(WORDS))} |")
    return "\n".join(rows)


@st.composite
def footnote(draw) -> str:
    label = draw(st.sampled_from(["1", "2", "a"]))
    return f"[^{label}]: {draw(sentences(long=False))}"


@st.composite
def heading(draw) -> str:
    words = " ".join(draw(st.lists(st.sampled_from(OPENERS + WORDS[:30]), min_size=1, max_size=6)))
    if draw(st.integers(0, 3)) == 0:  # a bold-only line heads what follows it
        mark = draw(st.sampled_from(["**", "__"]))
        return f"{mark}{draw(st.sampled_from(OPENERS))} {words.replace('*', '')}{mark}" + draw(
            st.sampled_from(["", ":"])
        )
    return "#" * draw(st.integers(1, 4)) + " " + words + draw(st.sampled_from(["", " ", "\t"]))


@st.composite
def documents(draw, max_blocks: int = 14) -> GeneratedDoc:
    """A body of headings, paragraphs, lists, tables and footnotes separated by blank lines."""
    kinds = draw(
        st.lists(
            st.sampled_from(["heading", "paragraph", "paragraph", "list", "table", "footnote"]),
            min_size=1,
            max_size=max_blocks,
        )
    )
    if all(k == "heading" for k in kinds):
        kinds.append("paragraph")
    body = draw(st.sampled_from(["", "", "\n", "\n\n"]))
    spans: list[tuple[int, int]] = []
    makers = {"paragraph": paragraph, "list": bullet_list, "table": table, "footnote": footnote}
    for i, kind in enumerate(kinds):
        if i:
            body += draw(st.sampled_from(BLOCK_SEPARATORS))
        if kind == "heading":
            text = draw(heading())
            spans.append((len(body), len(body) + len(text)))
        else:
            text = draw(makers[kind]())
        body += text
    body += draw(st.sampled_from(["", "\n", "\n\n"]))
    return GeneratedDoc(body, tuple(spans))
