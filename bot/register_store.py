"""The built register's shape, its Swedish labels, and where it is stored: beside the index."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from config.settings import Settings
from ingest.atomic import atomic_open

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
    with atomic_open(path, prefix=".register-", encoding="utf-8") as fh:
        fh.write(register.model_dump_json(indent=1))


def load(path: Path) -> Register | None:
    """The register stored at path; None before the first build."""
    try:
        return Register.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, ValueError) as exc:
        raise RegisterFileError(f"Registret i {path} kan inte läsas: {exc}") from exc


# -- where it is stored -------------------------------------------------------------------------
# Beside the index: a file in the data directory for the embedded store; in the Chroma server
# itself when several machines share one (POLICYBOT_CHROMA_HOST), so that a register built
# after an ingest on one machine is the one every `serve` shows.

REGISTER_ID = "register"


class FileRegister:
    """The register as a JSON file in the data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    def load(self) -> Register | None:
        return load(self.path)

    def save(self, register: Register) -> None:
        save(register, self.path)

    def stamp(self) -> tuple | None:
        """What changes when the file is rewritten (save() replaces it); None when missing."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            return ("error", str(exc))
        return (st.st_ino, st.st_mtime_ns, st.st_size)


class ServerRegister:
    """The register as one record of a small collection in the Chroma server, beside the
    index's collection. Its vector is a placeholder: no embedding function is given, so
    Chroma's default never loads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = f"{settings.collection_name}-register"
        self.where = f"{settings.chroma_host}:{settings.chroma_port}/{self.name}"
        self._client = None  # opened on first use and kept: the page asks on every view

    def _collection(self, create: bool):
        from chromadb.errors import NotFoundError

        from ingest.store import is_connection_error, make_client

        if self._client is None:
            self._client = make_client(self.settings)
        try:
            if create:
                return self._client.get_or_create_collection(self.name, embedding_function=None)
            return self._client.get_collection(self.name, embedding_function=None)
        except NotFoundError:
            return None
        except Exception as exc:
            if is_connection_error(exc):
                self._client = None  # the server went away: connect anew next time
            raise

    def load(self) -> Register | None:
        collection = self._collection(create=False)
        got = collection.get(ids=[REGISTER_ID], include=["documents"]) if collection else None
        if not got or not got["ids"]:
            return None
        try:
            return Register.model_validate_json(got["documents"][0])
        except (ValidationError, ValueError) as exc:
            raise RegisterFileError(f"Registret i {self.where} kan inte läsas: {exc}") from exc

    def save(self, register: Register) -> None:
        # One upsert: a reader sees the old register or the new one, never part of it.
        self._collection(create=True).upsert(
            ids=[REGISTER_ID],
            documents=[register.model_dump_json()],
            embeddings=[[0.0]],
            metadatas=[{"store_key": register.store_key, "built_at": register.built_at}],
        )

    def stamp(self) -> tuple | None:
        collection = self._collection(create=False)
        got = collection.get(ids=[REGISTER_ID], include=["metadatas"]) if collection else None
        if not got or not got["ids"]:
            return None
        meta = got["metadatas"][0] or {}
        return (meta.get("store_key"), meta.get("built_at"))


def register_source(settings: Settings) -> FileRegister | ServerRegister:
    """Where this deployment keeps its register."""
    if settings.chroma_host:
        return ServerRegister(settings)
    return FileRegister(register_path(settings))
