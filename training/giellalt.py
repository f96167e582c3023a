"""GiellaLT's Swedish corpus (giellalt/corpus-swe): its XML pages as the project's Markdown."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.swedish import MONTHS, PAGE_UPDATED, SITE_FURNITURE, SITE_FURNITURE_BLOCK
from training.snapshots import (
    MIRRORS,
    Snapshot,
    SnapshotError,
    digest,
    git,
    git_show,
    markdown,
)

CORPUS_SWE = "giellalt/corpus-swe"

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A page under this many words of Swedish text once converted is too thin to ask about.
MIN_WORDS = 80
# The corpus tags each paragraph with a guessed language, and on a word or two the guess is
# noise (it tags "hosta" Meänkieli and "feber" Norwegian in a Swedish list of symptoms): a
# paragraph this short takes the language of the last longer paragraph before it instead.
UNTRUSTED_LANG_WORDS = 2
# A plain line this short that is neither heading nor list item is a link, button or menu
# fragment ("Lyssna", "Skriv ut", "Kontakta oss", "Översätt sida").
FURNITURE_WORDS = 3
# A short line seen more than once in a page is a running head, a footer or a repeated
# teaser label, never text worth reading twice.
REPEATED_WORDS = 8
# Separators between a page's own title and the site's name in an HTML <title>.
SITE_SUFFIX = re.compile(r"\s+(?:-|–|—|\|)\s+[^-–—|]+$")
SITE_SEPARATOR = re.compile(r"\s+[-–—|/]\s")


@dataclass(frozen=True)
class _Block:
    kind: str  # "heading", "item" or "text"
    text: str


def giellalt_markdown(snap: Snapshot, xml_text: str) -> str:
    """A corpus-swe page as the project's Markdown: the listed front matter and title, then
    the page's Swedish paragraphs, each word for word on one line (`## ` for headings, `- ` for
    list items), without the site's furniture."""
    blocks = _giellalt_blocks(_parse(xml_text, snap.id))
    if blocks and blocks[0].kind == "heading" and blocks[0].text == snap.title:
        blocks = blocks[1:]  # the page's title, already the document's own heading
    lines = [f"# {snap.title}", ""]
    for i, block in enumerate(blocks):
        lines.append({"heading": "## ", "item": "- ", "text": ""}[block.kind] + block.text)
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        # A list's items stand on consecutive lines; every other block is a paragraph.
        if after is not None and not (block.kind == after.kind == "item"):
            lines.append("")
    return markdown(snap, "\n".join(lines) + "\n")


def _parse(xml_text: str, label: str) -> ET.Element:
    try:
        return ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise SnapshotError(f"{label}: XML kan inte läsas: {exc}") from exc


def _paragraph_text(p: ET.Element) -> str:
    # One line per paragraph; the words themselves are never changed (they are quoted later).
    return re.sub(r"\s*[\r\n]+\s*", " ", "".join(p.itertext())).strip()


def _all_emphasis(p: ET.Element) -> bool:
    """True when the whole paragraph is emphasised: the converted PDFs' and documents' headings."""
    if (p.text or "").strip() or not len(p):
        return False
    return all(child.tag == "em" and not (child.tail or "").strip() for child in p)


def _repeats_heading(text: str, following: ET.Element | None, following_text: str) -> bool:
    """True for a plain line that the next line, a heading, opens: some sites print the
    title twice, first plain (a breadcrumb's last step, or the HTML title with the site's
    name after it: "Vårdgaranti - 1177 Vårdguiden - ...")."""
    if following is None or following.get("type") != "title":
        return False
    return text == following_text or (
        text.startswith(following_text) and bool(SITE_SEPARATOR.match(text[len(following_text) :]))
    )


