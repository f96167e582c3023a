"""The record cache: each record read from the store once, within its size, never stale."""

from __future__ import annotations

import uuid

import chromadb
import numpy as np
import pytest

from bot.records import RecordCache
from tests.bot.fakes import Counting


@pytest.fixture
def store() -> Counting:
    collection = chromadb.EphemeralClient().create_collection(
        f"records-{uuid.uuid4().hex}", embedding_function=None
    )
    collection.add(
        ids=[f"r{i}" for i in range(6)],
        documents=[f"## Rubrik\n\nText {i}." for i in range(6)],
        metadatas=[{"prefix_len": 11, "order": i} for i in range(6)],
        embeddings=[[float(i), 1.0, 0.0] for i in range(6)],
    )
    return Counting(collection)


def test_a_record_is_read_once(store: Counting) -> None:
    cache = RecordCache(store, size=10)
    first = cache.get(["r1", "r2"])
    assert first["r1"][0].text == "Text 1." and first["r1"][1] is None
    again = cache.get(["r2", "r1", "r3"])
    assert store.asked == [["r1", "r2"], ["r3"]]
    assert again["r1"][0] is first["r1"][0]
    # A vector not read before is read now, with the record; then it is kept.
    with_vectors = cache.get(["r1", "r3"], vectors=True)
    assert np.allclose(with_vectors["r3"][1], [3.0, 1.0, 0.0])
    cache.get(["r1", "r3"], vectors=True)
    cache.get(["r3"])
    assert store.asked[2:] == [["r1", "r3"]]


def test_ids_the_store_lacks_are_left_out(store: Counting) -> None:
    assert list(RecordCache(store, size=10).get(["r0", "gone"])) == ["r0"]


def test_the_least_recently_used_go_first(store: Counting) -> None:
    cache = RecordCache(store, size=2)
    cache.get(["r0", "r1"])
    cache.get(["r0"])  # used again: r1 is now the oldest
    cache.get(["r2"])
    assert len(cache) == 2
    store.asked.clear()
    cache.get(["r0", "r1", "r2"])
    assert store.asked == [["r1"]]


def test_size_zero_keeps_nothing(store: Counting) -> None:
    cache = RecordCache(store, size=0)
    cache.get(["r0"])
    cache.get(["r0"])
    assert store.asked == [["r0"], ["r0"]] and len(cache) == 0


def test_a_record_without_metadata_is_not_kept() -> None:
    """An embedded store that another process is writing can return a record whose metadata
    is not there yet: it is left out now and read again next time."""

    class Half:
        calls = 0

        def get(self, ids, include):
            Half.calls += 1
            return {"ids": ["a", "b"], "documents": ["A", "B"], "metadatas": [None, {"x": 1}]}

    cache = RecordCache(Half(), size=10)
    assert list(cache.get(["a", "b"])) == ["b"]
    assert list(cache.get(["a", "b"])) == ["b"] and Half.calls == 2
