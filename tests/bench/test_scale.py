"""The benchmark's corpus generator and stand-in vectors (bench/scale.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bench.scale import REAL_CORPUS, StandInEmbeddings, corpus_texts, make_corpus
from ingest.loaders import discover, load_file


def test_generated_corpus_has_the_real_documents_and_no_duplicates(tmp_path: Path) -> None:
    real = len(corpus_texts(REAL_CORPUS))
    chunks = make_corpus(tmp_path / "c", 300)
    assert chunks >= 300
    docs = [load_file(p) for p in discover(tmp_path / "c")]
    ids = [d.doc_id for d in docs]
    assert len(ids) == len(set(ids))
    assert {"plan-internationellt-arbete", "internationella-organisationer"} <= set(ids)
    generated = [d.body for d in docs if d.doc_id.startswith("gen-")]
    assert generated and len(set(generated)) == len(generated)
    texts = corpus_texts(tmp_path / "c")
    assert len(texts) > real and len(set(texts)) > 0.95 * len(texts)
    assert make_corpus(tmp_path / "c", 300) == chunks  # reused, not regenerated


class UnitAxes(Embeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [np.eye(8)[len(t) % 8].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return np.eye(8)[0].tolist()


def test_stand_in_keeps_real_vectors_and_perturbs_a_real_one_for_the_rest() -> None:
    pool = np.eye(8, dtype=np.float32)[:4]
    emb = StandInEmbeddings(UnitAxes(), ["abc"], pool)
    real, fake, again = emb.embed_documents(["abc", "genererad text", "genererad text"])
    assert real == np.eye(8)[3].tolist()
    assert fake == again  # deterministic
    assert abs(np.linalg.norm(fake) - 1) < 1e-6
    assert 0.75 < max(pool @ np.array(fake)) < 0.99  # near one real vector, not equal to it
