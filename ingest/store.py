"""The vector store (Chroma, embedded or server) and the record manager for incremental indexing."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from config.settings import Settings


def make_client(settings: Settings):
    """PersistentClient under the data directory, or HttpClient when a server is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def make_vector_store(settings: Settings, embeddings: Embeddings, client=None):
    """A LangChain Chroma store that always embeds with our provider, never Chroma's default."""
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=settings.collection_name,
        embedding_function=embeddings,
        client=client or make_client(settings),
        collection_metadata={"hnsw:space": "cosine"},
    )


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
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ingest-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(state, fh, ensure_ascii=False, indent=2)
    os.replace(tmp, path)


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
