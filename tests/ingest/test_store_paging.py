"""Reading a whole collection goes page by page (SQLite limits one statement's variables)."""

from __future__ import annotations

import uuid

import chromadb

from ingest import store


def test_get_all_reads_every_matching_record_in_pages(monkeypatch) -> None:
    collection = chromadb.EphemeralClient().create_collection(
        f"paging-{uuid.uuid4().hex}", embedding_function=None
    )
    n = 23
    collection.add(
        ids=[f"r{i}" for i in range(n)],
        documents=[f"text {i}" for i in range(n)],
        metadatas=[{"level": "chunk" if i % 2 else "unit", "i": i} for i in range(n)],
        embeddings=[[float(i), 1.0] for i in range(n)],
    )
    monkeypatch.setattr(store, "PAGE", 4)
    got = store.get_all(collection, where={"level": "chunk"})
    assert sorted(m["i"] for m in got["metadatas"]) == list(range(1, n, 2))
    assert len(got["ids"]) == len(set(got["ids"])) == len(got["documents"]) == 11
    assert len(store.get_all(collection)["ids"]) == n
