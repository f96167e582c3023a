"""Each distinct text is embedded once: batch de-duplication, the persistent cache, pruning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.cli import main
from config.settings import Settings
from ingest.embed_cache import CACHE_FILE, DedupCacheEmbeddings, SQLiteByteStore
from ingest.embeddings import make_embeddings
from ingest.indexer import ingest
from ingest.store import make_vector_store


class CountingEmbeddings(Embeddings):
    """Records every text it is asked to embed; the vector encodes the text's length."""

    def __init__(self, name: str = "counting") -> None:
        self.name = name
        self.seen: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.seen += texts
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float(len(text)), 0.0]


def test_duplicates_in_a_batch_are_embedded_once(tmp_path: Path) -> None:
    inner = CountingEmbeddings()
    emb = DedupCacheEmbeddings(inner, SQLiteByteStore(tmp_path / "c.sqlite"), "counting")
    got = emb.embed_documents(["a", "bb", "a", "a", "ccc"])
    assert got == [[1.0, 1.0], [2.0, 1.0], [1.0, 1.0], [1.0, 1.0], [3.0, 1.0]]
    assert inner.seen == ["a", "bb", "ccc"]
    assert (emb.stats.requested, emb.stats.unique, emb.stats.embedded) == (5, 3, 3)


def test_cache_persists_and_is_per_provider(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    first = CountingEmbeddings("model-a")
    DedupCacheEmbeddings(first, SQLiteByteStore(path), "model-a").embed_documents(["x", "yy"])
    again = CountingEmbeddings("model-a")
    cached = DedupCacheEmbeddings(again, SQLiteByteStore(path), "model-a")
    assert cached.embed_documents(["yy", "zzz"]) == [[2.0, 1.0], [3.0, 1.0]]
    assert again.seen == ["zzz"] and cached.stats.cache_hits == 1
    other = CountingEmbeddings("model-b")  # another model never gets model-a's vectors
    DedupCacheEmbeddings(other, SQLiteByteStore(path), "model-b").embed_documents(["x"])
    assert other.seen == ["x"]


def test_prune_forgets_texts_no_longer_in_the_corpus(tmp_path: Path) -> None:
    store = SQLiteByteStore(tmp_path / "c.sqlite")
    emb = DedupCacheEmbeddings(CountingEmbeddings(), store, "counting")
    emb.embed_documents(["kept", "gone"])
    other = DedupCacheEmbeddings(CountingEmbeddings("other"), store, "other")
    other.embed_documents(["gone"])
    assert emb.prune(["kept"]) == 1
    assert len(list(store.yield_keys(prefix="counting:"))) == 1
    assert len(list(store.yield_keys(prefix="other:"))) == 1  # other providers keep theirs


def test_rebuilt_index_takes_every_vector_from_the_cache(small_settings: Settings) -> None:
    first = ingest(small_settings, progress=False)
    emb = make_embeddings(small_settings.embedding, small_settings)
    stored = make_vector_store(small_settings, emb).get(include=["documents"])["documents"]
    assert len(stored) == first.added
    assert first.embedded == len(set(stored)) and first.cache_hits == 0
    # A new, empty collection in the same data folder: everything is added again.
    rebuilt = small_settings.model_copy(update={"collection": "ny"})
    again = ingest(rebuilt, progress=False)
    assert again.added == first.added
    assert again.embedded == 0 and again.cache_hits == len(set(stored))
    # and the vectors are the model's own
    got = make_vector_store(rebuilt, emb).get(
        where={"level": "unit"}, include=["documents", "embeddings"], limit=3
    )
    fresh = np.array(emb.embed_documents(got["documents"]))
    assert np.abs(np.array(got["embeddings"]) - fresh).max() < 1e-5


def test_edit_early_in_a_document_embeds_only_the_new_text(small_settings: Settings) -> None:
    """Every later chunk's span moves, so the record manager re-adds them; the cache knows them."""
    ingest(small_settings, progress=False)
    path = small_settings.corpus_dir / "natverk.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("## Kustnätverket", "Ett nytt stycke om nätverken.\n\n## Kustnätverket"),
        encoding="utf-8",
    )
    report = ingest(small_settings, progress=False)
    assert report.added > 2  # the new paragraph's chunk and unit, and the moved chunks
    assert report.embedded == 2  # only the new paragraph: its chunk and its one sentence
    assert report.cache_hits == report.added - 2


def test_cli_workers_two_and_cache_counts(small_settings: Settings, capsys) -> None:
    data = str(small_settings.data_dir)
    corpus = str(small_settings.corpus_dir)
    args = ["--data-dir", data, "ingest", "--corpus", corpus, "--quiet"]
    assert main([*args, "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "texter inbäddade" in out and "0 från cachen" in out
    assert (small_settings.data_dir / CACHE_FILE).is_file()
    assert main([*args, "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err
