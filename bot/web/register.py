"""The "Medlemskap och vänorter" table in Källor: the stored register, read and shown.

The register is built elsewhere (``policybot register``, and after each ingest) and stored
beside the index (``register_store.register_source``: a JSON file, or a record in the Chroma
server); the page only reads it, again only when it has changed, so the table opens at once.
Every filled cell carries its citation (document, heading trail, verbatim quote); its "Visa i
Källor" button opens the passage through the same handler as the chat's source cards
(``Sources.show``).

Sorting happens in the browser (static/register.js) on ranks computed here, so the order is
decided in one place (``ranks``, ``ordered``) and a click re-sorts without a round trip.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.localtime import format_local
from bot.register_store import (
    COLUMNS,
    STATUS_LABELS,
    Cell,
    Entry,
    FileRegister,
    Ref,
    Register,
    RegisterFileError,
    ServerRegister,
)
from bot.web import markup, render, sources

log = logging.getLogger(__name__)

NOT_BUILT = (
    "Registret är inte byggt än. Kör policybot register på servern; därefter visas tabellen här."
)
UNREADABLE = (
    "Registret kan inte läsas just nu. Bygg om det på servern med policybot register --rebuild."
)
# An empty cell: a dash for the eye, words for a screen reader (never a guessed value).
MISSING = "uppgift saknas"
# A citation sent back by the page is checked before it is looked up (it comes from a browser).
MAX_REF_CHARS = {"doc_id": 300, "section": 2000, "quote": 5000}
STATUS_ORDER = {name: i for i, name in enumerate(STATUS_LABELS)}  # aktiv, vilande, avslutad
# Swedish alphabetical order: å, ä, ö (and æ, ø) after z; other accents ignored (é as e).
_AFTER_Z = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def collate(text: str) -> str:
    """A sort key for Swedish text: case and accents ignored except å, ä, ö."""
    folded = re.sub(r"^\W+", "", text.casefold()).translate(_AFTER_Z)
    return "".join(
        ch for ch in unicodedata.normalize("NFD", folded) if not unicodedata.combining(ch)
    )


def _label(name: str, value: str | list[str]) -> str:
    """A value as the register shows it (Cell.label: Swedish status words, lists joined)."""
    return Cell.model_construct(value=value).label(name)


def sort_value(entry: Entry, key: str) -> tuple | None:
    """What a column sorts by; None for an empty cell (always placed last)."""
    if key == "owner":
        return (collate(entry.owner),)
    if key == "name":
        return (collate(entry.name),)
    if key == "type":
        return (collate(entry.type_label),)
    cell = entry.cells.get(key)
    if cell is None or not _label(key, cell.value).strip():
        return None
    shown = _label(key, cell.value)
    if key == "status":
        return (STATUS_ORDER.get(str(cell.value), len(STATUS_ORDER)), collate(shown))
    if key == "since":
        year = _YEAR.search(shown)
        return (0, int(year.group()), collate(shown)) if year else (1, 0, collate(shown))
    return (collate(shown),)


def ranks(rows: list[Entry]) -> list[dict[str, int]]:
    """Per row, its dense rank in each column (equal values share one); empty cells have none."""
    out: list[dict[str, int]] = [{} for _ in rows]
    for key in COLUMNS:
        values = [sort_value(e, key) for e in rows]
        order = {v: i for i, v in enumerate(sorted({v for v in values if v is not None}))}
        for i, value in enumerate(values):
            if value is not None:
                out[i][key] = order[value]
    return out


def ordered(row_ranks: list[dict[str, int]], key: str, descending: bool = False) -> list[int]:
    """Row positions sorted by a column: empty cells last either way, ties in stored order.
    static/register.js sorts the table by exactly this rule on the ranks in the page."""

    def sort_key(i: int) -> tuple:
        rank = row_ranks[i].get(key)
        if rank is None:
            return (1, 0, i)
        return (0, -rank if descending else rank, i)

    return sorted(range(len(row_ranks)), key=sort_key)


def _cite(ref: Ref, about: str) -> dict:
    """A citation as the template shows it and as its "Visa i Källor" button sends it."""
    return {
        "doc_id": ref.doc_id,
        "section": ref.section,
        "quote": ref.quote,
        "about": about,
        "title": ref.title or sources.UNTITLED,
        "short": sources.short_section(ref.section),
        "trail": sources.format_section(ref.section),
        "updated": ref.updated,
        "blocks": markup.blocks(ref.quote),
        "url": markup.safe_url(ref.url),
    }


def _value(name: str, value: str | list[str]) -> dict:
    """A value as text, or as a list when it is several members or partners."""
    if isinstance(value, list) and len(value) > 1:
        return {"list": [str(v) for v in value], "text": _label(name, value)}
    return {"list": None, "text": _label(name, value)}


def _column(entry: Entry, key: str) -> dict:
    """One cell of a row: its value (None when empty), citations and older differing values.

    Owner, name and type come from where the row is named (``Entry.sources``); those citations
    stand in the type cell, so that the row header (the name) stays just the name, which is
    what a screen reader repeats on every cell of the row.
    """
    label = COLUMNS[key]
    column: dict[str, Any] = {
        "key": key,
        "label": label,
        "missing": MISSING,
        "cites": [],
        "conflicts": [],
    }
    if key == "owner":
        column["value"] = _value(key, entry.owner)
    elif key == "name":
        column["value"] = _value(key, entry.name)
        column["aliases"] = ", ".join(entry.aliases)
    elif key == "type":
        column["value"] = _value(key, entry.type_label)
        several = len(entry.sources) > 1
        about = f"där {entry.name} nämns som {entry.type_label}"
        column["cites"] = [_cite(ref, about) | {"named_in": several} for ref in entry.sources]
    else:
        cell = entry.cells.get(key)
        shown = cell is not None and _label(key, cell.value).strip()
        column["value"] = _value(key, cell.value) if shown else None
        if shown:
            column["cites"] = [_cite(cell.ref, f"{label} för {entry.name}")]
        column["conflicts"] = [
            {
                "value": _value(key, c.value),
                "cite": _cite(c.ref, f"äldre uppgift om {label} för {entry.name}"),
            }
            for c in entry.conflicts
            if c.cell == key
        ]
    return column


def register_view(
    register: Register | None,
    problem: str = "",
    sort: str | None = None,
    descending: bool = False,
) -> dict:
    """What register.j2 needs: rows in stored order (or sorted by ``sort``), each with its
    ranks for the page's sorting, a problem message instead when there is no table."""
    if problem or register is None:
        return {"problem": problem or NOT_BUILT, "kind": "error" if problem else "info"}
    row_ranks = ranks(register.rows)
    positions = (
        ordered(row_ranks, sort, descending) if sort in COLUMNS else range(len(register.rows))
    )
    rows = [
        {
            "pos": i,
            "ranks": row_ranks[i],
            "columns": [_column(register.rows[i], key) for key in COLUMNS],
        }
        for i in positions
    ]
    direction = "descending" if descending else "ascending"
    return {
        "problem": "",
        "built": format_local(register.built_at),
        "columns": [
            {"key": k, "label": v, "sort": direction if k == sort else None}
            for k, v in COLUMNS.items()
        ],
        "rows": rows,
        "conflicts": sum(len(e.conflicts) for e in register.rows),
    }


