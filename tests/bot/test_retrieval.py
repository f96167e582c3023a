"""Hybrid retrieval stays consistent with the vector store across incremental updates."""

from __future__ import annotations

from bot.retrieval import HybridRetriever
from config.settings import Settings
from ingest.embeddings import make_embeddings
from ingest.indexer import ingest
from ingest.store import make_vector_store


def _retriever(settings: Settings) -> HybridRetriever:
    emb = make_embeddings(settings.embedding)
    return HybridRetriever(
        vector_store=make_vector_store(settings, emb), embeddings=emb, settings=settings, k=3
    )


def test_bm25_side_follows_incremental_updates(small_settings: Settings) -> None:
    ingest(small_settings, progress=False)
    retriever = _retriever(small_settings)
    before = retriever.snapshot()
    assert any("Fjällrådet" in c.text for c in before.chunks)

    path = small_settings.corpus_dir / "natverk.md"
    text = path.read_text(encoding="utf-8").replace("Fjällrådet", "Havsrådet")
    path.write_text(text, encoding="utf-8")
    ingest(small_settings, progress=False)

    after = retriever.snapshot()
    assert after is not before  # reloaded because the store changed
    assert not any("Fjällrådet" in c.text for c in after.chunks)
    top = retriever.invoke("Havsrådet")
    assert "Havsrådet" in top[0].page_content
    # The lexical scores come from exactly the chunks in the store.
    stored = retriever.collection.get(where={"level": "chunk"}, include=[])["ids"]
    assert len(after.bm25_scores(["havsråd"])) == len(stored)


def test_hybrid_ranking_finds_names_and_meaning(small_settings: Settings) -> None:
    ingest(small_settings, progress=False)
    retriever = _retriever(small_settings)
    assert "Kustnätverket" in retriever.invoke("Kustnätverket medlemmar")[0].page_content
    # No word in common with the answer: the dense side finds it by meaning.
    assert (
        "klimatneutral"
        in retriever.invoke("Vilket år når Exempelby sina klimatmål?")[0].page_content
    )
