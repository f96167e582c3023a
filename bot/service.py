"""PolicyBot: builds the components once from settings and answers questions."""

from __future__ import annotations

import time
from dataclasses import dataclass

from langchain_core.runnables import Runnable

from bot.answerer import Answer, ExtractiveAnswerer
from bot.chain import build_chain
from bot.retrieval import CorpusSnapshot, HybridRetriever
from config.settings import Settings
from config.tuning import Tuning
from ingest.embeddings import make_embeddings
from ingest.indexer import IngestReport, ingest
from ingest.store import make_vector_store, read_state


class QuestionError(ValueError):
    """The question cannot be asked as given; the message is Swedish and shown to the user."""


def validate_question(question: object, max_chars: int) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("Frågan är tom. Skriv en fråga om dokumenten.")
    if len(question) > max_chars:
        raise QuestionError(
            f"Frågan är för lång ({len(question)} tecken). Högst {max_chars} tecken tillåts."
        )
    return question.strip()


def make_answerer(settings: Settings, extractive: ExtractiveAnswerer):
    """Answer providers by name; generative ones build on the extractive selection."""
    if settings.answerer == "extractive":
        return extractive
    if settings.answerer.startswith("openai:"):
        from bot.generative import OpenAIAnswerer

        return OpenAIAnswerer(settings=settings, extractive=extractive)
    raise ValueError(
        f"Unknown answerer {settings.answerer!r}; use 'extractive' or 'openai:<model>'."
    )


@dataclass
class PolicyBot:
    settings: Settings
    retriever: HybridRetriever
    chain: Runnable
    extractive: ExtractiveAnswerer
    ingest_report: IngestReport | None = None

    @classmethod
    def from_settings(cls, settings: Settings, progress: bool = True) -> PolicyBot:
        """Load models once; ingest the corpus first if the store is empty."""
        embeddings = make_embeddings(settings.embedding, settings)
        store = make_vector_store(settings, embeddings)
        report = None
        if store._collection.count() == 0:
            report = ingest(settings, embeddings=embeddings, progress=progress)
        tuning = Tuning.load(settings.tuning_file)
        retriever = HybridRetriever(
            vector_store=store,
            embeddings=embeddings,
            settings=settings,
            k=settings.top_k,
            lexical_weight=tuning.lexical_weight,
        )
        extractive = ExtractiveAnswerer(
            embeddings=embeddings,
            snapshot=retriever.snapshot,
            tuning=tuning,
            top_chunks=settings.top_k,
        )
        chain = build_chain(settings, retriever, make_answerer(settings, extractive))
        return cls(
            settings=settings,
            retriever=retriever,
            chain=chain,
            extractive=extractive,
            ingest_report=report,
        )

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        question = validate_question(question, self.settings.max_question_chars)
        history = [h for h in (history or []) if isinstance(h, str)]
        started = time.perf_counter()
        answer: Answer = self.chain.invoke({"question": question, "history": history})
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def snapshot(self) -> CorpusSnapshot:
        return self.retriever.snapshot()

    def status(self) -> dict:
        """Documents, chunks and the time of the last ingest."""
        snap = self.snapshot()
        state = read_state(self.settings)
        return {
            "documents": len({c.meta["doc_id"] for c in snap.chunks}),
            "chunks": len(snap.chunks),
            "last_ingest": state.get("last_ingest"),
        }
