"""Incremental ingestion of a corpus folder through LangChain's Indexing API."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import index

from config.settings import Settings
from ingest.chunking import to_documents
from ingest.embed_cache import cached_embeddings
from ingest.embeddings import make_embeddings
from ingest.lexical import (
    LexicalIndex,
    is_saved,
    lexical_root,
    prune,
    record_ids,
    sample_vectors,
    split_records,
)
from ingest.loaders import LoadError, discover, load_file
from ingest.lock import ingest_lock
from ingest.store import (
    StoreUnavailable,
    get_all,
    is_connection_error,
    make_record_manager,
    make_vector_store,
    read_state,
    server_address,
    set_store_generation,
    store_generation,
    write_state,
)


class CorpusError(Exception):
    """The corpus folder is missing or holds no readable file types (message in Swedish)."""


@dataclass
class IngestReport:
    files: int = 0
    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: list[LoadError] = field(default_factory=list)
    seconds: float = 0.0
    waited_s: float = 0.0  # for another ingest's lock
    embedded: int = 0  # texts the model embedded; the rest came from the cache or a duplicate
    cache_hits: int = 0

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged"
        )


def ingest(
    settings: Settings,
    corpus_dir: Path | None = None,
    embeddings: Embeddings | None = None,
    progress: bool = True,
    on_wait: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Index every readable file below corpus_dir; unchanged chunks are not re-embedded.

    Each distinct text is embedded once (ingest/embed_cache.py), by `workers` threads in
    parallel (default settings.ingest_workers).

    Full cleanup deletes chunks of documents that are gone. A file that fails to load keeps the
    chunks it had (they are passed through unchanged), so one broken file never wipes its
    document from the index. One ingest per data directory at a time: a second one waits for
    the lock (on_wait is told the lock file) and raises IngestBusy after the configured time.
    """
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"Korpusmappen finns inte: {corpus_dir.resolve()}")
    # The model loads before the lock, so the lock is held only while the store changes.
    embeddings = embeddings or make_embeddings(settings.embedding, settings)
    with ingest_lock(settings, on_wait) as waited_s:
        try:
            report = _ingest(settings, corpus_dir, embeddings, progress, workers)
        except Exception as exc:
            if settings.chroma_host and is_connection_error(exc):
                raise StoreUnavailable(server_address(settings)) from exc
            raise
    report.waited_s = waited_s
    report.seconds = time.perf_counter() - started
    return report


def _ingest(
    settings: Settings,
    corpus_dir: Path,
    embeddings: Embeddings,
    progress: bool,
    workers: int | None,
) -> IngestReport:
    files = discover(corpus_dir)
    if not files:
        raise CorpusError(
            f"Inga dokument (.md, .txt, .html, .pdf) i korpusmappen: {corpus_dir.resolve()}"
        )

    report = IngestReport(files=len(files))
    max_bytes = settings.max_file_bytes
    docs: list[Document] = []
    seen_ids: dict[str, Path] = {}
    for path in files:
        rel = str(path.relative_to(corpus_dir))
        try:
            source = load_file(path, max_bytes)
            if source.doc_id in seen_ids:
                raise LoadError(
                    path,
                    f"dokument-id {source.doc_id!r} finns redan i {seen_ids[source.doc_id]}",
                )
        except LoadError as exc:
            report.errors.append(exc)
            continue
        seen_ids[source.doc_id] = path
        for doc in to_documents(source, settings.chunk_max_chars):
            doc.metadata["path"] = rel
            docs.append(doc)

    embedder = cached_embeddings(settings, embeddings, workers or settings.ingest_workers)
    store = make_vector_store(settings, embedder)
    failed_paths = [str(e.path.relative_to(corpus_dir)) for e in report.errors]
    docs.extend(_previous_documents(store, failed_paths))
    report.documents = len({d.metadata["doc_id"] for d in docs})
    report.chunks = sum(1 for d in docs if d.metadata["level"] == "chunk")

    result = index(
        _with_progress(docs, progress),
        make_record_manager(settings),
        store,
        cleanup="full",
        source_id_key="source",
        key_encoder="sha256",
        batch_size=32,
    )
    report.added = result["num_added"]
    report.updated = result["num_updated"]
    report.deleted = result["num_deleted"]
    report.unchanged = result["num_skipped"]
    report.embedded, report.cache_hits = embedder.stats.embedded, embedder.stats.cache_hits
    embedder.prune(d.page_content for d in docs)
    embedder.close()

    previous = read_state(settings)
    changed = report.added or report.updated or report.deleted
    # Readers reload their lexical index when the generation changes. It is kept in the
    # collection too, so that readers on other machines sharing a Chroma server notice.
    generation = store_generation(store._collection) or previous.get("generation", "0")
    if changed:
        generation = uuid.uuid4().hex
    root = lexical_root(settings)
    if changed or not is_saved(root, generation):
        _lexical_index(generation, docs, store._collection).save(root)
    if store_generation(store._collection) != generation:
        set_store_generation(store._collection, generation)
    write_state(
        settings,
        {
            "last_ingest": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "documents": report.documents,
            "chunks": report.chunks,
            "corpus_dir": str(corpus_dir),
            "generation": generation,
        },
    )
    prune(root, keep=generation)
    return report


def _lexical_index(generation: str, docs: list[Document], collection) -> LexicalIndex:
    """BM25 and corpus statistics over exactly the records just written to the store."""
    chunks, units = split_records((d.page_content, d.metadata) for d in docs)
    ids = record_ids(get_all(collection, include=["metadatas"]))
    return LexicalIndex.build(generation, chunks, units, sample_vectors(collection), ids)


def _previous_documents(store, paths: list[str]) -> list[Document]:
    """The stored chunks of files that failed to load, exactly as stored."""
    if not paths:
        return []
    got = store.get(where={"path": {"$in": paths}}, include=["documents", "metadatas"])
    return [
        Document(page_content=text, metadata=meta)
        for text, meta in zip(got["documents"], got["metadatas"], strict=True)
    ]


def _with_progress(docs: list[Document], enabled: bool) -> Iterable[Document]:
    if not enabled:
        return docs
    from tqdm import tqdm

    return tqdm(docs, desc="Indexerar", unit="avsnitt")
