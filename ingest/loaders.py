"""Load source files (Markdown with front matter, plain text, HTML, PDF) into SourceDocuments."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

SUPPORTED_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}


class LoadError(Exception):
    """A file could not be read; the message names the file and the reason (in Swedish)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class SourceDocument:
    """A whole document: its identity, dates and the Markdown-like body that gets chunked."""

    doc_id: str
    title: str
    updated: str
    kind: str
    url: str | None
    body: str
    path: str


def discover(corpus_dir: Path) -> list[Path]:
    """Supported files below corpus_dir, in a stable order."""
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )


def load_file(path: Path, max_bytes: int | None = None) -> SourceDocument:
    """Dispatch on the file's suffix; raise LoadError naming the file on any failure.

    Files over max_bytes are refused before they are read, so one huge file cannot stall an
    ingest or fill the memory.
    """
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise LoadError(
                path,
                f"filen är {_mb(size)} MB, större än gränsen {_mb(max_bytes)} MB "
                "(POLICYBOT_MAX_FILE_MB)",
            )
        if suffix in {".md", ".markdown"}:
            return _load_markdown(path)
        if suffix == ".txt":
            return _load_text(path)
        if suffix in {".html", ".htm"}:
            return _load_html(path)
        if suffix == ".pdf":
            return _load_pdf(path)
    except LoadError:
        raise
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"okänd teckenkodning ({exc.encoding}: {exc.reason})") from exc
    except OSError as exc:
        raise LoadError(path, f"filen kunde inte öppnas ({exc.strerror or exc})") from exc
    except Exception as exc:  # any parser failure becomes a named, per-file error
        raise LoadError(path, f"filen kunde inte tolkas ({type(exc).__name__}: {exc})") from exc
    raise LoadError(path, f"filtypen {suffix!r} stöds inte")


def _mb(size: float) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (or UTF-16 with a byte order mark), else Windows-1252.

    Swedish text saved on Windows is often Windows-1252 (a superset of Latin-1); decoding it
    keeps å, ä and ö instead of refusing the file. Bytes that are neither, or NUL bytes in a
    file without a UTF-16 mark, mean the file is not text.
    """
    data = path.read_bytes()
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    if b"\x00" in data:
        raise LoadError(path, "filen innehåller binära data, inte text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise LoadError(
            path, f"okänd teckenkodning, varken UTF-8 eller Windows-1252 (byte {exc.start})"
        ) from exc


def _mtime_date(path: Path) -> str:
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()


def _require_text(path: Path, body: str) -> str:
    if not body.strip():
        raise LoadError(path, "filen innehåller ingen text")
    return body


# The closing line and the blank lines after it are not part of the body (as before: changing
# where bodies start would move every chunk's offsets and re-embed every corpus).
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---\s*(?:\n|\Z)", re.DOTALL)


def _load_markdown(path: Path) -> SourceDocument:
    text = read_text(path)
    meta: dict = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise LoadError(path, f"ogiltig YAML i front matter ({_yaml_problem(exc)})") from exc
        if not isinstance(meta, dict):
            raise LoadError(path, "front matter är inte en lista med nycklar och värden")
        body = text[match.end() :]
    elif re.match(r"\A---[ \t]*\r?\n", text):
        raise LoadError(path, "front matter saknar den avslutande raden ---")
    body = _require_text(path, body)
    title = str(meta.get("title") or _first_heading(body) or path.stem)
    updated = meta.get("updated")
    return SourceDocument(
        doc_id=str(meta.get("id") or path.stem),
        title=title,
        updated=str(updated) if updated else _mtime_date(path),
        kind=str(meta.get("kind") or "dokument"),
        url=str(meta["url"]) if meta.get("url") else None,
        body=body,
        path=str(path),
    )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where and what, e.g. "rad 3: expected ',' or ']'" (the line counts the opening ---)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"rad {mark.line + 2}: {problem}" if mark is not None else problem


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return None


def _load_text(path: Path) -> SourceDocument:
    body = _require_text(path, read_text(path))
    first_line = next(line.strip() for line in body.splitlines() if line.strip())
    return SourceDocument(
        doc_id=path.stem,
        title=first_line[:120],
        updated=_mtime_date(path),
        kind="dokument",
        url=None,
        body=body,
        path=str(path),
    )


_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td", "th"]


def _load_html(path: Path) -> SourceDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text(path), "html.parser")
    # Navigation, scripts and page chrome are not the document's text.
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form"]):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    blocks: list[str] = []
    for el in root.find_all(_BLOCK_TAGS):
        if el.find(_BLOCK_TAGS):  # only the innermost blocks, so no text appears twice
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name.startswith("h"):
            blocks.append("#" * int(el.name[1]) + " " + text)
        elif el.name == "li":
            blocks.append("- " + text)
        else:
            blocks.append(text)
    body = _require_text(path, _join_blocks(blocks))
    title_tag = soup.find("title")
    title = title_tag.get_text(strip=True) if title_tag else None
    return SourceDocument(
        doc_id=path.stem,
        title=title or _first_heading(body) or path.stem,
        updated=_mtime_date(path),
        kind="webbsida",
        url=None,
        body=body,
        path=str(path),
    )


def _join_blocks(blocks: list[str]) -> str:
    """Blank lines between blocks, but consecutive list items stay one list."""
    out: list[str] = []
    for block in blocks:
        if out and block.startswith("- ") and out[-1].startswith("- "):
            out[-1] += "\n" + block
        else:
            out.append(block)
    return "\n\n".join(out) + "\n"


def _load_pdf(path: Path) -> SourceDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except PyPdfError as exc:
        raise LoadError(path, f"PDF-filen är trasig ({type(exc).__name__}: {exc})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise LoadError(path, "PDF-filen innehåller ingen text (skannad bild utan textlager?)")
    body = text + "\n"
    info = reader.metadata or {}
    title = (info.get("/Title") or "").strip() if info else ""
    return SourceDocument(
        doc_id=path.stem,
        title=title or body.strip().splitlines()[0][:120],
        updated=_mtime_date(path),
        kind="dokument",
        url=None,
        body=body,
        path=str(path),
    )
