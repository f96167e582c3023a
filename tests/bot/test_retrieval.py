"""Hybrid retrieval stays consistent with the vector store across incremental updates."""

from __future__ import annotations

import shutil

from bot.retrieval import HybridRetriever
from config.settings import Settings
from ingest.embeddings import make_embeddings
from ingest.indexer import ingest
from ingest.lexical import lexical_root
from ingest.store import make_vector_store
from tests.bot.fakes import Counting


def _retriever(settings: Settings) -> HybridRetriever:
    emb = make_embeddings(settings.embedding)
    return HybridRetriever(
        vector_store=make_vector_store(settings, emb), embeddings=emb, settings=settings, k=3
    )


def test_bm25_side_follows_incremental_updates(small_settings: Settings) -> None:
    ingest(small_settings, progress=False)
    retriever = _retriever(small_settings)
    before = retriever.snapshot()
    assert any("Fjällrådet" in c.text for c in before.chunks(before.lexical.chunk_keys)[0])

    path = small_settings.corpus_dir / "natverk.md"
    text = path.read_text(encoding="utf-8").replace("Fjällrådet", "Havsrådet")
    path.write_text(text, encoding="utf-8")
    ingest(small_settings, progress=False)

    after = retriever.snapshot()
    assert after is not before  # reloaded because the store changed
    assert not any("Fjällrådet" in c.text for c in after.chunks(after.lexical.chunk_keys)[0])
    top = retriever.invoke("Havsrådet")
    assert "Havsrådet" in top[0].page_content
    # The lexical scores come from exactly the chunks in the store.
    stored = retriever.collection.get(where={"level": "chunk"}, include=[])["ids"]
    assert len(after.bm25_scores(["havsråd"])) == len(stored)
    # A new process loads the saved lexical index: the same chunks, no rebuild from the store.
    fresh = _retriever(small_settings).snapshot()
    assert fresh.lexical.chunk_keys == after.lexical.chunk_keys
    assert fresh.vocabulary.has("havsrådet") and not fresh.vocabulary.has("fjällrådet")


def test_lexical_index_is_rebuilt_from_the_store_when_missing(small_settings: Settings) -> None:
    """A data directory without a saved lexical index (an older version, or another machine's
    ingest into a shared Chroma server) gets one built from the store's records."""
    ingest(small_settings, progress=False)
    saved = _retriever(small_settings).snapshot().lexical
    shutil.rmtree(lexical_root(small_settings))
    rebuilt = _retriever(small_settings).snapshot().lexical
    assert sorted(rebuilt.chunk_keys) == sorted(saved.chunk_keys)
    assert rebuilt.stats.unit_df == saved.stats.unit_df
    assert rebuilt.stats.doc_subjects == saved.stats.doc_subjects
    assert (lexical_root(small_settings) / rebuilt.generation / "index.json").is_file()


def test_only_candidate_chunks_are_fetched(small_settings: Settings) -> None:
    """Retrieval returns the union of the dense and BM25 top-k, not every chunk."""
    ingest(small_settings, progress=False)
    retriever = _retriever(small_settings)
    retriever.depth = 2
    snap = retriever.snapshot()
    scored = retriever.score_chunks("Kustnätverket medlemmar", snap=snap)
    assert 2 <= len(scored) <= 4 < snap.chunk_count
    assert [s for _, s in scored] == sorted((s for _, s in scored), reverse=True)


def test_hybrid_ranking_finds_names_and_meaning(small_settings: Settings) -> None:
    ingest(small_settings, progress=False)
    retriever = _retriever(small_settings)
    assert "Kustnätverket" in retriever.invoke("Kustnätverket medlemmar")[0].page_content
    # No word in common with the answer: the dense side finds it by meaning.
    assert (
        "klimatneutral"
        in retriever.invoke("Vilket år når Exempelby sina klimatmål?")[0].page_content
    )


