"""The built register's shape, its Swedish labels, and its file beside the index."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from config.settings import Settings

CellName = Literal["since", "status", "purpose", "members", "role"]
TieType = Literal["organisation", "network", "twin town", "agreement", "partnership"]
Status = Literal["active", "dormant", "ended"]

# Column order and the Swedish words a resident or staff member sees.
COLUMNS: dict[str, str] = {
    "owner": "Vems",
    "name": "Namn",
    "type": "Typ",
    "since": "Sedan",
    "status": "Status",
    "purpose": "Syfte",
    "members": "Medlemmar och parter",
    "role": "Roll",
}
CELLS: tuple[CellName, ...] = ("since", "status", "purpose", "members", "role")
TYPE_LABELS: dict[str, str] = {
    "organisation": "organisation",
    "network": "nätverk",
    "twin town": "vänort",
    "agreement": "avtal",
    "partnership": "partnerskap",
}
STATUS_LABELS: dict[str, str] = {"active": "aktiv", "dormant": "vilande", "ended": "avslutad"}


class Ref(BaseModel):
    """Where a value stands: the document, its heading trail, its date and the verbatim quote."""

    doc_id: str
    title: str
    section: str
    updated: str
    quote: str
    url: str | None = None


class Cell(BaseModel):
    value: str | list[str]
    ref: Ref

    def label(self, name: str) -> str:
        """The value as shown: Swedish words for a status, a list joined with commas."""
        if name == "status" and isinstance(self.value, str):
            return STATUS_LABELS.get(self.value, self.value)
        return ", ".join(self.value) if isinstance(self.value, list) else self.value


class Conflict(BaseModel):
    """An older document's differing value for a cell; the row keeps the newer one."""

    cell: CellName
    value: str | list[str]
    ref: Ref


class Entry(BaseModel):
    """One membership, network, partnership, agreement or twin town, every cell cited."""

    owner: str
    name: str
    aliases: list[str] = []
    type: TieType
    sources: list[Ref]
    cells: dict[CellName, Cell] = {}
    conflicts: list[Conflict] = []

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


class Register(BaseModel):
    built_at: str  # ISO 8601, UTC
    store_key: str  # the index generation it was built from (the ingest state's "generation")
    rows: list[Entry]


class RegisterFileError(ValueError):
    """The stored register cannot be read; the message names the file (Swedish)."""


def register_path(settings: Settings) -> Path:
    return settings.data_dir / f"register-{settings.collection_name}.json"


def save(register: Register, path: Path) -> None:
    """Atomic write: a crash never leaves a half-written register for the web page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".register-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(register.model_dump_json(indent=1))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> Register | None:
    """The register stored at path; None before the first build."""
    try:
        return Register.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, ValueError) as exc:
        raise RegisterFileError(f"Registret i {path} kan inte läsas: {exc}") from exc
