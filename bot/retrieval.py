"""Hybrid retrieval: dense Chroma search fused with Swedish-stemmed BM25 over the same records."""

from __future__ import annotations

import contextlib
import threading
from functools import cached_property
from typing import NamedTuple

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from bot.records import Record, RecordCache
from bot.site import own_name_words, owner_words
from bot.text import Vocabulary, index_stems, is_english
from config.settings import Settings
from ingest.chunking import SECTION_SEPARATOR
from ingest.lexical import LexicalIndex, build_from_collection, lexical_root
from ingest.store import current_generation, get_all, read_state
from ingest.swedish import FOOTNOTE_REF


class UnitView:
    """The units of some chunks and their neighbours, with vectors: what one question needs.

    Fetched from the store by chunk, so no process holds every unit or its vector.
    """

    def __init__(self, units: list[Record], vectors: np.ndarray) -> None:
        self.units = units
        self.unit_vectors = vectors
        self.units_by_chunk: dict[str, list[int]] = {}
        for i, unit in enumerate(units):
            self.units_by_chunk.setdefault(unit.meta["chunk"], []).append(i)
        for idxs in self.units_by_chunk.values():
            idxs.sort(key=lambda i: self.units[i].meta["order"])
        # Neighbours and footnotes are looked up by document and position.
        self._unit_at = {(u.meta["doc_id"], u.meta["order"]): i for i, u in enumerate(units)}
        self._footnotes = {
            (u.meta["doc_id"], u.meta["footnote"]): i
            for i, u in enumerate(units)
            if u.meta.get("footnote")
        }

    def next_unit(self, i: int) -> Record | None:
        """The unit after units[i] in the same paragraph or list, if any."""
        meta = self.units[i].meta
        j = self._unit_at.get((meta["doc_id"], meta["order"] + 1))
        if j is None or self.units[j].meta.get("block") != meta.get("block"):
            return None
        return self.units[j]

    def next_in_section(self, i: int, step: int = 1) -> Record | None:
        """The next (step=-1: previous) unit of units[i]'s section that is not page furniture."""
        meta = self.units[i].meta
        order = meta["order"] + step
        while (j := self._unit_at.get((meta["doc_id"], order))) is not None:
            unit = self.units[j]
            if unit.meta.get("section") != meta.get("section"):
                return None
            if not unit.meta.get("furniture"):
                return unit
            order += step
        return None

    def first_below(self, i: int) -> Record | None:
        """The unit right after units[i] when it opens a sub-section of units[i]'s section: what
        a lead-in ending in a colon introduces when a heading comes between them."""
        meta = self.units[i].meta
        j = self._unit_at.get((meta["doc_id"], meta["order"] + 1))
        if j is None:
            return None
        own, below = meta.get("section") or "", self.units[j].meta.get("section") or ""
        return self.units[j] if below.startswith(own + SECTION_SEPARATOR) else None

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


def _neighbour_keys(key: str) -> list[str]:
    """A chunk key and the keys of the chunks before and after it ("doc#3": doc#2, doc#4)."""
    doc, _, number = key.rpartition("#")
    if not number.isdigit():
        return [key]
    n = int(number)
    return [key] + [f"{doc}#{m}" for m in (n - 1, n + 1) if m >= 0]