def test_an_english_question_takes_bm25_at_its_own_weight(small_settings: Settings) -> None:
    """Swedish-stemmed BM25 sees little of an English question but stray words: at
    lexical_weight_english 0 its chunks are scored by meaning alone, a Swedish one's are not."""
    ingest(small_settings, progress=False)
    retriever = _retriever(small_settings)
    retriever.lexical_weight_english = 0.0
    snap = retriever.snapshot()
    parts: dict[str, tuple[float, float]] = {}

    def slopes(scored: list) -> list[float]:
        """Each chunk's score gap to the best one, per unit of dense similarity gap."""
        (best, top), rest = scored[0], scored[1:]
        dense = parts[best.meta["chunk"]][0]
        return [(top - s) / (dense - parts[r.meta["chunk"]][0]) for r, s in rest]

    query = "Kustnätverket medlemmar"
    english = slopes(retriever.score_chunks(query, snap=snap, parts=parts, english=True))
    assert max(english) - min(english) < 1e-3 * max(english)  # a linear function of dense
    swedish = slopes(retriever.score_chunks(query, snap=snap, parts=parts))
    assert max(swedish) - min(swedish) > 0.1 * max(swedish)  # BM25 moves it


def test_retrieve_ranks_as_the_chain_does(real_bot) -> None:
    """The tools that run the answerer outside the chain (explain, fitting) see the chunks and
    the answer the chain produces for the same question."""
    from bot.chain import retrieve

    question = "Vilka vänorter har Luleå?"
    snap = real_bot.snapshot()
    found = retrieve(real_bot.retriever, question, [], snap)
    assert found.info.kind == "list" and len(found.qvec) == 384
    answer = real_bot.extractive.answer(found.info, found.chunks, found.qvec, snap)
    asked = real_bot.ask(question)
    assert answer.answer == asked.answer and not asked.abstained
    assert [r.text for r, _ in found.chunks[:5]] == [r["text"] for r in asked.retrieved[:5]]


def _ranked(retriever: HybridRetriever, query: str) -> list[tuple[str, float]]:
    return [(r.id, round(s, 6)) for r, s in retriever.score_chunks(query)]


def test_records_are_read_from_the_store_once(small_settings: Settings) -> None:
    """A question's chunks and units come from the store the first time and from memory after,
    ranked and read exactly as without the cache."""
    ingest(small_settings, progress=False)
    retriever = _retriever(small_settings)
    snap = retriever.snapshot()
    store = snap.records.collection = Counting(snap.records.collection)
    query = "Kustnätverket medlemmar"
    first = _ranked(retriever, query)
    keys = [r.meta["chunk"] for r, _ in retriever.score_chunks(query)[:3]]
    units = snap.units_for(keys).units
    assert store.asked and sum(map(len, store.asked)) == len(snap.records)
    store.asked.clear()
    assert _ranked(retriever, query) == first
    assert [u.id for u in snap.units_for(keys).units] == [u.id for u in units]
    assert store.asked == []

    uncached = _retriever(small_settings.model_copy(update={"record_cache": 0}))
    assert _ranked(uncached, query) == first
    assert len(uncached.snapshot().records) == 0
    assert [u.text for u in uncached.snapshot().units_for(keys).units] == [u.text for u in units]


def test_a_large_store_is_queried_without_a_filter_to_the_same_chunks(
    small_settings: Settings,
) -> None:
    """Above unfiltered_above chunks the nearest records of any level are asked for and the
    units among them dropped: the same chunks as the filtered query, when enough came back."""
    ingest(small_settings, progress=False)
    filtered = _retriever(small_settings)
    unfiltered = _retriever(small_settings)
    unfiltered.unfiltered_above = 0
    for query in ("Kustnätverket medlemmar", "Vilket år når Exempelby sina klimatmål?"):
        assert _ranked(unfiltered, query) == _ranked(filtered, query)


def test_a_question_reads_the_stores_state_once(real_bot, monkeypatch) -> None:
    """The service reads the store's generation and count to follow other processes' ingests;
    the question's snapshot takes that reading instead of asking the store again."""
    reads: list[int] = []
    read = HybridRetriever.store_state

    def counted(self):
        reads.append(1)
        return read(self)

    monkeypatch.setattr(HybridRetriever, "store_state", counted)
    answer = real_bot.ask("Vilka vänorter har Luleå?")
    assert not answer.abstained and len(reads) == 1
    list(real_bot.ask_stream("Vilka vänorter har Luleå?"))
    assert len(reads) == 2
