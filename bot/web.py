"""Web chat for residents and a sources view for staff, built with Gradio 6.

Everything shown comes from two places we do not control, the question and the documents, so
every piece of text is passed through ``html.escape`` before it is put into HTML. The Chatbot
is told not to render Markdown (its messages are our escaped HTML, which Gradio still sanitises),
so neither a question nor a document can inject markup, run script or load a remote image.

The answer is computed in one go by the extractive answerer and then streamed word by word so
the page shows it arriving. Each browser session keeps its conversation in a ``gr.State``; the
``PolicyBot`` is shared and its ``ask`` runs under a lock, while streaming runs in parallel.

Programmatic use (``gradio_client``)::

    from gradio_client import Client

    client = Client("http://127.0.0.1:7860/")
    result = client.predict("Vilka vänorter har Luleå?", [], api_name="/ask")
    result["answer"], result["abstained"], result["citations"]
"""

from __future__ import annotations

import html
import logging
import math
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any, TypedDict
from urllib.parse import urlparse

import gradio as gr
from starlette.middleware import Middleware

from bot.feedback import FeedbackStore
from bot.service import QuestionError, validate_question
from config.settings import Settings

log = logging.getLogger(__name__)

APP_TITLE = "Fråga Luleå kommuns policydokument"
EXAMPLE_QUESTIONS = [
    "Vilka vänorter har Luleå?",
    "Samarbetar Luleå kommun med Kina?",
    "Vilka är kommunens prioriterade internationella fokusområden?",
    "Vad är syftet med planen?",
]
WARMUP_QUESTION = "Vad handlar dokumenten om?"
# Events that may run at once. Answers themselves are computed one at a time under a lock
# (they take well under a second); streaming them out to several users runs in parallel.
CONCURRENCY_LIMIT = 8
QUEUE_MAX_SIZE = 100
# Streaming: at most this many updates per answer, this far apart (≈ 1 s for a long answer).
STREAM_MAX_STEPS = 40
STREAM_DELAY_S = 0.025
SEARCH_MAX_HITS = 50
SEARCH_MAX_CHARS = 200
ALL_SECTIONS = "__alla__"

CSS = """
.pb-intro { margin: 0 0 .25rem 0; }
.pb-user, .pb-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.pb-pending { color: var(--body-text-color-subdued); font-style: italic; }
.pb-cursor { display: inline-block; margin-left: 1px; animation: pb-blink 1s steps(1) infinite; }
@keyframes pb-blink { 50% { opacity: 0; } }
.pb-ref { font-size: .8em; font-weight: 600; color: var(--color-accent); }
.pb-abstained { border-left: 4px solid #d97706; padding-left: .6rem; }
.pb-abstain-label { display: inline-block; margin-bottom: .4rem; padding: .1rem .55rem;
  border-radius: 999px; font-size: .85em; font-weight: 600;
  background: #fef3c7; color: #78350f; border: 1px solid #d97706; }
.pb-sources { margin-top: .75rem; }
.pb-sources-title { font-weight: 600; margin-bottom: .35rem; }
.pb-cards { list-style: none; padding: 0; margin: 0; display: grid; gap: .5rem; }
.pb-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .5rem .75rem;
  background: var(--background-fill-secondary); }
.pb-card-head { font-weight: 600; }
.pb-num { display: inline-block; min-width: 1.5em; padding: 0 .35em; margin-right: .35em;
  border-radius: 6px; text-align: center; background: var(--color-accent);
  color: var(--button-primary-text-color, white); }
.pb-meta { font-size: .85em; color: var(--body-text-color-subdued); margin: .15rem 0 .35rem 0; }
.pb-quote { margin: 0; padding-left: .6rem; border-left: 3px solid var(--border-color-accent);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.pb-link { display: inline-block; margin-top: .35rem; font-size: .9em; }
.pb-notice { padding: .5rem .75rem; border-radius: 8px; margin: .25rem 0; }
.pb-notice-error { border: 1px solid #d33; background: rgba(221, 51, 51, .08); }
.pb-notice-ok { border: 1px solid var(--border-color-accent);
  background: var(--color-accent-soft); }
.pb-status { font-size: .95em; padding: .4rem 0; }
.pb-doc-head { margin-bottom: .5rem; }
.pb-doc-head h3, .pb-section h4 { margin: .25rem 0; }
.pb-chunk { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 .6rem 0; }
.pb-hit { border-bottom: 1px solid var(--border-color-primary); padding: .5rem 0; }
.pb-hit-meta { font-size: .85em; color: var(--body-text-color-subdued); }
.pb-hit-text { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .2rem; }
mark { background: #ffe066; color: #111; padding: 0 1px; border-radius: 2px; }
.pb-examples-label { font-size: .9em; color: var(--body-text-color-subdued);
  align-self: center; }
"""


