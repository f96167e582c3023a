"""The answering chain: condense the question, retrieve, answer; composed as LangChain Runnables."""

from __future__ import annotations

import time
from collections.abc import Callable

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from bot.answerer import Answer
from bot.questions import analyse
from bot.retrieval import HybridRetriever
from config.settings import Settings


def build_chain(
    settings: Settings, retriever: HybridRetriever, answerer: Callable[[dict], Answer]
) -> Runnable:
    """{"question": str, "history": [str]} -> Answer."""
    # One snapshot of the index per question: condensing, retrieval and answering see the same
    # records, and the store is checked for a newer ingest once rather than three times.
    condense = RunnableLambda(_condense(retriever)).with_config(run_name="condense")
    # The question is embedded once: retrieval and the answerer's unit scoring share it.
    embed = RunnablePassthrough.assign(
        qvec=RunnableLambda(lambda s: retriever.embeddings.embed_query(s["info"].query))
    ).with_config(run_name="embed")
    retrieve = RunnablePassthrough.assign(
        chunks=RunnableLambda(
            lambda s: retriever.score_chunks(
                s["info"].query, snap=s["snap"], qvec=s["qvec"], english=s["info"].english
            )
        ).with_config(run_name="retrieve")
    )
    # A streaming answerer (bot/generative.py) yields what it has verified, then the Answer:
    # chain.stream passes each on, chain.invoke returns the Answer.
    answer = RunnableLambda(getattr(answerer, "stream", answerer)).with_config(run_name="answer")
    return (condense | embed | retrieve | answer).with_config(run_name="policybot")


def _condense(retriever: HybridRetriever) -> Callable[[dict], dict]:
    def condense(x: dict) -> dict:
        snap = retriever.snapshot()
        history = x.get("history") or []
        return {
            # When the question came: a generative answerer's wait counts from here.
            "asked_at": time.monotonic(),
            "snap": snap,
            "info": analyse(x["question"], history, snap.vocabulary),
            "history": history,  # for a generative answerer's prompt
        }

    return condense