def _giellalt_blocks(doc: ET.Element) -> list[_Block]:
    body = doc.find("body")
    paragraphs = [] if body is None else list(body.iter("p"))
    texts = [_paragraph_text(p) for p in paragraphs]
    short = Counter(t for t in texts if len(t.split()) <= REPEATED_WORDS)
    blocks: list[_Block] = []
    swedish = True  # the language of the last paragraph long enough for its tag to hold
    in_furniture = False
    for i, (p, text) in enumerate(zip(paragraphs, texts, strict=True)):
        words = len(text.split())
        kind = {"title": "heading", "listitem": "item"}.get(p.get("type", ""), "text")
        if words > UNTRUSTED_LANG_WORDS:
            swedish = p.get(XML_LANG) in (None, "swe")
        if in_furniture:
            # Links and contact lines have no full stop; a page's own text and headings do.
            in_furniture = not (
                kind == "heading" or (words > FURNITURE_WORDS and text.endswith((".", "!", "?")))
            )
        if words <= FURNITURE_WORDS and SITE_FURNITURE_BLOCK.match(text):
            in_furniture = True
        if not text or not swedish or in_furniture or PAGE_UPDATED.match(text):
            continue
        after = next((j for j in range(i + 1, len(texts)) if texts[j]), None)
        following = "" if after is None else texts[after]
        if kind == "text" and _repeats_heading(
            text, None if after is None else paragraphs[after], following
        ):
            continue
        # A short emphasised line that starts a sentence and does not end one is a heading,
        # unless the next line goes on with it (a sentence broken over lines in a PDF).
        if (
            kind == "text"
            and _all_emphasis(p)
            and words <= REPEATED_WORDS
            and text[0].isupper()
            and text[-1] not in ".,;:"
            and not following[:1].islower()
        ):
            kind = "heading"
        if kind != "heading" and (SITE_FURNITURE.search(text) or short[text] > 1):
            continue
        # A short line is kept when it goes on from the line before (lowercase: a sentence
        # broken over lines) or leads in to a list ("Kommunen ska:").
        lead_in = (
            text.endswith(":") and after is not None and paragraphs[after].get("type") == "listitem"
        )
        if kind == "text" and words <= FURNITURE_WORDS and not (text[0].islower() or lead_in):
            continue
        blocks.append(_Block(kind, text))
    # A heading with nothing kept under it headed furniture (a menu, a share bar): drop it.
    return [
        b
        for i, b in enumerate(blocks)
        if b.kind != "heading" or (i + 1 < len(blocks) and blocks[i + 1].kind != "heading")
    ]


def giellalt_words(xml_text: str, label: str = "XML") -> int:
    """How many words of Swedish text the page keeps once converted (its title not counted)."""
    return sum(len(b.text.split()) for b in _giellalt_blocks(_parse(xml_text, label)))


def giellalt_snapshot(
    path: str,
    folder: str,
    commit: str,
    mirrors: Path = MIRRORS,
    title: str | None = None,
    xml_text: str | None = None,
) -> Snapshot:
    """The list entry for one corpus-swe page at a commit: id `<folder>-<slug of the title>`,
    the title from the page (or as given, for a PDF whose title the conversion lost), the
    page's date and address, and the sha256 of the Markdown it becomes."""
    if xml_text is None:
        xml_text = git_show(CORPUS_SWE, commit, path, mirrors, path)
    doc = _parse(xml_text, path)
    title = title or _giellalt_title(doc)
    if not title:
        raise SnapshotError(f"{path}: sidan har ingen titel; ange en med --title")
    orig = (doc.findtext("header/origFileName") or "").strip()
    snap = Snapshot(
        id=f"{folder}-{_slug(title)}",
        folder=folder,
        repo=CORPUS_SWE,
        commit=commit,
        path=path,
        sha256="",
        title=title,
        updated=_giellalt_updated(doc, commit, path, mirrors),
        # The corpus converted PDFs and word-processor files as well as web pages.
        kind="dokument" if re.search(r"\.(?:pdf|odt|docx?)\.xml$", path) else "webbsida",
        url=orig
        if re.match(r"https?://", orig)
        else f"https://github.com/{CORPUS_SWE}/blob/{commit}/{path}",
    )
    return replace(snap, sha256=digest(giellalt_markdown(snap, xml_text)))


