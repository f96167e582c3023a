"""The chat's event handlers: ask and stream an answer, vote, start over, open a source.

Each browser session keeps its conversation in a ``gr.State`` (``new_conversation()``); the
``PolicyBot`` is shared and its ``ask`` runs under a lock, while streaming runs in parallel.
An extractive answer is computed in one go and then streamed word by word so the page shows
it arriving; a generative one is shown sentence by sentence as the gate passes its sentences.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Iterator

import gradio as gr

from bot.answerer import Answer
from bot.feedback import FeedbackStore
from bot.generative import Partial
from bot.service import QuestionError, validate_question
from bot.site import Site
from bot.web import render, sources
from ingest.store import StoreUnavailable

log = logging.getLogger(__name__)

# Streaming: at most this many updates per answer, this far apart (≈ 1 s for a long answer).
STREAM_MAX_STEPS = 40
STREAM_DELAY_S = 0.025
FAILED = "Något gick fel när svaret togs fram. Försök igen."
# Host and port only: nothing else about the setup is shown to residents.
UNREACHABLE = "Tjänsten kan inte nå dokumentdatabasen just nu ({address}). Försök igen om en stund."


def new_conversation() -> dict:
    """Per-session state: earlier questions and the turns as shown (question, answer, vote)."""
    return {"questions": [], "turns": []}


def stream_steps(text: str, max_steps: int = STREAM_MAX_STEPS) -> Iterator[str]:
    """Progressively longer prefixes of ``text``, a word (or a few) at a time, ending with all."""
    words = re.findall(r"\s*\S+", text)
    if not words:
        yield text
        return
    step = max(1, math.ceil(len(words) / max_steps))
    for end in range(step, len(words) + step, step):
        yield "".join(words[:end])
    if "".join(words) != text:
        yield text


class Chat:
    """Handlers bound to one bot, its settings and the feedback store."""

    def __init__(self, bot, site: Site, max_chars: int, feedback: FeedbackStore) -> None:
        self.bot, self.site, self.max_chars, self.feedback = bot, site, max_chars, feedback
        self._lock = threading.Lock()

    def ask(self, question: str, history: list[str]):
        """The bot's answer; a Chroma server that is down becomes a gr.Error in Swedish."""
        final = None
        for event in self.ask_stream(question, history):
            final = event
        return final

    def ask_stream(self, question: str, history: list[str]) -> Iterator[Partial | Answer]:
        """What a generative answerer has verified so far (Partial), then the Answer; a bot
        without streaming gives the Answer alone. A Chroma server that is down becomes a
        gr.Error in Swedish."""
        with self._lock:
            try:
                stream = getattr(self.bot, "ask_stream", None)
                if stream is None:
                    yield self.bot.ask(question, history)
                else:
                    yield from stream(question, history)
            except StoreUnavailable as exc:
                log.warning("Chroma server unreachable at %s", exc.address)
                message = UNREACHABLE.format(address=exc.address)
                raise gr.Error(message, print_exception=False) from None

    def _view(self, conv: dict, announce: str | None = None, notice: str = "") -> tuple:
        """(chat, question box, notice, announcement, examples, conversation) for the page.

        The examples fold away once there is a conversation; the announcement (a live region)
        only gets the whole answer, so screen readers do not read it word by word.
        """
        chat = render.render_conversation(conv["turns"], self.site.contact)
        live = gr.update() if announce is None else render.render_announcement(announce)
        examples = gr.update(open=not conv["turns"])
        return chat, "", notice, live, examples, conv

    def respond(self, question: str, conv: dict | None):
        """Validate, show the question, compute the answer, stream it, then show the sources."""
        conv = conv or new_conversation()
        started = time.perf_counter()
        try:
            clean = validate_question(question, self.max_chars)
        except QuestionError as exc:
            chat, _, _, live, examples, conv = self._view(conv)
            # Keep what was typed so it can be shortened.
            yield chat, gr.update(), render.render_notice(str(exc)), live, examples, conv
            return
        turn = {"id": uuid.uuid4().hex, "question": clean, "state": "pending", "vote": 0}
        conv["turns"].append(turn)
        yield self._view(conv, announce="")
        first_token, answer = None, None
        try:
            # A language model's sentences appear as the gate passes them (nothing unchecked
            # is shown even briefly); the final answer then replaces them, with its sources.
            for event in self.ask_stream(clean, list(conv["questions"])):
                if isinstance(event, Partial):
                    partial = Answer(answer=event.text, abstained=False, answerer="generative")
                    turn.update(answer=render.answer_data(partial), shown=event.text)
                    turn["state"] = "streaming"
                    yield self._view(conv)
                    first_token = first_token or time.perf_counter() - started
                else:
                    answer = event
            if answer is None:
                raise RuntimeError("the answerer ended without an answer")
        except Exception as exc:
            if isinstance(exc, QuestionError):
                error = str(exc)
            elif isinstance(exc, gr.Error):
                error = exc.message
            else:
                log.exception("Could not answer %r", clean)
                error = FAILED
            turn.update(state="error", error=error)
            yield self._view(conv, announce=turn["error"])
            return
        conv["questions"].append(clean)
        streamed = turn["state"] == "streaming"
        turn.update(answer=render.answer_data(answer), state="streaming")
        # An answer computed in one go is shown arriving, a word or a few at a time.
        for shown in [] if streamed else stream_steps(answer.answer):
            turn["shown"] = shown
            yield self._view(conv)
            first_token = first_token or time.perf_counter() - started
            time.sleep(STREAM_DELAY_S)
        turn["state"] = "done"
        yield self._view(conv, announce=self._spoken(turn["answer"]))
        log.info(
            "Answered in %.0f ms (first token after %.0f ms, all streamed after %.0f ms)",
            answer.latency_ms,
            (first_token or 0) * 1000,
            (time.perf_counter() - started) * 1000,
        )

    @staticmethod
    def _spoken(data: dict) -> str:
        count = len(data.get("citations") or [])
        sources_said = f" {count} källa." if count == 1 else f" {count} källor." if count else ""
        return f"Svar: {data.get('answer', '')}{sources_said}"

    def vote(self, conv: dict | None, event: gr.EventData):
        """A 👍/👎 from the chat (``trigger('click', {index, liked})``) stored with the answer."""
        data = getattr(event, "_data", None) or {}
        turns = (conv or {}).get("turns", [])
        index, liked = data.get("index"), data.get("liked")
        if not isinstance(index, int) or not 0 <= index < len(turns) or not isinstance(liked, bool):
            return gr.update(), conv
        turn = turns[index]
        if turn.get("state") != "done":
            return gr.update(), conv
        self.feedback.record(turn["question"], turn["answer"], liked, answer_id=turn["id"])
        turn["vote"] = 1 if liked else -1
        thanks = "Tack! Ditt omdöme har sparats."
        if not liked:
            thanks += " Det hjälper oss att förbättra svaren."
        return render.render_notice(thanks, kind="ok"), conv

    def restart(self):
        return self._view(new_conversation(), announce="Nytt samtal.")

    def citation(self, conv: dict | None, event: gr.EventData) -> dict | None:
        """The citation a card's "Visa i Källor" names (``trigger('select', {index, n})``)."""
        data = getattr(event, "_data", None) or {}
        turns = (conv or {}).get("turns", [])
        index, n = data.get("index"), data.get("n")
        if not isinstance(index, int) or not 0 <= index < len(turns):
            return None
        for c in (turns[index].get("answer") or {}).get("citations", []):
            if str(c.get("n")) == str(n):
                return c
        return None


def locate_citation(docs: dict, citation: dict) -> tuple[str, str, tuple[str, int, int] | None]:
    """(document id, section, passage) of a citation in the current corpus."""
    doc_id, section = citation.get("doc_id", ""), citation.get("section", "")
    entry = docs.get(doc_id)
    found = sources.locate(entry, section, citation.get("quote", "")) if entry else None
    if not found:
        return doc_id, sources.ALL_SECTIONS, None
    chunk_id, start, end, i = found
    return doc_id, entry["chunks"][i].meta.get("section", ""), (chunk_id, start, end)
