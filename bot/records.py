"""Stored chunks and units as answering reads them, fetched by id through a bounded cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass
class Record:
    """One stored chunk or unit, with its verbatim text separated from the section prefix."""

    id: str
    content: str
    meta: dict

    @property
    def text(self) -> str:
        return self.content[int(self.meta.get("prefix_len", 0)) :]


class RecordCache:
    """Records by store id, least recently used dropped beyond `size`; 0 keeps none.

    Returning a record's text or metadata costs the embedded Chroma about 0.13 ms a record
    (150 units by id: 25 ms, against 3 ms for their ids alone), and a question reads 150-250
    of them. Ids are the Indexing API's hashes of content and metadata, so an id always names
    the same record; the cache belongs to one generation of the index all the same, so that a
    question never sees a record an ingest has since removed.
    """

    def __init__(self, collection, size: int) -> None:
        self.collection = collection
        self.size = size
        self._items: OrderedDict[str, tuple[Record, np.ndarray | None]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        """Forget every record (benchmarks time the store, not the cache)."""
        with self._lock:
            self._items.clear()

    def get(
        self, ids: Iterable[str], vectors: bool = False
    ) -> dict[str, tuple[Record, np.ndarray | None]]:
        """{id: (record, vector or None)} for the ids the store has, vectors if asked.

        A record whose metadata is not there yet (an embedded store another process is
        writing) is left out and not kept, so the next question reads it again.
        """
        ids = list(dict.fromkeys(ids))
        found: dict[str, tuple[Record, np.ndarray | None]] = {}
        with self._lock:
            for id_ in ids:
                item = self._items.get(id_)
                if item is not None and (item[1] is not None or not vectors):
                    self._items.move_to_end(id_)
                    found[id_] = item
        missing = [i for i in ids if i not in found]
        if missing:
            found |= self._fetch(missing, vectors)
        return found

    def _fetch(self, ids: list[str], vectors: bool) -> dict[str, tuple[Record, np.ndarray | None]]:
        include = ["documents", "metadatas"] + (["embeddings"] if vectors else [])
        got = self.collection.get(ids=ids, include=include)
        matrix = None
        if vectors and len(got["ids"]):
            matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
        out: dict[str, tuple[Record, np.ndarray | None]] = {}
        for n, (id_, text, meta) in enumerate(
            zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ):
            if meta is None:
                continue
            # A copy, so an evicted record frees its vector even while others of its read stay.
            vector = None if matrix is None else matrix[n].copy()
            out[id_] = (Record(id_, text, meta), vector)
        if self.size > 0:
            with self._lock:
                for id_, item in out.items():
                    self._items[id_] = item
                    self._items.move_to_end(id_)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return out
