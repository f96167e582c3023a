"""The lexical index beside the vector store: BM25 over chunks plus corpus statistics, on disk."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from config.settings import Settings
from ingest.textnorm import CorpusStats, index_stems

# How many chunk vectors are kept to estimate the mean and spread of a question's dense
# similarities over the whole corpus (fusion normalises scores by them); a corpus this small
# or smaller is kept whole, so its figures are exact.
DENSE_SAMPLE = 512
# 4: soft hyphens no longer split words (ingest.swedish.FOLD), so older stems are stale.
FORMAT = 4


def lexical_root(settings: Settings) -> Path:
    # The format is in the name, so an index of an older format is simply not found (and is
    # rebuilt) rather than read.
    return settings.data_dir / f"lexical-v{FORMAT}-{settings.collection_name}"


@dataclass
class LexicalIndex:
    """BM25 over the chunks' searched texts, the keys of those chunks in BM25's order, the
    corpus statistics, and a sample of chunk vectors. Built by ingest from the same records it
    writes to the vector store; readers load it instead of every record."""

    generation: str
    chunk_keys: list[str]
    doc_ids: list[str]
    bm25: bm25s.BM25 | None
    stats: CorpusStats
    dense_sample: np.ndarray
    # Store ids per chunk key: [chunk id, unit ids...]. Fetching by id is a key lookup; a
    # metadata filter measured 160-180 ms per fetch at 100k chunks.
    record_ids: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        generation: str,
        chunks: list[dict],
        units: list[str],
        dense_sample: np.ndarray,
        record_ids: dict[str, list[str]],
    ) -> LexicalIndex:
        """chunks: {"key", "content", "text", "doc_id", "section"} each, in reading order; units:
        their sentence units' texts."""
        bm25 = None
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index([index_stems(c["content"]) or ["∅"] for c in chunks], show_progress=False)
        stats = CorpusStats.build(
            [c["content"] for c in chunks],
            [c["doc_id"] for c in chunks],
            [c["text"] for c in chunks],
            units,
            [c.get("section", "") for c in chunks],
        )
        return cls(
            generation=generation,
            chunk_keys=[c["key"] for c in chunks],
            doc_ids=sorted({c["doc_id"] for c in chunks}),
            bm25=bm25,
            stats=stats,
            dense_sample=_unit_rows(dense_sample),
            record_ids=record_ids,
        )

    @cached_property
    def position(self) -> dict[str, int]:
        """Chunk key -> its place in BM25's order (built once, not per question)."""
        return {key: i for i, key in enumerate(self.chunk_keys)}

    def scores(self, query_stems: list[str]) -> np.ndarray:
        """BM25 score of every chunk (a sparse product over the query's stems' postings)."""
        if self.bm25 is None or not query_stems:
            return np.zeros(len(self.chunk_keys), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(query_stems), dtype=np.float32)

    def dense_stats(self, qvec: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of the query's cosine similarity over the sample."""
        if self.dense_sample.size == 0:
            return 0.0, 1.0
        q = np.asarray(qvec, dtype=np.float32)
        sims = self.dense_sample @ (q / (np.linalg.norm(q) or 1.0))
        return float(sims.mean()), float(sims.std())

    def save(self, root: Path) -> Path:
        """Write to root/<generation>/ via a temporary folder, so readers never see half."""
        root.mkdir(parents=True, exist_ok=True)
        target = root / self.generation
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
        try:
            if self.bm25 is not None:
                self.bm25.save(str(tmp / "bm25"), show_progress=False)
            np.save(tmp / "dense_sample.npy", self.dense_sample)
            meta = {
                "format": FORMAT,
                "generation": self.generation,
                "chunk_keys": self.chunk_keys,
                "doc_ids": self.doc_ids,
                "stats": self.stats.to_json(),
                "record_ids": self.record_ids,
            }
            (tmp / "index.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
            if target.exists():
                shutil.rmtree(target)
            tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    @classmethod
    def load(cls, root: Path, generation: str) -> LexicalIndex | None:
        """The saved index of that generation, or None if there is none (or it is unreadable)."""
        folder = root / generation
        try:
            meta = json.loads((folder / "index.json").read_text("utf-8"))
            if meta.get("format") != FORMAT:
                return None
            bm25 = None
            if (folder / "bm25").is_dir():
                bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, mmap=False)
            sample = np.load(folder / "dense_sample.npy")
        except (OSError, ValueError, KeyError):
            return None
        return cls(
            generation=meta["generation"],
            chunk_keys=meta["chunk_keys"],
            doc_ids=meta["doc_ids"],
            bm25=bm25,
            stats=CorpusStats.from_json(meta["stats"]),
            dense_sample=sample,
            record_ids=meta.get("record_ids", {}),
        )


def is_saved(root: Path, generation: str) -> bool:
    """Whether that generation's index was saved (a cheap check, nothing is loaded)."""
    return (root / generation / "index.json").is_file()


def prune(root: Path, keep: str) -> None:
    """Delete the saved indexes of other generations (a reader may still hold one in memory)."""
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """The rows scaled to length 1 (zero rows stay zero)."""
    if not len(matrix):
        return np.zeros((0, 0), dtype=np.float32)
    m = np.asarray(matrix, dtype=np.float32).reshape(len(matrix), -1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


def build_from_collection(collection, generation: str) -> LexicalIndex:
    """The lexical index of whatever the collection holds, in pages (no vectors but a sample)."""
    from ingest.store import get_all

    got = get_all(collection)
    chunks, units = split_records(zip(got["documents"], got["metadatas"], strict=True))
    return LexicalIndex.build(
        generation, chunks, units, sample_vectors(collection), record_ids(got)
    )


def split_records(records: Iterable[tuple[str, dict]]) -> tuple[list[dict], list[str]]:
    """The rows LexicalIndex.build wants from stored (content, metadata) records: the chunks
    in reading order within each document, and the units' texts."""
    chunks: list[dict] = []
    units: list[str] = []
    for content, meta in records:
        if meta.get("level") == "chunk":
            chunks.append(
                {
                    "key": meta["chunk"],
                    "content": content,
                    "text": content[int(meta.get("prefix_len", 0)) :],
                    "doc_id": meta["doc_id"],
                    "order": meta.get("order", 0),
                    "section": meta.get("section", ""),
                }
            )
        elif meta.get("level") == "unit":
            units.append(content)
    chunks.sort(key=lambda c: (c["doc_id"], c["order"]))
    return chunks, units


def record_ids(got: dict) -> dict[str, list[str]]:
    """Per chunk key, the store ids of the chunk and then of its units, in order."""
    chunk_id: dict[str, str] = {}
    units: dict[str, list[tuple[int, str]]] = {}
    for id_, meta in zip(got["ids"], got["metadatas"], strict=True):
        if meta.get("level") == "chunk":
            chunk_id[meta["chunk"]] = id_
        elif meta.get("level") == "unit":
            units.setdefault(meta["chunk"], []).append((int(meta.get("order", 0)), id_))
    return {
        key: [cid] + [u for _, u in sorted(units.get(key, []))] for key, cid in chunk_id.items()
    }


def sample_vectors(collection, n: int = DENSE_SAMPLE) -> np.ndarray:
    """Up to n chunk vectors from the store (all of them in a small corpus)."""
    got = collection.get(where={"level": "chunk"}, limit=n, include=["embeddings"])
    vectors = got.get("embeddings")
    if vectors is None or len(vectors) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    return np.asarray(vectors, dtype=np.float32)
