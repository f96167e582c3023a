"""Hybrid retrieval: dense Chroma search fused with Swedish-stemmed BM25 over the same records."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cached_property

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from bot.text import Vocabulary, index_stems, stem, tokens
from config.settings import Settings
from ingest.store import read_state
from ingest.swedish import FOOTNOTE_REF


@dataclass
class Record:
    """One stored chunk or unit, with its verbatim text separated from the section prefix."""

    id: str
    content: str
    meta: dict

    @property
    def text(self) -> str:
        return self.content[int(self.meta.get("prefix_len", 0)) :]


class CorpusSnapshot:
    """Everything in the collection, loaded once: BM25 over chunks, unit vectors, vocabulary.

    Built from the vector store's own records, so the lexical side always matches what the
    dense side searches, including after incremental updates.
    """

    def __init__(self, records: list[Record], unit_vectors: np.ndarray, generation: str) -> None:
        self.generation = generation
        self.chunks = [r for r in records if r.meta.get("level") == "chunk"]
        self.units = [r for r in records if r.meta.get("level") == "unit"]
        self.unit_vectors = unit_vectors
        self.chunk_pos = {r.meta["chunk"]: i for i, r in enumerate(self.chunks)}
        self.units_by_chunk: dict[str, list[int]] = {}
        for i, unit in enumerate(self.units):
            self.units_by_chunk.setdefault(unit.meta["chunk"], []).append(i)
        for idxs in self.units_by_chunk.values():
            idxs.sort(key=lambda i: self.units[i].meta["order"])
        # Neighbours and footnotes are looked up by document and position.
        self._unit_at = {(u.meta["doc_id"], u.meta["order"]): i for i, u in enumerate(self.units)}
        self._footnotes = {
            (u.meta["doc_id"], u.meta["footnote"]): i
            for i, u in enumerate(self.units)
            if u.meta.get("footnote")
        }
        self.vocabulary = Vocabulary(
            [r.content for r in self.chunks],
            [r.meta["doc_id"] for r in self.chunks],
            [r.text for r in self.chunks],
        )
        self.bm25 = None
        if self.chunks:
            self.bm25 = bm25s.BM25()
            self.bm25.index(
                [index_stems(r.content) or ["∅"] for r in self.chunks], show_progress=False
            )

    @classmethod
    def load(cls, collection, generation: str) -> CorpusSnapshot:
        got = collection.get(include=["documents", "metadatas", "embeddings"])
        records, vectors = [], []
        for id_, text, meta, vec in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        ):
            records.append(Record(id_, text, meta))
            if meta.get("level") == "unit":
                vectors.append(vec)
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
        return cls(records, matrix, generation)

    def next_unit(self, i: int, step: int = 1) -> Record | None:
        """The unit after (step=-1: before) units[i] in the same paragraph or list, if any."""
        meta = self.units[i].meta
        j = self._unit_at.get((meta["doc_id"], meta["order"] + step))
        if j is None or self.units[j].meta.get("block") != meta.get("block"):
            return None
        return self.units[j]

    def next_in_section(self, i: int) -> Record | None:
        """The next unit of units[i]'s section that is not page furniture, if any."""
        meta = self.units[i].meta
        order = meta["order"] + 1
        while (j := self._unit_at.get((meta["doc_id"], order))) is not None:
            unit = self.units[j]
            if unit.meta.get("section") != meta.get("section"):
                return None
            if not unit.meta.get("furniture"):
                return unit
            order += 1
        return None

    def footnote_of(self, i: int) -> Record | None:
        """The text of the first footnote units[i] refers to, if any."""
        meta = self.units[i].meta
        if not meta.get("footnote_text"):
            return None
        for label in FOOTNOTE_REF.findall(self.units[i].text):
            j = self._footnotes.get((meta["doc_id"], label))
            if j is not None:
                return self.units[j]
        return None

    @cached_property
    def unit_idf(self) -> dict[str, float]:
        """Inverse document frequency of stems over the sentence units."""
        df: dict[str, int] = {}
        for unit in self.units:
            for s in {stem(t) for t in tokens(unit.content)}:
                df[s] = df.get(s, 0) + 1
        n = max(len(self.units), 1)
        return {s: math.log(1 + n / c) for s, c in df.items()}

    def bm25_scores(self, query_stems: list[str]) -> np.ndarray:
        if self.bm25 is None or not query_stems:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(query_stems), dtype=np.float32)

    def documents(self) -> dict[str, dict]:
        """Per document: title, updated, kind, url and its chunks in order (for browsing)."""
        docs: dict[str, dict] = {}
        for rec in sorted(self.chunks, key=lambda r: (r.meta["doc_id"], r.meta["order"])):
            entry = docs.setdefault(
                rec.meta["doc_id"],
                {key: rec.meta.get(key) for key in ("title", "updated", "kind", "url")}
                | {"chunks": []},
            )
            entry["chunks"].append(rec)
        return docs


def _zscore(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    std = float(values.std())
    return (values - values.mean()) / std if std > 1e-9 else np.zeros_like(values)


class HybridRetriever(BaseRetriever):
    """Chunks ranked by dense similarity (Chroma) plus a weighted BM25 share.

    Scores are fused on z-normalised values rather than ranks: reciprocal-rank fusion measured
    worse than dense alone on this corpus, while a lighter lexical weight helps names and years.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vector_store: object
    embeddings: Embeddings
    settings: Settings
    k: int = 5
    lexical_weight: float = 0.35

    _snapshot: CorpusSnapshot | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def collection(self):
        return self.vector_store._collection

    def snapshot(self) -> CorpusSnapshot:
        """The in-memory view, reloaded when an ingest has changed the store since."""
        generation = str(read_state(self.settings).get("generation", "0"))
        count = self.collection.count()
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.generation != f"{generation}:{count}":
                snap = CorpusSnapshot.load(self.collection, f"{generation}:{count}")
                self._snapshot = snap
        return snap

    def score_chunks(
        self, query: str, snap: CorpusSnapshot | None = None, qvec: list[float] | None = None
    ) -> list[tuple[Record, float]]:
        """All chunks with fused scores, best first; qvec is the query's embedding if known."""
        snap = snap or self.snapshot()
        if not snap.chunks:
            return []
        if qvec is None:
            qvec = self.embeddings.embed_query(query)
        hits = self.collection.query(
            query_embeddings=[qvec],
            n_results=len(snap.chunks),
            where={"level": "chunk"},
            include=["metadatas", "distances"],
        )
        dense = np.full(len(snap.chunks), np.nan, dtype=np.float32)
        for meta, dist in zip(hits["metadatas"][0], hits["distances"][0], strict=True):
            pos = snap.chunk_pos.get(meta["chunk"])
            if pos is not None:
                dense[pos] = 1.0 - float(dist)
        dense = np.nan_to_num(
            dense, nan=float(np.nanmin(dense)) if np.any(~np.isnan(dense)) else 0.0
        )
        lexical = snap.bm25_scores(index_stems(query))
        fused = _zscore(dense) + self.lexical_weight * _zscore(lexical)
        order = np.argsort(-fused)
        return [(snap.chunks[i], float(fused[i])) for i in order]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        out = []
        for rec, score in self.score_chunks(query)[: self.k]:
            out.append(
                Document(page_content=rec.text, metadata={**rec.meta, "score": score, "id": rec.id})
            )
        return out