def make_theme() -> gr.themes.Base:
    """System fonts only: nothing is fetched from Google Fonts or any other host."""
    return gr.themes.Default(
        primary_hue="blue",
        font=[gr.themes.Font("system-ui"), gr.themes.Font("Segoe UI"), "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("Consolas"), "monospace"],
    )


# -- rendering (pure functions: every piece of outside text is escaped here) -----------------


def esc(text: object) -> str:
    """HTML-escaped text with line breaks kept (as <br>, so no raw newline reaches Gradio)."""
    return html.escape("" if text is None else str(text), quote=True).replace("\n", "<br>")


def safe_url(url: object) -> str | None:
    """The URL if it is a plain http(s) address, else None (never javascript:, data: …)."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlparse(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    return url


def format_section(section: object) -> str:
    return " › ".join(p.strip() for p in str(section or "").split(" > ") if p.strip())


def _citation_dicts(answer: Any) -> list[dict]:
    data = answer.to_dict() if hasattr(answer, "to_dict") else answer
    return [asdict(c) if is_dataclass(c) else dict(c) for c in data.get("citations") or []]


def _answer_data(answer: Any) -> dict:
    return answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)


def render_user(question: str) -> str:
    return f'<div class="pb-user">{esc(question)}</div>'


def render_pending() -> str:
    return '<div class="pb-pending">Söker i dokumenten …</div>'


def _text_with_refs(text: str) -> str:
    """Escaped answer text with the [n] markers styled (digits and brackets survive escaping)."""
    return re.sub(r"\[(\d{1,2})\]", r'<span class="pb-ref">[\1]</span>', esc(text))


def render_citation(c: Mapping) -> str:
    section = format_section(c.get("section"))
    meta = []
    if section:
        meta.append(f'Avsnitt: <span class="pb-section">{esc(section)}</span>')
    if c.get("updated"):
        meta.append(f"Uppdaterad: <time>{esc(c['updated'])}</time>")
    url = safe_url(c.get("url"))
    link = (
        f'<a class="pb-link" href="{html.escape(url, quote=True)}" target="_blank" '
        f'rel="noopener noreferrer nofollow">Öppna dokumentet ↗</a>'
        if url
        else ""
    )
    n = esc(c.get("n", ""))
    return (
        f'<li class="pb-card" data-n="{n}">'
        f'<div class="pb-card-head"><span class="pb-num">{n}</span>'
        f'<span class="pb-title">{esc(c.get("title", ""))}</span></div>'
        f'<div class="pb-meta">{" · ".join(meta)}</div>'
        f'<blockquote class="pb-quote">{esc(c.get("quote", ""))}</blockquote>'
        f"{link}</li>"
    )


def render_answer(answer: Any, shown: str | None = None) -> str:
    """An answer as chat HTML; ``shown`` is the part streamed so far (cards come at the end)."""
    data = _answer_data(answer)
    done = shown is None
    text = data.get("answer", "") if done else shown
    if data.get("abstained"):
        parts = [
            '<div class="pb-answer pb-abstained">',
            '<div class="pb-abstain-label" role="note">⚠ Inget svar i dokumenten</div>',
        ]
    else:
        parts = ['<div class="pb-answer">']
    cursor = "" if done else '<span class="pb-cursor" aria-hidden="true">▍</span>'
    parts.append(f'<div class="pb-text">{_text_with_refs(text)}{cursor}</div>')
    citations = _citation_dicts(data)
    if done and citations:
        parts.append('<div class="pb-sources"><div class="pb-sources-title">Källor</div>')
        parts.append('<ol class="pb-cards">')
        parts.extend(render_citation(c) for c in citations)
        parts.append("</ol></div>")
    parts.append("</div>")
    return "".join(parts)


def render_notice(message: str, kind: str = "error") -> str:
    role = "alert" if kind == "error" else "status"
    return f'<div class="pb-notice pb-notice-{kind}" role="{role}">{esc(message)}</div>'


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


def search_terms(query: str) -> list[str]:
    """Lower-cased words of a search, longest first, duplicates and one-letter words dropped."""
    words = re.findall(r"[\w][\w'’:-]*", query.lower())
    terms = list(dict.fromkeys(w.strip("-:'’") for w in words if len(w.strip("-:'’")) >= 2))
    return sorted(terms, key=len, reverse=True)


def highlight(text: str, terms: list[str]) -> str:
    """Escaped text with every (case-insensitive) occurrence of a term wrapped in <mark>.

    Matches are found in the raw text and each piece is escaped on its own, so a search can
    never match inside an entity such as ``&amp;`` or produce markup from the text.
    """
    if not terms:
        return esc(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(esc(text[pos : m.start()]))
        out.append(f"<mark>{esc(m.group())}</mark>")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def format_time(value: object) -> str:
    """An ISO timestamp shown in Swedish time, e.g. 2026-11-22 07:06."""
    if not value:
        return "aldrig"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        try:
            from zoneinfo import ZoneInfo

            moment = moment.astimezone(ZoneInfo("Europe/Stockholm"))
        except Exception:  # no time zone data: show it as stored
            pass
    return moment.strftime("%Y-%m-%d %H:%M")


def render_status(status: Mapping) -> str:
    return (
        '<div class="pb-status" role="status">'
        f"<strong>{esc(status.get('documents', 0))}</strong> dokument · "
        f"<strong>{esc(status.get('chunks', 0))}</strong> textavsnitt · "
        f"senast indexerat {esc(format_time(status.get('last_ingest')))}"
        "</div>"
    )


def _doc_label(entry: Mapping) -> str:
    updated = f" ({entry.get('updated')})" if entry.get("updated") else ""
    return f"{entry.get('title') or 'Namnlöst dokument'}{updated}"


def document_choices(docs: Mapping[str, Mapping]) -> list[tuple[str, str]]:
    return [(_doc_label(entry), doc_id) for doc_id, entry in docs.items()]


def section_choices(docs: Mapping[str, Mapping], doc_id: str | None) -> list[tuple[str, str]]:
    entry = docs.get(doc_id or "")
    sections = []
    if entry:
        sections = list(dict.fromkeys(r.meta.get("section", "") for r in entry["chunks"]))
    return [("Alla avsnitt", ALL_SECTIONS)] + [
        (format_section(s) or "(utan rubrik)", s) for s in sections
    ]


def render_document(
    docs: Mapping[str, Mapping], doc_id: str | None, section: str | None = None
) -> str:
    """One document (or one of its sections) as escaped HTML, grouped under section headings."""
    entry = docs.get(doc_id or "")
    if not entry:
        return '<p class="pb-empty">Välj ett dokument.</p>'
    kind = {"plan": "Plan", "webbsida": "Webbsida"}.get(entry.get("kind") or "", entry.get("kind"))
    meta = [esc(kind)] if kind else []
    if entry.get("updated"):
        meta.append(f"uppdaterad <time>{esc(entry['updated'])}</time>")
    url = safe_url(entry.get("url"))
    if url:
        meta.append(
            f'<a href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer nofollow">Öppna originalet ↗</a>'
        )
    chunks = [
        r
        for r in entry["chunks"]
        if not section or section == ALL_SECTIONS or r.meta.get("section", "") == section
    ]
    parts = [
        '<div class="pb-doc"><div class="pb-doc-head">',
        f"<h3>{esc(entry.get('title') or 'Namnlöst dokument')}</h3>",
        f'<div class="pb-hit-meta">{" · ".join(meta)} · {len(chunks)} textavsnitt</div></div>',
    ]
    current = None
    for rec in chunks:
        sec = rec.meta.get("section", "")
        if sec != current:
            if current is not None:
                parts.append("</section>")
            parts.append(f'<section class="pb-section"><h4>{esc(format_section(sec))}</h4>')
            current = sec
        parts.append(f'<p class="pb-chunk">{esc(rec.text)}</p>')
    if current is not None:
        parts.append("</section>")
    if not chunks:
        parts.append('<p class="pb-empty">Avsnittet finns inte längre i dokumentet.</p>')
    parts.append("</div>")
    return "".join(parts)


def search_corpus(docs: Mapping[str, Mapping], query: str, limit: int = SEARCH_MAX_HITS) -> str:
    """Chunks that contain every word of the query, most occurrences first, highlighted."""
    query = (query or "").strip()
    if not query:
        return '<p class="pb-empty">Skriv ett eller flera sökord.</p>'
    if len(query) > SEARCH_MAX_CHARS:
        return render_notice(f"Sökningen är för lång. Högst {SEARCH_MAX_CHARS} tecken tillåts.")
    terms = search_terms(query)
    if not terms:
        return '<p class="pb-empty">Skriv minst ett ord med två eller fler bokstäver.</p>'
    hits = []
    for entry in docs.values():
        for rec in entry["chunks"]:
            hay = f"{rec.meta.get('section', '')}\n{rec.text}".lower()
            if all(t in hay for t in terms):
                hits.append((sum(hay.count(t) for t in terms), entry, rec))
    hits.sort(key=lambda h: -h[0])  # stable: document order among equals
    summary = (
        f"{len(hits)} träffar för ”{esc(query)}”"
        if len(hits) != 1
        else f"1 träff för ”{esc(query)}”"
    )
    if len(hits) > limit:
        summary += f" (visar de {limit} bästa)"
    parts = [f'<div class="pb-search"><p class="pb-search-summary" role="status">{summary}</p>']
    for _, entry, rec in hits[:limit]:
        meta = [
            f'<span class="pb-hit-doc">{esc(entry.get("title") or "")}</span>',
            f"avsnitt ”{highlight(format_section(rec.meta.get('section', '')), terms)}”",
        ]
        if entry.get("updated"):
            meta.append(f"uppdaterad <time>{esc(entry['updated'])}</time>")
        parts.append(
            '<div class="pb-hit">'
            f'<div class="pb-hit-meta">{" · ".join(meta)}</div>'
            f'<div class="pb-hit-text">{highlight(rec.text, terms)}</div></div>'
        )
    parts.append("</div>")
    return "".join(parts)


# -- the page: Swedish everywhere, nothing from other hosts ------------------------------------

# Gradio picks the language of its own labels (tooltips, notices, "Loading…") from the browser.
# This runs before Gradio's scripts, so those labels are Swedish for everyone and <html lang>
# is "sv" (screen readers then read the page with a Swedish voice).
PAGE_SCRIPT = (
    "<script>(function(){try{var p=Navigator.prototype;"
    "Object.defineProperty(p,'language',{get:function(){return 'sv-SE'},configurable:true});"
    "Object.defineProperty(p,'languages',{get:function(){return ['sv-SE','sv']},"
    "configurable:true});}catch(e){}document.documentElement.lang='sv';})();</script>"
)

# A second line of defence after escaping: the page may only load images, fonts, scripts and
# data from this server. Gradio itself needs inline scripts/styles and eval (its HTML templates).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


class SwedishPage:
    """ASGI middleware for HTML responses: adds PAGE_SCRIPT and the security headers."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        passthrough = False
        chunks: list[bytes] = []

        async def send_wrapper(message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                is_html = b"text/html" in headers.get(b"content-type", b"")
                if not is_html or b"content-encoding" in headers:
                    passthrough = True
                    await send(message)
                else:
                    start = message
                return
            if passthrough or start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if b"<head>" in body:
                body = body.replace(b"<head>", b"<head>" + PAGE_SCRIPT.encode(), 1)
            drop = {b"content-length", b"content-security-policy", b"referrer-policy"}
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in drop]
            if body:
                headers.append((b"content-length", str(len(body)).encode()))
            headers += [
                (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                (b"referrer-policy", b"no-referrer"),
                (b"x-content-type-options", b"nosniff"),
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, send_wrapper)


# -- the app ----------------------------------------------------------------------------------


class CitationDict(TypedDict):
    n: int
    doc_id: str
    title: str
    section: str
    quote: str
    updated: str
    url: str | None


class AskResult(TypedDict):
    """What the /ask endpoint returns: ``Answer.to_dict()``."""

    answer: str
    abstained: bool
    citations: list[CitationDict]
    latency_ms: float


def new_conversation() -> dict:
    """Per-session state: earlier questions, the chat as shown, and the answers by position."""
    return {"questions": [], "messages": [], "answers": {}}


def build_app(bot, settings: Settings, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The Gradio app: a chat tab for residents and a "Källor" tab for staff.

    ``bot`` needs ``ask(question, history)``, ``status()`` and ``snapshot()`` (a PolicyBot).
    """
    feedback = feedback or FeedbackStore(settings.data_dir / "feedback.sqlite")
    ask_lock = threading.Lock()

    def ask_bot(question: str, history: list[str]):
        with ask_lock:
            return bot.ask(question, history)

    def corpus_docs() -> dict:
        return bot.snapshot().documents()

    # -- chat handlers --------------------------------------------------------------------
    def respond(question: str, conv: dict | None):
        """Validate, show the question, compute the answer, stream it, then show the sources."""
        conv = conv or new_conversation()
        started = time.perf_counter()
        try:
            clean = validate_question(question, settings.max_question_chars)
        except QuestionError as exc:
            # Keep what was typed so it can be shortened.
            yield list(conv["messages"]), gr.update(), render_notice(str(exc)), conv
            return
        messages = conv["messages"]
        messages.append({"role": "user", "content": render_user(clean)})
        messages.append({"role": "assistant", "content": render_pending()})
        index = len(messages) - 1
        yield list(messages), "", "", conv
        try:
            answer = ask_bot(clean, list(conv["questions"]))
        except QuestionError as exc:
            messages[index] = {"role": "assistant", "content": render_notice(str(exc))}
            yield list(messages), "", "", conv
            return
        except Exception:
            log.exception("Could not answer %r", clean)
            messages[index] = {
                "role": "assistant",
                "content": render_notice("Något gick fel när svaret togs fram. Försök igen."),
            }
            yield list(messages), "", "", conv
            return
        conv["questions"].append(clean)
        # Votable from the first streamed word on.
        conv["answers"][index] = {
            "id": uuid.uuid4().hex,
            "question": clean,
            "answer": answer.to_dict(),
        }
        first_token = None
        for shown in stream_steps(answer.answer):
            messages[index] = {"role": "assistant", "content": render_answer(answer, shown)}
            yield list(messages), "", "", conv
            if first_token is None:
                first_token = time.perf_counter() - started
            time.sleep(STREAM_DELAY_S)
        messages[index] = {"role": "assistant", "content": render_answer(answer)}
        yield list(messages), "", "", conv
        log.info(
            "Answered in %.0f ms (first token after %.0f ms, all streamed after %.0f ms)",
            answer.latency_ms,
            (first_token or 0) * 1000,
            (time.perf_counter() - started) * 1000,
        )

    def on_vote(conv: dict | None, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        record = (conv or {}).get("answers", {}).get(index)
        if record is None or not isinstance(data.liked, bool):
            return gr.update()
        feedback.record(record["question"], record["answer"], data.liked, answer_id=record["id"])
        thanks = "Tack! Ditt omdöme har sparats."
        if not data.liked:
            thanks += " Det hjälper oss att förbättra svaren."
        return render_notice(thanks, kind="ok")

    def restart():
        return [], "", "", new_conversation()

    # -- staff handlers -------------------------------------------------------------------
    def refresh_sources(doc_id: str | None = None):
        docs = corpus_docs()
        choices = document_choices(docs)
        if doc_id not in docs:
            doc_id = choices[0][1] if choices else None
        return (
            render_status(bot.status()),
            gr.update(choices=choices, value=doc_id),
            gr.update(choices=section_choices(docs, doc_id), value=ALL_SECTIONS),
            render_document(docs, doc_id, ALL_SECTIONS),
        )

    def pick_document(doc_id: str | None):
        docs = corpus_docs()
        return (
            gr.update(choices=section_choices(docs, doc_id), value=ALL_SECTIONS),
            render_document(docs, doc_id, ALL_SECTIONS),
        )

    def pick_section(doc_id: str | None, section: str | None):
        return render_document(corpus_docs(), doc_id, section)

    def run_search(query: str):
        return search_corpus(corpus_docs(), query)

    # -- the API endpoint -----------------------------------------------------------------
    def ask(question: str, history: list[str] = []) -> AskResult:  # noqa: B006 (never mutated)
        """
        Ställer en fråga om Luleå kommuns policydokument och returnerar svaret med numrerade
        källor. Svaret citerar dokumenten ordagrant; finns inget svar är abstained true.
        Parameters:
            question: Frågan på svenska (högst max_question_chars tecken, standard 2000).
            history: Tidigare frågor i samma samtal, äldst först (för följdfrågor); [] om inga.
        Returns:
            En ordbok: answer (str), abstained (bool), latency_ms (float) och citations, en
            lista med n, doc_id, title, section, quote (ordagrant citat), updated och url.
        """
        if history is not None and (
            not isinstance(history, list) or not all(isinstance(h, str) for h in history)
        ):
            raise gr.Error(
                "history ska vara en lista med tidigare frågor (strängar).",
                print_exception=False,
            )
        try:
            clean = validate_question(question, settings.max_question_chars)
            return ask_bot(clean, list(history or [])).to_dict()
        except QuestionError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    with gr.Blocks(title=APP_TITLE, analytics_enabled=False) as demo:
        conv = gr.State(None)  # a fresh conversation is made on the first question
        gr.HTML(
            f"<h1>{esc(APP_TITLE)}</h1>"
            '<p class="pb-intro">Ställ en fråga om kommunens styrdokument. Svaren citerar '
            "dokumenten ordagrant och visar varifrån citaten kommer. Skriv inga "
            "personuppgifter i frågan.</p>",
            js_on_load=None,
        )
        with gr.Tabs():
            with gr.Tab("Chatt", id="chatt"):
                chatbot = gr.Chatbot(
                    label="Samtal",
                    elem_id="pb-chat",
                    height=520,
                    layout="bubble",
                    buttons=[],
                    render_markdown=False,
                    sanitize_html=True,
                    allow_tags=False,
                    latex_delimiters=[],
                    feedback_options=("Like", "Dislike"),
                    allow_file_downloads=False,
                    placeholder=(
                        "<div>Här visas samtalet. Varje svar har numrerade källor med citat "
                        "ur dokumenten.</div>"
                    ),
                )
                notice = gr.HTML("", elem_id="pb-notice", js_on_load=None)
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        label="Din fråga",
                        placeholder="Skriv en fråga, t.ex. ”Vilka vänorter har Luleå?”",
                        elem_id="pb-question",
                        lines=1,
                        max_lines=6,
                        scale=5,
                        autofocus=True,
                    )
                    send = gr.Button("Skicka", variant="primary", scale=1, elem_id="pb-send")
                with gr.Row(equal_height=True):
                    gr.HTML(
                        '<span class="pb-examples-label">Exempelfrågor:</span>',
                        js_on_load=None,
                        scale=0,
                        min_width=110,
                    )
                    example_buttons = [
                        gr.Button(q, size="sm", variant="secondary", elem_classes=["pb-example"])
                        for q in EXAMPLE_QUESTIONS
                    ]
                with gr.Row():
                    gr.HTML("", js_on_load=None)
                    restart_btn = gr.Button(
                        "Ny konversation",
                        variant="secondary",
                        size="sm",
                        scale=0,
                        min_width=180,
                        elem_id="pb-restart",
                    )
            with gr.Tab("Källor", id="kallor"):
                status = gr.HTML(render_status({}), elem_id="pb-status", js_on_load=None)
                with gr.Row():
                    search_box = gr.Textbox(
                        label="Sök i dokumenten",
                        placeholder="Ett eller flera ord, t.ex. vänort Kemi",
                        elem_id="pb-search",
                        scale=5,
                    )
                    search_btn = gr.Button(
                        "Sök", variant="primary", scale=1, elem_id="pb-search-btn"
                    )
                results = gr.HTML("", elem_id="pb-results", js_on_load=None)
                gr.HTML("<h2>Bläddra i dokumenten</h2>", js_on_load=None)
                with gr.Row():
                    doc_pick = gr.Dropdown(label="Dokument", choices=[], elem_id="pb-doc", scale=2)
                    section_pick = gr.Dropdown(
                        label="Avsnitt", choices=[], elem_id="pb-section", scale=3
                    )
                    reload_btn = gr.Button("Uppdatera", size="sm", scale=0)
                document = gr.HTML("", elem_id="pb-document", js_on_load=None)

        chat_outputs = [chatbot, question, notice, conv]
        gr.on(
            triggers=[question.submit, send.click],
            fn=respond,
            inputs=[question, conv],
            outputs=chat_outputs,
            show_progress="hidden",
            trigger_mode="once",
            api_visibility="private",
        )
        for btn, text in zip(example_buttons, EXAMPLE_QUESTIONS, strict=True):
            btn.click(
                lambda t=text: t,
                outputs=question,
                queue=False,
                show_progress="hidden",
                api_visibility="private",
            ).then(
                respond,
                inputs=[question, conv],
                outputs=chat_outputs,
                show_progress="hidden",
                api_visibility="private",
            )
        restart_btn.click(restart, outputs=chat_outputs, queue=False, api_visibility="private")
        # The chat's own trash icon also starts over, so no earlier question leaks into history.
        chatbot.clear(restart, outputs=chat_outputs, queue=False, api_visibility="private")
        chatbot.like(on_vote, inputs=[conv], outputs=notice, api_visibility="private")

        source_outputs = [status, doc_pick, section_pick, document]
        demo.load(refresh_sources, outputs=source_outputs, api_visibility="private")
        reload_btn.click(
            refresh_sources, inputs=[doc_pick], outputs=source_outputs, api_visibility="private"
        )
        doc_pick.input(
            pick_document,
            inputs=[doc_pick],
            outputs=[section_pick, document],
            api_visibility="private",
        )
        section_pick.input(
            pick_section,
            inputs=[doc_pick, section_pick],
            outputs=document,
            api_visibility="private",
        )
        gr.on(
            triggers=[search_box.submit, search_btn.click],
            fn=run_search,
            inputs=[search_box],
            outputs=results,
            api_visibility="private",
        )
        gr.api(ask, api_name="ask")

    demo.queue(default_concurrency_limit=CONCURRENCY_LIMIT, max_size=QUEUE_MAX_SIZE)
    return demo


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860) -> str:
    """Start the server in a background thread and return its local URL.

    System-font theme, our CSS, no footer, no server-side rendering, no MCP, no run history.
    ``demo.close()`` stops it.
    """
    demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        share=False,
        inbrowser=False,
        show_error=False,
        footer_links=[],
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        run_history=False,
        theme=make_theme(),
        css=CSS,
        app_kwargs={"middleware": [Middleware(SwedishPage)]},
    )
    return demo.local_url or f"http://{host}:{port}/"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> int:
    """``policybot serve``: load (and if needed ingest), start the web chat, block until Ctrl+C."""
    from bot.service import PolicyBot
    from ingest.indexer import CorpusError

    started = time.perf_counter()
    print(f"Startar policybot (data i {settings.data_dir}) …", file=sys.stderr, flush=True)
    try:
        bot = PolicyBot.from_settings(settings, progress=sys.stderr.isatty())
    except CorpusError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    if getattr(bot, "ingest_report", None) is not None:
        print(f"Korpusen indexerades: {bot.ingest_report.summary()}", file=sys.stderr, flush=True)
    try:  # warm up (model session, corpus snapshot, caches) so the first user is not slower
        bot.ask(WARMUP_QUESTION, [])
    except Exception:  # never stop the server for this
        log.warning("Warm-up question failed", exc_info=True)
    demo = build_app(bot, settings)
    try:
        url = launch(demo, host=host, port=port)
    except OSError as exc:
        log.debug("launch failed", exc_info=exc)
        print(
            f"Fel: kunde inte starta webbservern på {host}:{port}. Porten kan vara upptagen; "
            "välj en annan med --port.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Policybot körs på {url} (startade på {time.perf_counter() - started:.1f} s). "
        "Avsluta med Ctrl+C.",
        flush=True,
    )
    try:
        while demo.is_running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("Avslutar …", file=sys.stderr)
    finally:
        demo.close()
    return 0
