"""Each distinct text is embedded once: duplicates in a batch are merged, known texts looked up.

The vectors live in a SQLite byte store under the data directory (one file, not one file per
text, so 100k texts stay cheap), keyed by the provider's namespace and the text's SHA-256, so
two models never share a vector. The wrapper is LangChain's CacheBackedEmbeddings with the
batch de-duplication and hit counts it lacks.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_classic.embeddings import CacheBackedEmbeddings
from langchain_classic.storage.encoder_backed import EncoderBackedStore
from langchain_core.embeddings import Embeddings
from langchain_core.stores import ByteStore, InMemoryStore

from config.settings import Settings
from ingest.embed_workers import ParallelEmbeddings

CACHE_FILE = "embedding-cache.sqlite"


class SQLiteByteStore(ByteStore):
    """A LangChain ByteStore in one SQLite file; each mset is one transaction."""

    _BATCH = 500  # keys per statement, well under SQLite's variable limit

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # timeout: another process (a second ingest, a server) may hold the write lock.
            conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB)")
            conn.commit()
            self._conn = conn
        return self._conn

    def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        found: dict[str, bytes] = {}
        with self._lock:
            for i in range(0, len(keys), self._BATCH):
                part = list(keys[i : i + self._BATCH])
                marks = ",".join("?" * len(part))
                rows = self.conn.execute(f"SELECT key, value FROM kv WHERE key IN ({marks})", part)
                found.update(rows.fetchall())
        return [found.get(k) for k in keys]

    def mset(self, key_value_pairs: Sequence[tuple[str, bytes]]) -> None:
        with self._lock, self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", key_value_pairs)

    def mdelete(self, keys: Sequence[str]) -> None:
        with self._lock, self.conn:
            self.conn.executemany("DELETE FROM kv WHERE key = ?", [(k,) for k in keys])

    def yield_keys(self, *, prefix: str | None = None) -> Iterator[str]:
        with self._lock:
            if prefix is None:
                rows = self.conn.execute("SELECT key FROM kv").fetchall()
            else:
                rows = self.conn.execute(
                    "SELECT key FROM kv WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
                ).fetchall()
        yield from (key for (key,) in rows)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass
class EmbedStats:
    """What one ingest asked for and what it cost."""

    requested: int = 0  # texts the vector store asked to embed
    unique: int = 0  # after merging duplicates within each batch
    cache_hits: int = 0  # found in the cache
    embedded: int = 0  # computed by the model


def _to_bytes(vector: Sequence[float]) -> bytes:
    # float32, as Chroma stores them: 1.5 kB for 384 dimensions instead of ~8 kB of JSON.
    return np.asarray(vector, dtype=np.float32).tobytes()


def _from_bytes(data: bytes) -> list[float]:
    return np.frombuffer(data, dtype=np.float32).tolist()


class DedupCacheEmbeddings(CacheBackedEmbeddings):
    """CacheBackedEmbeddings that also merges duplicate texts and counts what it did."""

    def __init__(self, underlying: Embeddings, byte_store: ByteStore, namespace: str) -> None:
        self.namespace = f"{namespace}:"

        def key(text: str) -> str:
            return self.namespace + hashlib.sha256(text.encode("utf-8")).hexdigest()

        self.key = key
        store = EncoderBackedStore(byte_store, key, _to_bytes, _from_bytes)
        super().__init__(underlying, store)
        self.byte_store = byte_store
        self.stats = EmbedStats()

    @property
    def name(self) -> str | None:
        return getattr(self.underlying_embeddings, "name", None)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        unique = list(dict.fromkeys(texts))
        found = self.document_embedding_store.mget(unique)
        missing = [t for t, v in zip(unique, found, strict=True) if v is None]
        computed = self.underlying_embeddings.embed_documents(missing) if missing else []
        if missing:
            self.document_embedding_store.mset(list(zip(missing, computed, strict=True)))
        vectors = {t: v for t, v in zip(unique, found, strict=True) if v is not None}
        vectors.update(zip(missing, computed, strict=True))
        self.stats.requested += len(texts)
        self.stats.unique += len(unique)
        self.stats.cache_hits += len(unique) - len(missing)
        self.stats.embedded += len(missing)
        return [vectors[t] for t in texts]

    def prune(self, keep: Iterable[str]) -> int:
        """Forget this namespace's vectors of texts not in keep (the current corpus)."""
        wanted = {self.key(t) for t in keep}
        stale = [k for k in self.byte_store.yield_keys(prefix=self.namespace) if k not in wanted]
        self.byte_store.mdelete(stale)
        return len(stale)

    def close(self) -> None:
        for part in (self.underlying_embeddings, self.byte_store):
            if hasattr(part, "close"):
                part.close()


def cached_embeddings(
    settings: Settings, embeddings: Embeddings, workers: int = 1
) -> DedupCacheEmbeddings:
    """The ingest's embedder: workers in parallel, behind the persistent per-provider cache.

    A provider without a name (a test's fake) gets an in-memory cache only, so its vectors
    can never be mistaken for a real model's.
    """
    inner = ParallelEmbeddings(embeddings, workers) if workers > 1 else embeddings
    namespace = getattr(embeddings, "cache_namespace", None) or getattr(embeddings, "name", None)
    if namespace is None:
        return DedupCacheEmbeddings(inner, InMemoryStore(), f"{type(embeddings).__name__}")
    return DedupCacheEmbeddings(inner, SQLiteByteStore(settings.data_dir / CACHE_FILE), namespace)
