"""Hand-made corpora and a fake embedding for unit tests of scoring and selection (no model)."""

from __future__ import annotations

import hashlib
import uuid

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.answerer import ExtractiveAnswerer
from bot.questions import QuestionInfo, analyse
from bot.retrieval import CorpusSnapshot
from bot.text import content_stems
from ingest.chunking import to_documents
from ingest.lexical import build_from_collection
from ingest.loaders import SourceDocument

DIM = 256


class HashingEmbeddings(Embeddings):
    """Bag of Swedish stems hashed into 256 dimensions, L2-normalised: texts that share words
    are similar, which is all scoring needs from an embedding."""

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(DIM, dtype=np.float32)
        for s in content_stems(text):
            v[int(hashlib.md5(s.encode()).hexdigest(), 16) % DIM] += 1.0
        n = float(np.linalg.norm(v))
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


class Counting:
    """A collection whose reads by id are counted, by the ids each one asked for."""

    def __init__(self, collection) -> None:
        self.collection = collection
        self.asked: list[list[str]] = []

    def get(self, ids, include):
        self.asked.append(list(ids))
        return self.collection.get(ids=ids, include=include)


def filler(n: int = 8) -> str:
    """Unrelated sections, so that no word of a small test document is the corpus's subject."""
    return "".join(f"## Nätverk {i}\n\nKommunen deltar i nätverk nummer {i}.\n\n" for i in range(n))


def snapshot(*bodies: str) -> CorpusSnapshot:
    """A snapshot of documents doc0, doc1, ... with the real chunker, an in-memory Chroma
    collection and fake vectors."""
    import chromadb

    emb = HashingEmbeddings()
    ids, texts, metas = [], [], []
    for n, body in enumerate(bodies):
        doc = SourceDocument(f"doc{n}", f"Dokument {n}", "2024-01-01", "dokument", None, body, "")
        for i, d in enumerate(to_documents(doc)):
            ids.append(f"doc{n}-{i}")
            texts.append(d.page_content)
            metas.append(d.metadata)
    client = chromadb.EphemeralClient()
    collection = client.create_collection(f"fake-{uuid.uuid4().hex}", embedding_function=None)
    collection.add(ids=ids, documents=texts, metadatas=metas, embeddings=emb.embed_documents(texts))
    # The reader's own path: the lexical index of whatever the collection holds.
    lexical = build_from_collection(collection, "test")
    return CorpusSnapshot(collection, lexical, "test")


def ask(
    snap: CorpusSnapshot, question: str, history: list[str] | None = None, **tuning
) -> tuple[QuestionInfo, object]:
    """Answer with the real answerer over BM25-ranked chunks of a hand-made snapshot."""
    from config.tuning import Tuning

    info = analyse(question, history or [], snap.vocabulary)
    scores = snap.bm25_scores(content_stems(info.query))
    order = np.argsort(-scores)
    records, _ = snap.chunks([snap.lexical.chunk_keys[i] for i in order])
    top = [(rec, float(scores[i])) for rec, i in zip(records, order, strict=True)]
    emb = HashingEmbeddings()
    answerer = ExtractiveAnswerer(emb, lambda: snap, tuning=Tuning(**tuning))
    return info, answerer.answer(info, top, emb.embed_query(info.query), snap)
