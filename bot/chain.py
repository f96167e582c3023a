"""The answering chain: condense the question, retrieve, answer; composed as LangChain Runnables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.runnables import Runnable, RunnableLambda

from bot.answerer import Answer
from bot.questions import QuestionInfo, analyse
from bot.retrieval import CorpusSnapshot, HybridRetriever, Record
from config.settings import Settings


def build_chain(
    settings: Settings, retriever: HybridRetriever, answerer: Callable[[dict], Answer]
) -> Runnable:
    """{"question": str, "history": [str]} -> Answer."""
    # One snapshot of the index per question: condensing, retrieval and answering see the same
    # records, and the store is checked for a newer ingest once rather than three times.
    condense = RunnableLambda(_condense(retriever)).with_config(run_name="condense")
    # The question is embedded once: retrieval and the answerer's unit scoring share it. Each
    # stage adds its key to the state itself: RunnablePassthrough.assign would run it through
    # a thread pool of its own, which cost about 5 ms a stage.
    embed = RunnableLambda(
        lambda s: {**s, "qvec": retriever.embeddings.embed_query(s["info"].query)}
    ).with_config(run_name="embed")
    retrieve = RunnableLambda(
        lambda s: {**s, "chunks": _scored(retriever, s["info"], s["snap"], s["qvec"])}
    ).with_config(run_name="retrieve")
    # A streaming answerer (bot/generative.py) yields what it has verified, then the Answer:
    # chain.stream passes each on, chain.invoke returns the Answer.
    answer = RunnableLambda(getattr(answerer, "stream", answerer)).with_config(run_name="answer")
    return (condense | embed | retrieve | answer).with_config(run_name="policybot")


@dataclass
class Retrieved:
    """A question as the chain's first stages leave it: analysed, embedded once, its chunks
    scored best first."""

    info: QuestionInfo
    qvec: list[float]
    chunks: list[tuple[Record, float]]


def retrieve(
    retriever: HybridRetriever,
    question: str,
    history: list[str] | None,
    snap: CorpusSnapshot,
    parts: dict[str, tuple[float, float]] | None = None,
) -> Retrieved:
    """The chain's condense, embed and retrieve stages in one call, for the tools that run the
    answerer outside the chain (explain, fitting, calibration), so they rank as the chain does.
    parts, when given, receives each chunk's (dense cosine, BM25 score)."""
    info = analyse(question, list(history or []), snap.vocabulary)
    qvec = retriever.embeddings.embed_query(info.query)
    return Retrieved(info, qvec, _scored(retriever, info, snap, qvec, parts))


def _scored(
    retriever: HybridRetriever,
    info: QuestionInfo,
    snap: CorpusSnapshot,
    qvec: list[float],
    parts: dict[str, tuple[float, float]] | None = None,
) -> list[tuple[Record, float]]:
    """The chunks for the condensed question, best first; the chain's retrieve stage and
    retrieve() both score here, so the tools rank exactly as the chain does."""
    return retriever.score_chunks(
        info.query, snap=snap, qvec=qvec, parts=parts, english=info.english
    )


def _condense(retriever: HybridRetriever) -> Callable[[dict], dict]:
    def condense(x: dict) -> dict:
        # The service has just read the store's state to follow other processes' ingests.
        snap = retriever.snapshot(x.get("store"))
        history = x.get("history") or []
        return {
            # When the question came: a generative answerer's wait counts from here.
            "asked_at": time.monotonic(),
            "snap": snap,
            "info": analyse(x["question"], history, snap.vocabulary),
            "history": history,  # for a generative answerer's prompt
        }

    return condense
