"""Structure-aware chunking: headings give section paths, lists stay with their lead-in sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from ingest.loaders import SourceDocument
from ingest.swedish import (
    FOOTNOTE_DEF,
    FOOTNOTE_REF,
    FURNITURE,
    LIST_LINE,
    NO_SENTENCE_END,
    SENTENCE_END,
)
from ingest.text_split import sentence_spans

# Between the headings of a unit's section trail ("Vänorter > Tromsø").
SECTION_SEPARATOR = " > "
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
# A line that is bold and nothing else ("**Får vi bidra uppströms?**", "**Mål**") heads what
# follows it, as FAQ pages and converted PDFs write headings.
_BOLD_HEADING = re.compile(r"^\s*(\*\*|__)(?P<text>[^*_\n]{2,200}?)\1:?\s*$")


@dataclass
class Block:
    kind: str  # "heading" | "paragraph" | "list"
    start: int
    end: int
    level: int = 0
    text: str = ""


@dataclass
class Unit:
    """The smallest quotable piece: a sentence, or a lead-in sentence with its whole list."""

    start: int
    end: int
    section: str
    is_list: bool = False
    furniture: bool = False
    block: int = 0  # the paragraph or list it belongs to; neighbours in one block share it
    intro: str = ""  # the sentence or heading that introduces it
    footnote: str = ""  # the label, when the unit is a footnote's text ("[^1]: ...")
    footnote_text: str = ""  # the texts of the footnotes it refers to


@dataclass
class Chunk:
    start: int
    end: int
    section: str
    units: list[Unit] = field(default_factory=list)


def parse_blocks(body: str) -> list[Block]:
    """Split a Markdown-like body into headings, paragraphs and lists, with character spans."""
    blocks: list[Block] = []
    pos = 0
    current: Block | None = None
    blank = False  # a blank line since the current block's last line
    # Only "\n" ends a line, as in split_sentences and Markdown: str.splitlines() also breaks at
    # a form feed or U+2028 inside a line, and what follows one was read as a heading.
    for line in re.findall(r"[^\n]*\n|[^\n]+", body):
        start, pos = pos, pos + len(line)
        stripped = line.strip()
        end = start + len(line.rstrip("\r\n"))
        if not stripped:
            blank = True
            continue
        after_blank, blank = blank, False
        if after_blank and not (
            current is not None and current.kind == "list" and LIST_LINE.match(line)
        ):
            # A blank line ends a block, except between two items of one list: a "loose"
            # list, its items spaced apart, is still one list (as in Markdown).
            current = None
        heading = _HEADING.match(line.rstrip("\r\n"))
        if heading:
            blocks.append(Block("heading", start, end, len(heading.group(1)), heading.group(2)))
            current = None
            continue
        bold = _BOLD_HEADING.match(line.rstrip("\r\n"))
        if bold and current is None:
            # Level 0: one below whatever real heading it stands under (see the caller).
            blocks.append(Block("heading", start, end, 0, bold.group("text").strip()))
            continue
        kind = "list" if LIST_LINE.match(line) else "paragraph"
        # A wrapped continuation line of a list item belongs to the list.
        if current is not None and current.kind == "list" and kind == "paragraph":
            kind = "list" if line[:1].isspace() else kind
        if current is not None and current.kind == kind:
            current.end = end
        else:
            current = Block(kind, start + (len(line) - len(line.lstrip())), end)
            blocks.append(current)
    return blocks


def split_sentences(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside body[start:end]. A line break ends a sentence too, unless it is a
    soft break inside one (hard-wrapped Markdown: "... styrs av kolumnen `x` i" / "tabellen
    ..."), which is read as a space."""
    spans: list[tuple[int, int]] = []
    # Same length as the original, so offsets found in it are offsets in the body.
    flowed = unwrap(body[start:end])
    for line_match in re.finditer(r"[^\n]+", flowed):
        offset = start + line_match.start()
        spans += [(offset + s, offset + e) for s, e in sentence_spans(line_match.group())]
    return [(s, e) for s, e in spans if body[s:e].strip()]


def flowed_lines(body: str) -> list[tuple[int, str]]:
    """(start, text) of each line of body as a reader sees it: a sentence hard-wrapped over
    several lines (text converted from PDF) is one line, its soft breaks kept in the text so
    that it stays a verbatim slice. Headings are lines of their own."""
    out: list[tuple[int, str]] = []
    start = 0
    for line in body.split("\n"):
        joined = False
        if out and not line.startswith("#") and not out[-1][1].startswith("#"):
            last = out[-1][1].rsplit("\n", 1)[-1]
            joined = "\n" not in unwrap(f"{last}\n{line}")
        if joined:
            out[-1] = (out[-1][0], f"{out[-1][1]}\n{line}")
        else:
            out.append((start, line))
        start += len(line) + 1
    return out