class CorpusSnapshot:
    """One generation of the index as answering sees it.

    The lexical index (BM25, corpus statistics) is in memory; chunks, units and vectors stay
    in the vector store and are fetched per question for the candidates only, through a
    bounded cache (`records`), so memory and start-up do not grow with the corpus beyond the
    lexical index and the cache's size.
    """

    def __init__(
        self,
        collection,
        lexical: LexicalIndex,
        generation: str,
        owner: frozenset[str] = frozenset(),
        own_name: frozenset[str] = frozenset(),
        cache_size: int = 0,
    ) -> None:
        self.collection = collection
        self.lexical = lexical
        self.generation = generation
        self.vocabulary = Vocabulary(stats=lexical.stats, owner=owner, own_name=own_name)
        self.records = RecordCache(collection, cache_size)
        self._documents: dict[str, dict] | None = None

    @property
    def chunk_count(self) -> int:
        return len(self.lexical.chunk_keys)

    @property
    def doc_ids(self) -> list[str]:
        return self.lexical.doc_ids

    @cached_property
    def unit_idf(self) -> dict[str, float]:
        """Inverse document frequency of stems over the sentence units."""
        return self.lexical.stats.idf()

    def bm25_scores(self, query_stems: list[str]) -> np.ndarray:
        """BM25 scores of all chunks, in the order of lexical.chunk_keys."""
        return self.lexical.scores(query_stems)

    @cached_property
    def unit_ids(self) -> frozenset[str]:
        """The store ids of the units (a nearest-records query that ignores level returns them
        among the chunks)."""
        return frozenset(u for ids in self.lexical.record_ids.values() for u in ids[1:])

    def chunks(self, keys: list[str], vectors: bool = False) -> tuple[list[Record], np.ndarray]:
        """The chunk records with these keys (in the order given), and their vectors if asked."""
        ids = self.lexical.record_ids
        wanted = [ids[k][0] for k in keys if k in ids]
        return self._in_order(wanted, vectors)

    def _in_order(self, ids: list[str], vectors: bool) -> tuple[list[Record], np.ndarray]:
        """The records with these ids that the store has, in the order given, and their vectors
        if asked."""
        found = self.records.get(ids, vectors=vectors)
        items = [found[i] for i in dict.fromkeys(ids) if i in found]
        if not items or not vectors:
            return [r for r, _ in items], np.zeros((0, 0), dtype=np.float32)
        return [r for r, _ in items], np.vstack([v for _, v in items])

    def units_for(self, chunk_keys: list[str]) -> UnitView:
        """The units of these chunks and of the chunks on either side (their neighbours), plus
        the footnotes they refer to, with their vectors."""
        keys = list(dict.fromkeys(k for key in chunk_keys for k in _neighbour_keys(key)))
        ids = self.lexical.record_ids
        records, vectors = self._in_order([u for k in keys for u in ids.get(k, [])[1:]], True)
        wanted: dict[str, set[str]] = {}
        for rec in records:
            if rec.meta.get("footnote_text"):
                wanted.setdefault(rec.meta["doc_id"], set()).update(FOOTNOTE_REF.findall(rec.text))
        have = {(r.meta["doc_id"], r.meta.get("footnote")) for r in records}
        for doc_id, labels in wanted.items():
            labels = sorted(label for label in labels if (doc_id, label) not in have)
            if labels:
                more, more_vectors = self._units(
                    {"$and": [{"doc_id": doc_id}, {"footnote": {"$in": labels}}]}
                )
                if more:
                    vectors = np.vstack([vectors, more_vectors]) if records else more_vectors
                    records += more
        return UnitView(records, vectors)

    def _units(self, where: dict) -> tuple[list[Record], np.ndarray]:
        got = self.collection.get(
            where={"$and": [{"level": "unit"}, where]},
            include=["documents", "metadatas", "embeddings"],
        )
        return self._records(got)

    @staticmethod
    def _records(got: dict) -> tuple[list[Record], np.ndarray]:
        records = [
            Record(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        if not records:  # e.g. a footnote the document refers to but never defines
            return [], np.zeros((0, 0), dtype=np.float32)
        return records, np.asarray(got["embeddings"], dtype=np.float32).reshape(len(records), -1)

    def documents(self) -> dict[str, dict]:
        """Per document: title, updated, kind, url and its chunks in order (for browsing).

        Loaded from the store on first use (staff browsing), not at start-up.
        """
        if self._documents is None:
            got = get_all(self.collection, where={"level": "chunk"})
            records = [
                Record(i, t, m)
                for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]
            docs: dict[str, dict] = {}
            for rec in sorted(records, key=lambda r: (r.meta["doc_id"], r.meta["order"])):
                entry = docs.setdefault(
                    rec.meta["doc_id"],
                    {key: rec.meta.get(key) for key in ("title", "updated", "kind", "url")}
                    | {"chunks": []},
                )
                entry["chunks"].append(rec)
            self._documents = docs
        return self._documents


class StoreState(NamedTuple):
    generation: str
    count: int

    @property
    def key(self) -> str:
        """Changes whenever an ingest anywhere has changed the store."""
        return f"{self.generation}:{self.count}"


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
    lexical_weight_english: float = 0.35

    depth: int = 50  # how many chunks each side (dense, lexical) proposes
    unfiltered_above: int = 5000  # chunks; see _dense_hits
    overfetch: int = 6  # nearest records asked for per chunk wanted, when unfiltered

    _snapshot: CorpusSnapshot | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def collection(self):
        return self.vector_store._collection

    def store_state(self) -> StoreState:
        """The store's generation (from the collection, else the ingest state) and count."""
        generation = current_generation(
            self.vector_store._client, self.settings.collection_name
        ) or str(read_state(self.settings).get("generation", "0"))
        return StoreState(generation, self.collection.count())

    def snapshot(self, state: StoreState | None = None) -> CorpusSnapshot:
        """The current generation's view, reloaded when an ingest has changed the store; state
        is the store's state if the caller has just read it."""
        generation, count = state = state or self.store_state()
        key = state.key
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.generation != key:
                root = lexical_root(self.settings)
                lexical = LexicalIndex.load(root, generation)
                if lexical is None or (count and not lexical.chunk_keys):
                    # A store written by another version, or by another machine's ingest.
                    lexical = build_from_collection(self.collection, generation)
                    with contextlib.suppress(OSError):  # read-only data dir: keep it in memory
                        lexical.save(root)
                snap = CorpusSnapshot(
                    self.collection,
                    lexical,
                    key,
                    owner_words(self.settings),
                    own_name_words(self.settings),
                    cache_size=self.settings.record_cache,
                )
                self._snapshot = snap
        return snap

    def score_chunks(
        self,
        query: str,
        snap: CorpusSnapshot | None = None,
        qvec: list[float] | None = None,
        parts: dict[str, tuple[float, float]] | None = None,
        english: bool = False,
    ) -> list[tuple[Record, float]]:
        """The best chunks with fused scores, best first; qvec is the query's embedding if known.
        parts, when given, receives each chunk's (dense cosine, BM25 score) by chunk key. An
        English question (english=True) takes BM25 at lexical_weight_english.

        Dense top-k comes from the store's vector index and lexical top-k from BM25; their union
        is scored on both sides. Each side is normalised by its mean and spread over the whole
        corpus (BM25 exactly, dense estimated on a sample of chunk vectors), so a chunk's score
        does not depend on which other chunks were proposed.
        """
        snap = snap or self.snapshot()
        if not snap.chunk_count:
            return []
        if qvec is None:
            qvec = self.embeddings.embed_query(query)
        q = np.asarray(qvec, dtype=np.float32)
        depth = min(self.depth, snap.chunk_count)
        records: dict[str, Record] = {}
        dense: dict[str, float] = {}
        for rec, dist in self._dense_hits(q, depth, snap):
            records[rec.meta["chunk"]] = rec
            dense[rec.meta["chunk"]] = 1.0 - float(dist)
        lexical = snap.bm25_scores(index_stems(query))
        top = (
            np.argpartition(-lexical, depth - 1)[:depth]
            if depth < lexical.size
            else range(lexical.size)
        )
        lex_of = {snap.lexical.chunk_keys[i]: float(lexical[i]) for i in top}
        missing = [k for k in lex_of if k not in records]
        if missing:
            extra, vectors = snap.chunks(missing, vectors=True)
            norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(q) or 1.0)
            sims = (vectors @ q) / np.where(norms > 0, norms, 1.0)
            for rec, sim in zip(extra, sims, strict=True):
                records[rec.meta["chunk"]] = rec
                dense[rec.meta["chunk"]] = float(sim)
        if len(lex_of) < len(records):
            # Dense hits beyond BM25's top-k: look up their lexical scores too.
            position = snap.lexical.position
            for k in records:
                if k not in lex_of and k in position:
                    lex_of[k] = float(lexical[position[k]])
        d_mean, d_std = snap.lexical.dense_stats(q)
        l_mean, l_std = float(lexical.mean()), float(lexical.std())
        weight = self.lexical_weight_english if english else self.lexical_weight
        fused = {
            k: (dense[k] - d_mean) / (d_std if d_std > 1e-9 else 1.0)
            + weight * ((lex_of.get(k, 0.0) - l_mean) / l_std if l_std > 1e-9 else 0.0)
            for k in records
        }
        if parts is not None:
            parts.update({k: (dense[k], lex_of.get(k, 0.0)) for k in records})
        return sorted(((records[k], v) for k, v in fused.items()), key=lambda kv: -kv[1])

    def _dense_hits(self, q: np.ndarray, depth: int, snap: CorpusSnapshot) -> list[tuple]:
        """The depth nearest chunks: (record, distance), nearest first.

        Chroma's query with a metadata filter (level = chunk) measured 420 ms at 100k chunks
        against 10 ms without one, so a large store is asked for more nearest records of any
        level and the units among them are dropped; the filtered query is the fallback when
        too few chunks came back, and the only one on a small store, where it is fast. The
        query returns ids and distances only: the records come through the snapshot's cache.
        """
        if snap.chunk_count > self.unfiltered_above:
            got = self.collection.query(
                query_embeddings=[q], n_results=depth * self.overfetch, include=["distances"]
            )
            # Units are known by the lexical index; an id it does not know (an ingest under
            # way in another process) is read, and kept if it is a chunk.
            units = snap.unit_ids
            hits = [
                hit
                for hit in self._read_hits(got, snap, skip=units)
                if hit[0].meta.get("level") == "chunk"
            ]
            if len(hits) >= depth:
                return hits[:depth]
        got = self.collection.query(
            query_embeddings=[q], n_results=depth, where={"level": "chunk"}, include=["distances"]
        )
        return self._read_hits(got, snap)

    @staticmethod
    def _read_hits(got: dict, snap: CorpusSnapshot, skip: frozenset[str] = frozenset()) -> list:
        """The query's hits as (record, distance), in its order. An embedded store that another
        process is writing can return a record whose metadata is not there yet: it is left
        out, and the next question, on a reopened store, sees it whole."""
        pairs = list(zip(got["ids"][0], got["distances"][0], strict=True))
        found = snap.records.get(i for i, _ in pairs if i not in skip)
        return [(found[i][0], d) for i, d in pairs if i in found]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        out = []
        for rec, score in self.score_chunks(query, english=is_english(query))[: self.k]:
            out.append(
                Document(page_content=rec.text, metadata={**rec.meta, "score": score, "id": rec.id})
            )
        return out
