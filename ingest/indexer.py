"""Incremental ingestion of a corpus folder through LangChain's Indexing API."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import index

from config.settings import Settings
from ingest.chunking import to_documents
from ingest.embed_cache import cached_embeddings
from ingest.embeddings import make_embeddings
from ingest.loaders import LoadError, discover, load_file
from ingest.store import make_record_manager, make_vector_store, read_state, write_state


class CorpusError(Exception):
    """The corpus folder is missing or holds no readable file types."""


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
    workers: int | None = None,
) -> IngestReport:
    """Index every readable file below corpus_dir; unchanged chunks are not re-embedded.

    Each distinct text is embedded once (ingest/embed_cache.py), by `workers` threads in
    parallel (default settings.ingest_workers).

    Full cleanup deletes chunks of documents that are gone. A file that fails to load keeps the
    chunks it had (they are passed through unchanged), so one broken file never wipes its
    document from the index.
    """
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus folder not found: {corpus_dir}")
    files = discover(corpus_dir)
    if not files:
        raise CorpusError(f"No documents (.md, .txt, .html, .pdf) in corpus folder: {corpus_dir}")

    report = IngestReport(files=len(files))
    docs: list[Document] = []
    seen_ids: dict[str, Path] = {}
    for path in files:
        rel = str(path.relative_to(corpus_dir))
        try:
            source = load_file(path)
            if source.doc_id in seen_ids:
                raise LoadError(
                    path,
                    f"duplicate document id {source.doc_id!r} (also in {seen_ids[source.doc_id]})",
                )
        except LoadError as exc:
            report.errors.append(exc)
            continue
        seen_ids[source.doc_id] = path
        for doc in to_documents(source, settings.chunk_max_chars):
            doc.metadata["path"] = rel
            docs.append(doc)

    embeddings = embeddings or make_embeddings(settings.embedding, settings)
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
    report.seconds = time.perf_counter() - started

    previous = read_state(settings)
    changed = report.added or report.updated or report.deleted
    write_state(
        settings,
        {
            "last_ingest": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "documents": report.documents,
            "chunks": report.chunks,
            "corpus_dir": str(corpus_dir),
            # Readers reload their in-memory indexes (BM25) when the generation changes.
            "generation": uuid.uuid4().hex if changed else previous.get("generation", "0"),
        },
    )
    return report


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
