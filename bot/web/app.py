"""The Gradio app: a chat tab for residents and a "Källor" tab for staff, wired together.

Programmatic use (``gradio_client``)::

    from gradio_client import Client

    client = Client("http://127.0.0.1:7860/")
    result = client.predict("Vilka vänorter har Luleå?", [], api_name="/ask")
    result["answer"], result["abstained"], result["citations"]
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import NotRequired, TypedDict

import gradio as gr

from bot import gaps
from bot.feedback import FeedbackStore
from bot.register_store import register_source
from bot.service import QuestionError, validate_question
from bot.site import Site, load_site
from bot.web import page, render, sources
from bot.web.chat import Chat, locate_citation
from bot.web.register import RegisterPage
from config.settings import Settings

# Events that may run at once. Answers themselves are computed one at a time under a lock
# (they take well under a second); streaming them out to several users runs in parallel.
CONCURRENCY_LIMIT = 8
QUEUE_MAX_SIZE = 100
PRIVATE = {"api_visibility": "private"}


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
    answerer: str  # "extractive", "generative" or "extractive-fallback"
    gate: NotRequired[list[str]]  # why generated sentences were dropped or not used


def _chat_tab(site: Site) -> SimpleNamespace:
    """Conversation first, then the question box; the examples fold away once it starts."""
    ui = SimpleNamespace()
    ui.chat = gr.HTML(
        render.render_conversation([]), elem_id="pb-chat", js_on_load=page.script("chat.js")
    )
    ui.announce = gr.HTML(
        "", elem_id="pb-announce", elem_classes=["sr-only"], js_on_load=page.script("live.js")
    )
    ui.notice = gr.HTML("", elem_id="pb-notice", js_on_load=None)
    with gr.Row(equal_height=True, elem_id="pb-ask-row"):
        ui.question = gr.Textbox(
            label="Din fråga",
            placeholder="Skriv din fråga här",
            elem_id="pb-question",
            lines=1,
            max_lines=6,
            scale=5,
            min_width=200,
            autofocus=False,  # focus on load scrolls a phone past the title and opens its keyboard
        )
        ui.send = gr.Button("Skicka", variant="primary", scale=1, min_width=90, elem_id="pb-send")
    ui.restart = gr.Button("Ny konversation", variant="secondary", size="sm", elem_id="pb-restart")
    with gr.Accordion("Exempelfrågor", open=True, elem_id="pb-examples") as ui.examples:
        ui.example_buttons = [
            gr.Button(q, size="sm", variant="secondary", elem_classes=["pb-example"])
            for q in site.example_questions
        ]
    return ui


def _sources_tab() -> SimpleNamespace:
    ui = SimpleNamespace()
    ui.status = gr.HTML(render.render_status(None), elem_id="pb-status", js_on_load=None)
    # Filled from the stored register when the page loads and again when the tab is chosen.
    ui.register = gr.HTML("", elem_id="pb-register", js_on_load=page.script("register.js"))
    gr.HTML("<h2>Sök i dokumenten</h2>", js_on_load=None)
    with gr.Row():
        ui.search = gr.Textbox(
            label="Sökord",
            placeholder="Ett eller flera ord, t.ex. vänort Kemi",
            elem_id="pb-search",
            scale=5,
            min_width=200,
        )
        ui.search_btn = gr.Button(
            "Sök", variant="primary", scale=1, min_width=90, elem_id="pb-search-btn"
        )
    ui.results = gr.HTML("", elem_id="pb-results", js_on_load=None)
    gr.HTML("<h2>Bläddra i dokumenten</h2>", js_on_load=None)
    with gr.Row():
        ui.doc = gr.Dropdown(label="Dokument", choices=[], elem_id="pb-doc", min_width=280)
        ui.section = gr.Dropdown(label="Avsnitt", choices=[], elem_id="pb-section", min_width=280)
    ui.reload = gr.Button("Läs in igen", size="sm", elem_id="pb-reload")
    ui.document = gr.HTML("", elem_id="pb-document", js_on_load=page.script("document.js"))
    ui.gaps = gr.HTML("", elem_id="pb-gaps", js_on_load=None)
    return ui


class Sources:
    """The staff view's handlers, over a fresh snapshot of the corpus each time."""

    def __init__(
        self, bot, feedback: FeedbackStore | None = None, register: RegisterPage | None = None
    ) -> None:
        self.bot = bot
        self.feedback = feedback
        self.register = register or RegisterPage(register_source(bot.settings))

    def gaps(self) -> str:
        """The unanswered questions, grouped, over everything the store keeps."""
        if self.feedback is None:
            return ""
        period = f"de senaste {self.feedback.retention_days} dagarna"
        return render.render_gaps(gaps.collect(self.feedback), self.docs(), period)

    def docs(self) -> dict:
        return self.bot.snapshot().documents()

    def refresh(self, doc_id: str | None = None):
        docs = self.docs()
        choices = sources.document_choices(docs)
        if doc_id not in docs:
            doc_id = choices[0][1] if choices else None
        return (
            render.render_status(self.bot.status()),
            gr.update(choices=choices, value=doc_id),
            gr.update(choices=sources.section_choices(docs, doc_id), value=sources.ALL_SECTIONS),
            render.render_document(docs, doc_id, sources.ALL_SECTIONS),
        )

    def pick_document(self, doc_id: str | None):
        docs = self.docs()
        return (
            gr.update(choices=sources.section_choices(docs, doc_id), value=sources.ALL_SECTIONS),
            render.render_document(docs, doc_id, sources.ALL_SECTIONS),
        )

    def pick_section(self, doc_id: str | None, section: str | None):
        return render.render_document(self.docs(), doc_id, section)

    def search(self, query: str):
        return render.render_search(self.docs(), query)

    def show(self, citation: dict | None):
        """Källor opened at a cited passage, highlighted in its section (a chat card's or a
        register cell's "Visa i Källor")."""
        if not citation:
            return gr.update(), gr.update(), gr.update(), gr.update()
        docs = self.docs()
        if citation.get("doc_id") not in docs:
            gone = "Det citerade dokumentet finns inte längre i indexet."
            return gr.Tabs(selected="kallor"), gr.update(), gr.update(), render.render_notice(gone)
        doc_id, section, passage = locate_citation(docs, citation)
        return (
            gr.Tabs(selected="kallor"),
            gr.update(choices=sources.document_choices(docs), value=doc_id),
            gr.update(choices=sources.section_choices(docs, doc_id), value=section),
            render.render_document(docs, doc_id, section, passage),
        )