# A hard-wrapped line is long: a shorter line without a full stop is a heading or a label.
WRAPPED_LINE = 50
_PLAIN_WORD = re.compile(r"[a-zåäöéü]+(?:-[a-zåäöéü]+)*")


def unwrap(text: str) -> str:
    """text with each soft line break replaced by a space: where the line does not end a
    sentence and the next line goes on with it (a lower-case word, or after a word that cannot
    end a sentence, "i", "och", "heter"), or where a long line breaks before a name ("... efter
    dialog med" / "Energimyndigheten, begränsas ...")."""
    lines = text.split("\n")
    out = lines[0]
    for prev, line in zip(lines, lines[1:], strict=False):
        tail = prev.rstrip().rstrip('*_`)"”')
        words = tail.split()
        nxt = line.strip()
        soft = (
            bool(words)
            and bool(nxt)
            and not tail.endswith(SENTENCE_END)
            and not LIST_LINE.match(line)
            and not FOOTNOTE_DEF.match(nxt)
            and (
                nxt[0].islower()
                or words[-1].lower() in NO_SENTENCE_END
                or _wrapped_before_name(prev, words[-1], nxt)
            )
        )
        out += (" " if soft else "\n") + line
    return out


def _wrapped_before_name(prev: str, last: str, nxt: str) -> bool:
    """A long line ending in a plain lower-case word, then a capitalised line that ends a
    sentence or is long too: one sentence wrapped before a name. Not a URL or code line, and
    not a short unpunctuated line (a heading)."""
    line = prev.rstrip()
    return (
        len(line) >= WRAPPED_LINE
        and line[-1:].isalpha()
        and bool(_PLAIN_WORD.fullmatch(last))
        and nxt[0].isupper()
        and (nxt.endswith(SENTENCE_END) or len(nxt) >= WRAPPED_LINE)
    )


def build_units_and_chunks(body: str, max_chars: int = 700) -> list[Chunk]:
    """Group units into chunks: a paragraph (with the list it introduces) per chunk.

    A list belongs with the sentence right before it whatever that sentence ends with (":",
    "." or ";"); a list straight after a heading is introduced by the heading.
    """
    blocks = parse_blocks(body)
    footnotes = _footnotes(body, blocks)
    headings = {_plain(b.text) for b in blocks if b.kind == "heading"}
    trail: dict[int, str] = {}
    real_level = 1  # the level of the last Markdown heading; bold-line headings go below it
    chunks: list[Chunk] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading":
            if block.level:
                real_level = block.level
            level = block.level or min(real_level + 1, 7)
            trail = {lvl: t for lvl, t in trail.items() if lvl < level}
            trail[level] = block.text
            i += 1
            continue
        section = _section(trail)
        heading = trail[max(trail)] if trail else ""
        units: list[Unit] = []
        if block.kind == "list":
            units.append(Unit(block.start, block.end, section, is_list=True, intro=heading))
        else:
            spans = split_sentences(body, block.start, block.end)
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            label = FOOTNOTE_DEF.match(body[block.start : block.end])
            last = body[spans[-1][0] : spans[-1][1]]
            # A "Läs mer ..." pointer introduces nothing: the list then stands under its heading.
            leads_list = (
                following is not None
                and (following.kind == "list" or _introduces(last, following, max_chars))
                and not label
                and not FURNITURE.search(last)
            )
            intro = heading
            for s, e in spans[:-1] if leads_list else spans:
                units.append(Unit(s, e, section, intro=intro))
                intro = body[s:e]
            if leads_list:
                units.append(Unit(spans[-1][0], following.end, section, is_list=True, intro=intro))
                i += 1  # the list is consumed with its lead-in
            if label:
                for unit in units:
                    unit.footnote = label.group(1)
        for unit in units:
            text = body[unit.start : unit.end]
            unit.block = i
            # A list is furniture only when its lead-in (or, without one, every line) is.
            lines = [ln for ln in text.splitlines() if ln.strip()]
            if unit.is_list and not LIST_LINE.match(lines[0]):
                lines = lines[:1]
            unit.furniture = all(FURNITURE.search(ln) for ln in lines) or (
                unit.is_list and _is_contents(text, headings)
            )
            refs = [
                footnotes[m.group(1)]
                for m in FOOTNOTE_REF.finditer(text)
                if m.group(1) in footnotes
            ]
            unit.footnote_text = " ".join(refs)
        chunks.extend(_pack(units, section, max_chars))
        i += 1
    return chunks