def render_register(register: Register | None, problem: str = "", **sort: Any) -> str:
    return render.render_register(register_view(register, problem, **sort))


class RegisterPage:
    """The table's HTML from the stored register, read again only when it has changed."""

    def __init__(self, source: FileRegister | ServerRegister | Path) -> None:
        self.source = FileRegister(source) if isinstance(source, Path) else source
        self._lock = threading.Lock()
        self._cached: tuple[tuple | None, str] | None = None

    def html(self) -> str:
        try:
            stamp = self.source.stamp()
        except Exception as exc:  # a Chroma server that is down: shown as unreadable
            log.warning("The register at %s cannot be reached: %s", self.source.where, exc)
            return render_register(None, UNREADABLE)
        with self._lock:
            if self._cached is not None and self._cached[0] == stamp:
                return self._cached[1]
            html = self._read()
            self._cached = (stamp, html)
            return html

    def _read(self) -> str:
        try:
            register = self.source.load()
        except RegisterFileError as exc:
            # The page may be public: the server's path and the parser's words go to the log.
            log.warning("%s", exc)
            return render_register(None, UNREADABLE)
        return render_register(register)

    @staticmethod
    def citation(data: Mapping | None) -> dict | None:
        """The citation a "Visa i Källor" button sent (``trigger('select', {doc_id, section,
        quote})``), or None when it is not one (wrong types, too long, no document)."""
        if not isinstance(data, Mapping):
            return None
        out = {}
        for key, limit in MAX_REF_CHARS.items():
            value = data.get(key)
            if not isinstance(value, str) or len(value) > limit:
                return None
            out[key] = value
        return out if out["doc_id"].strip() else None