def make_ask(chat: Chat, max_chars: int):
    """The public /ask endpoint (its docstring is what gradio_client's view_api shows)."""

    def ask(question: str, history: list[str] = []) -> AskResult:  # noqa: B006 (never mutated)
        """
        Ställer en fråga om kommunens policydokument och returnerar svaret med numrerade
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
            clean = validate_question(question, max_chars)
            return chat.ask(clean, list(history or [])).to_dict()
        except QuestionError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return ask


def _wire_chat(ui: SimpleNamespace, chat: Chat, site: Site, conv: gr.State) -> None:
    outputs = [ui.chat, ui.question, ui.notice, ui.announce, ui.examples, conv]
    run = {"fn": chat.respond, "outputs": outputs, "show_progress": "hidden", **PRIVATE}
    gr.on(
        triggers=[ui.question.submit, ui.send.click],
        inputs=[ui.question, conv],
        trigger_mode="once",
        **run,
    )
    for btn, text in zip(ui.example_buttons, site.example_questions, strict=True):
        btn.click(
            lambda t=text: t, outputs=ui.question, queue=False, show_progress="hidden", **PRIVATE
        ).then(inputs=[ui.question, conv], **run)
    ui.restart.click(chat.restart, outputs=outputs, queue=False, **PRIVATE)
    ui.chat.click(chat.vote, inputs=[conv], outputs=[ui.notice, conv], **PRIVATE)


def _wire_sources(ui, staff: Sources, chat: Chat, chat_ui, conv, tabs, demo, tab) -> None:
    outputs = [ui.status, ui.doc, ui.section, ui.document]
    demo.load(staff.refresh, outputs=outputs, **PRIVATE)
    tab.select(staff.gaps, outputs=ui.gaps, queue=False, show_progress="hidden", **PRIVATE)
    # The register is a small file read again only when it has changed: instant either way.
    quick = {"queue": False, "show_progress": "hidden", **PRIVATE}
    for event in (demo.load, tab.select, ui.reload.click):
        event(staff.register.html, outputs=ui.register, **quick)
    ui.reload.click(staff.refresh, inputs=[ui.doc], outputs=outputs, **PRIVATE)
    ui.doc.input(staff.pick_document, inputs=[ui.doc], outputs=[ui.section, ui.document], **PRIVATE)
    ui.section.input(
        staff.pick_section, inputs=[ui.doc, ui.section], outputs=ui.document, **PRIVATE
    )
    gr.on(
        triggers=[ui.search.submit, ui.search_btn.click],
        fn=staff.search,
        inputs=[ui.search],
        outputs=ui.results,
        **PRIVATE,
    )

    def open_citation(conv_value: dict | None, event: gr.EventData):
        return staff.show(chat.citation(conv_value, event))

    chat_ui.chat.select(
        open_citation,
        inputs=[conv],
        outputs=[tabs, ui.doc, ui.section, ui.document],
        **PRIVATE,
    )

    def open_register_citation(event: gr.EventData):
        return staff.show(RegisterPage.citation(getattr(event, "_data", None)))

    ui.register.select(
        open_register_citation, outputs=[tabs, ui.doc, ui.section, ui.document], **PRIVATE
    )


def build_app(bot, settings: Settings, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The whole app. ``bot`` needs ``ask(question, history)``, ``status()``, ``snapshot()``."""
    site = load_site(settings)
    feedback = feedback or FeedbackStore.from_settings(settings)
    # Every abstention the chat (or /ask) gives is logged for `policybot gaps`.
    chat = Chat(gaps.GapRecorder(bot, feedback), site, settings.max_question_chars, feedback)
    with gr.Blocks(title=site.title, analytics_enabled=False) as demo:
        conv = gr.State(None)  # a fresh conversation is made on the first question
        gr.HTML(render.render_header(site), elem_id="pb-header", js_on_load=None)
        with gr.Tabs(elem_id="pb-tabs") as tabs:
            with gr.Tab("Chatt", id="chatt"):
                chat_ui = _chat_tab(site)
            with gr.Tab("Källor", id="kallor") as sources_tab:
                sources_ui = _sources_tab()
        _wire_chat(chat_ui, chat, site, conv)
        staff = Sources(bot, feedback, RegisterPage(register_source(settings)))
        _wire_sources(sources_ui, staff, chat, chat_ui, conv, tabs, demo, sources_tab)
        gr.api(make_ask(chat, settings.max_question_chars), api_name="ask")
    demo.queue(default_concurrency_limit=CONCURRENCY_LIMIT, max_size=QUEUE_MAX_SIZE)
    return demo