def _plain(text: str) -> str:
    """Text without Markdown links, emphasis, punctuation or case: for comparing labels."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return "".join(c for c in text.casefold() if c.isalnum())


def _is_contents(text: str, headings: set[str]) -> bool:
    """A table of contents: a list whose items are, nearly all, the document's own headings
    ("- Hur det funkar", "- Quick-start", ...). It points to the answers but holds none."""
    items = [_plain(LIST_LINE.sub("", ln)) for ln in text.splitlines() if LIST_LINE.match(ln)]
    items = [i for i in items if i]
    return len(items) >= 3 and sum(i in headings for i in items) >= 0.75 * len(items)


def _introduces(lead_in: str, following: Block, max_chars: int) -> bool:
    """A sentence ending in a colon introduces the paragraph after it as a list does its items:
    lines without list markers ("**Typ** - materialtyp" per line), a code block, an example.
    Quoted alone, such a lead-in answers nothing."""
    return (
        following.kind == "paragraph"
        and lead_in.rstrip().endswith(":")
        and following.end - following.start <= 2 * max_chars
    )


def _footnotes(body: str, blocks: list[Block]) -> dict[str, str]:
    """Footnote label -> its text, from "[^1]: text" paragraphs."""
    out: dict[str, str] = {}
    for block in blocks:
        for line in body[block.start : block.end].splitlines():
            m = FOOTNOTE_DEF.match(line.strip())
            if m:
                out[m.group(1)] = m.group(2).strip()
    return out


def _section(trail: dict[int, str]) -> str:
    """Heading trail below the document title; the title itself when there is none."""
    deeper = [trail[lvl] for lvl in sorted(trail) if lvl > 1]
    if deeper:
        return SECTION_SEPARATOR.join(deeper)
    return trail.get(1, "")


def _pack(units: list[Unit], section: str, max_chars: int) -> list[Chunk]:
    """Split one paragraph's units into chunks no longer than max_chars (a unit is never split)."""
    chunks: list[Chunk] = []
    for unit in units:
        if chunks and unit.end - chunks[-1].start <= max_chars:
            chunks[-1].units.append(unit)
            chunks[-1].end = unit.end
        else:
            chunks.append(Chunk(unit.start, unit.end, section, [unit]))
    return chunks


def _chunk_prefix(title: str, section: str) -> str:
    """What a chunk's text is retrieved by besides its own words: its document's title and its
    section trail. In a corpus of many documents the title says what a chunk is about ("Region
    Hallands terapirekommendationer"), which neither its words nor its headings may say."""
    trail = section.split(SECTION_SEPARATOR) if section else []
    if title and (not trail or _plain(trail[0]) != _plain(title)):
        trail = [title, *trail]
    return f"{SECTION_SEPARATOR.join(trail)}\n" if trail else ""


def to_documents(doc: SourceDocument, max_chars: int = 700) -> list[Document]:
    """LangChain Documents for one source: chunks for retrieval and units for answering.

    page_content is prefixed with the section path (a chunk's with the title too) so that
    embeddings and BM25 see the topic of sentences such as "Det är en organisation som ...";
    start/end give the verbatim span in the document body and prefix_len where the verbatim
    text begins in page_content.
    """
    base = {
        "source": doc.doc_id,
        "doc_id": doc.doc_id,
        "title": doc.title,
        "updated": doc.updated,
        "kind": doc.kind,
        "url": doc.url or "",
    }

    def document(
        level: str, span: Chunk | Unit, prefix: str, order: int, chunk_key: str, **extra
    ) -> Document:
        return Document(
            page_content=prefix + doc.body[span.start : span.end],
            metadata={
                **base,
                "level": level,
                "chunk": chunk_key,
                "section": span.section,
                "start": span.start,
                "end": span.end,
                "prefix_len": len(prefix),
                "order": order,
                **extra,
            },
        )

    out: list[Document] = []
    unit_no = 0
    for chunk_no, chunk in enumerate(build_units_and_chunks(doc.body, max_chars)):
        chunk_key = f"{doc.doc_id}#{chunk_no}"
        out.append(
            document("chunk", chunk, _chunk_prefix(doc.title, chunk.section), chunk_no, chunk_key)
        )
        for unit in chunk.units:
            prefix = f"{unit.section}: " if unit.section else ""
            out.append(
                document(
                    "unit",
                    unit,
                    prefix,
                    unit_no,
                    chunk_key,
                    is_list=unit.is_list,
                    furniture=unit.furniture,
                    block=unit.block,
                    intro=unit.intro,
                    footnote=unit.footnote,
                    footnote_text=unit.footnote_text,
                )
            )
            unit_no += 1
    return out
