"""The vector store (Chroma, embedded or server) and the record manager for incremental indexing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from config.settings import Settings
from ingest.atomic import atomic_open


class StoreUnavailable(Exception):
    """The Chroma server cannot be reached; the message (Swedish) names host and port only."""

    def __init__(self, address: str) -> None:
        super().__init__(
            f"Kan inte nå dokumentdatabasen (Chroma-servern) på {address}. "
            "Kontrollera att den körs och försök igen."
        )
        self.address = address


def server_address(settings: Settings) -> str:
    return f"{settings.chroma_host}:{settings.chroma_port}"


def is_connection_error(exc: BaseException) -> bool:
    """A failure to talk to the Chroma server (refused, reset, timed out), not a bad request."""
    import httpx

    return isinstance(exc, httpx.TransportError)


def chroma_path(settings: Settings) -> Path:
    return settings.data_dir / "chroma"


def make_client(settings: Settings, fresh: bool = False):
    """PersistentClient under the data directory, or HttpClient when a server is configured.

    fresh: open the embedded store anew. Chroma shares one in-process system per path and
    keeps its vector index in memory, so this process would not see what another process
    (a `policybot ingest` next to `serve`) wrote; a fresh system reads it from disk.
    """
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server"
            raise StoreUnavailable(server_address(settings)) from exc
        except Exception as exc:
            if is_connection_error(exc):
                raise StoreUnavailable(server_address(settings)) from exc
            raise
    path = chroma_path(settings)
    path.mkdir(parents=True, exist_ok=True)
    if fresh:
        # Only our path's cached system is dropped; clients already holding it keep working.
        SharedSystemClient._identifier_to_system.pop(str(path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def index_status(settings: Settings) -> dict[str, Any] | None:
    """Documents, chunks and last ingest of an existing index, or None; never creates one.

    For commands that only read (``policybot status``): no folder, database or collection is
    made when there is none.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import NotFoundError

    state = read_state(settings)
    if settings.chroma_host:
        client = make_client(settings)
    else:
        if not (chroma_path(settings) / "chroma.sqlite3").is_file() or not state:
            return None
        client = chromadb.PersistentClient(
            path=str(chroma_path(settings)), settings=ChromaSettings(anonymized_telemetry=False)
        )
    try:
        collection = client.get_collection(settings.collection_name, embedding_function=None)
        got = get_all(collection, where={"level": "chunk"}, include=["metadatas"])
    except NotFoundError:
        return None
    except Exception as exc:
        if settings.chroma_host and is_connection_error(exc):
            raise StoreUnavailable(server_address(settings)) from exc
        raise
    return {
        "documents": len({m["doc_id"] for m in got["metadatas"]}),
        "chunks": len(got["ids"]),
        "last_ingest": state.get("last_ingest"),
    }


def make_vector_store(settings: Settings, embeddings: Embeddings, client=None, fresh: bool = False):
    """A LangChain Chroma store that always embeds with our provider, never Chroma's default."""
    from langchain_chroma import Chroma

    client = client or make_client(settings, fresh=fresh)
    try:
        return Chroma(
            collection_name=settings.collection_name,
            embedding_function=embeddings,
            client=client,
            collection_metadata={"hnsw:space": "cosine"},
        )
    except Exception as exc:
        if settings.chroma_host and is_connection_error(exc):
            raise StoreUnavailable(server_address(settings)) from exc
        raise


def make_record_manager(settings: Settings):
    """SQLite record manager; its namespace names the store so two stores never share records."""
    from langchain_classic.indexes import SQLRecordManager

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "local"
    manager = SQLRecordManager(
        f"chroma/{where}/{settings.collection_name}", db_url=settings.record_db_url
    )
    manager.create_schema()
    return manager


def state_path(settings: Settings) -> Path:
    return settings.data_dir / f"ingest-{settings.collection_name}.json"


def read_state(settings: Settings) -> dict[str, Any]:
    """What the last ingest recorded (time, counts, generation); empty before the first."""
    try:
        return json.loads(state_path(settings).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_state(settings: Settings, state: dict[str, Any]) -> None:
    """Atomic write: a crash never leaves a half-written state file."""
    with atomic_open(state_path(settings), prefix=".ingest-", encoding="utf-8") as fh:
        json.dump(state, fh, ensure_ascii=False, indent=2)


GENERATION_KEY = "policybot_generation"


def store_generation(collection) -> str | None:
    """The generation the last ingest wrote into the collection's metadata, if any."""
    return (collection.metadata or {}).get(GENERATION_KEY)


def set_store_generation(collection, generation: str) -> None:
    """Record the generation in the collection. Only our key is passed: Chroma refuses any
    change of the distance setting, and the collection keeps its cosine space regardless."""
    collection.modify(metadata={GENERATION_KEY: generation})


def current_generation(client, name: str) -> str | None:
    """The collection's generation as the store has it now (a fresh read, not a cached one);
    no embedding function is passed, so Chroma's default never loads."""
    from chromadb.errors import NotFoundError

    try:
        collection = client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None
    return store_generation(collection)


# SQLite limits the variables of one statement, so a large collection is read in pages.
PAGE = 5000


def get_all(collection, where: dict | None = None, include: list[str] | None = None) -> dict:
    """Every record matching where, read page by page: {"ids", "documents", "metadatas"}."""
    out: dict[str, list] = {"ids": [], "documents": [], "metadatas": []}
    offset = 0
    while True:
        got = collection.get(
            where=where, include=include or ["documents", "metadatas"], limit=PAGE, offset=offset
        )
        if not got["ids"]:
            return out
        for key in out:
            out[key].extend(got.get(key) or [])
        offset += len(got["ids"])