def _giellalt_title(doc: ET.Element) -> str:
    head = re.sub(r"\s+", " ", doc.findtext("header/title") or "").strip()
    if head:
        return SITE_SUFFIX.sub("", head)
    # Without a header title only a short Swedish heading opening the page can stand for it;
    # a converted PDF's first line is mostly its title run into its first sentence.
    body = doc.find("body")
    texts = [(p, _paragraph_text(p)) for p in ([] if body is None else body.iter("p"))]
    opening = [(p, text) for p, text in texts if text][:2]
    if not opening:
        return ""
    first, text = opening[0]
    # A heading the page also printed as its title line is the title, however long.
    if len(opening) == 2 and _repeats_heading(text, *opening[1]):
        heading, heading_text = opening[1]
        if heading.get(XML_LANG) in (None, "swe"):
            return heading_text
    if first.get("type") != "title" or first.get(XML_LANG) not in (None, "swe"):
        return ""
    return text if len(text.split()) <= REPEATED_WORDS else ""


def _giellalt_updated(doc: ET.Element, commit: str, path: str, mirrors: Path) -> str:
    """The page's own "Uppdaterad"/"Senast ändrad" date when it has one (as the shared
    corpus-swe pages take theirs); else the header's year, as YYYY-01-01 (the corpus headers
    hold no fuller date); else the date of the commit that last touched the file, which is
    when the corpus converted it, not when the page was written."""
    body = doc.find("body")
    for p in [] if body is None else body.iter("p"):
        found = PAGE_UPDATED.match(_paragraph_text(p))
        if found:
            day = found.group(1)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                return day
            d, month, year = day.split()
            if month.lower() in MONTHS:
                return f"{year}-{MONTHS.index(month.lower()) + 1:02d}-{int(d):02d}"
    year = (doc.findtext("header/year") or "").strip()
    if re.fullmatch(r"\d{4}", year):
        return f"{year}-01-01"
    touched = git(CORPUS_SWE, mirrors, ["log", "-1", "--format=%cs", commit, "--", path], path)
    if not touched.strip():
        raise SnapshotError(f"{path}: ingen commit i spegeln rör filen")
    return touched.strip()


def _slug(title: str) -> str:
    # Letters lose their marks (å, ä, ö, and the ï of South Sami titles) as in the existing ids.
    plain = unicodedata.normalize("NFKD", title.lower().translate(str.maketrans("æø", "ao")))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:45].rstrip("-")


def add_giellalt(
    paths: list[str],
    folder: str,
    listed: list[Snapshot],
    mirrors: Path = MIRRORS,
    title: str | None = None,
    min_words: int = MIN_WORDS,
) -> tuple[list[Snapshot], dict[str, int]]:
    """List entries for corpus-swe files at the mirror's HEAD (a folder, with or without its
    closing slash, stands for every XML file under it), and the files left out for holding under
    min_words words of Swedish text, with their counts. Raises SnapshotError, listing nothing,
    for a file or id already listed."""
    commit = git(CORPUS_SWE, mirrors, ["rev-parse", "HEAD"]).strip()
    files: list[str] = []
    for path in paths:
        # A folder, written with or without its closing slash, stands for its XML files.
        kind = git(CORPUS_SWE, mirrors, ["cat-file", "-t", f"{commit}:{path.rstrip('/')}"])
        if kind.strip() == "tree":
            found = git(CORPUS_SWE, mirrors, ["ls-tree", "-r", "--name-only", commit, path])
            found = found.split()
            files += [f for f in found if f.endswith(".xml")]
        else:
            files.append(path)
    if title and len(files) != 1:
        raise SnapshotError("--title gäller en enda fil")
    ids = {s.id: s for s in listed}
    by_path = {s.path: s for s in listed if s.repo == CORPUS_SWE}
    added: list[Snapshot] = []
    skipped: dict[str, int] = {}
    for path in files:
        if path in by_path:
            raise SnapshotError(f"{path} är redan listad (som {by_path[path].id})")
        xml_text = git_show(CORPUS_SWE, commit, path, mirrors, path)
        # Counted first: a file too short to keep needs no title.
        words = giellalt_words(xml_text, path)
        if words < min_words:
            skipped[path] = words
            continue
        snap = giellalt_snapshot(path, folder, commit, mirrors, title, xml_text)
        if snap.id in ids:
            raise SnapshotError(f"{path}: id {snap.id} finns redan (för {ids[snap.id].path})")
        ids[snap.id] = by_path[path] = snap
        added.append(snap)
    return added, skipped
