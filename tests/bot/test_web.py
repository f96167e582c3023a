"""The web app: rendering and escaping, the /ask API via gradio_client, and `policybot serve`.

Fast tests use a stand-in bot in-process; the last group starts the real `python -m bot serve`
(real model, real corpus) on a free port in a subprocess and talks to it with gradio_client.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from types import SimpleNamespace

import pytest
from gradio_client import Client

from bot import web
from bot.answerer import Answer, Citation
from bot.feedback import FeedbackStore
from bot.retrieval import Record
from bot.service import validate_question
from config.settings import Settings

try:
    from tests.bot import server_web as sw
except ModuleNotFoundError:  # tests/ is not a package
    import server_web as sw

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def _citation(**over) -> Citation:
    values = dict(
        n=1,
        doc_id="plan",
        title="Plan <i>för</i> arbetet",
        section="Europa > Union of the Baltic Cities",
        quote=f"Citat {XSS}\nandra raden & mer",
        updated="2021-12-03",
        url="https://www.lulea.se/plan?a=1&b=2",
    )
    values.update(over)
    return Citation(**values)


def _record(text: str, order: int, section: str, doc: str = "plan", **meta) -> Record:
    base = {
        "doc_id": doc,
        "order": order,
        "section": section,
        "title": "Plan <b>x</b>" if doc == "plan" else "Webbsida",
        "updated": "2021-12-03" if doc == "plan" else "2021-10-07",
        "kind": "plan" if doc == "plan" else "webbsida",
        "url": "",
        "prefix_len": 0,
        "level": "chunk",
    }
    return Record(f"{doc}#{order}", text, base | meta)


class FakeSnapshot:
    def __init__(self) -> None:
        self.chunks = [
            _record("Luleå har sex vänorter: Kemi & Tromsø.", 0, "Vänorter"),
            _record(f"Samarbete inom EU. {XSS}", 1, "Europa > UBC"),
            _record("Vänorten Kemi i Finland.", 2, "Vänorter"),
            _record("Webbsidan om organisationer.", 0, "Organisationer", doc="webb"),
        ]

    def documents(self) -> dict:
        docs: dict = {}
        for rec in sorted(self.chunks, key=lambda r: (r.meta["doc_id"], r.meta["order"])):
            entry = docs.setdefault(
                rec.meta["doc_id"],
                {k: rec.meta.get(k) for k in ("title", "updated", "kind", "url")} | {"chunks": []},
            )
            entry["chunks"].append(rec)
        return docs


class FakeBot:
    """What build_app needs from PolicyBot; records the calls it gets."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.calls: list[tuple[str, list[str]]] = []
        self.active = 0
        self.max_active = 0
        self._count_lock = threading.Lock()

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        question = validate_question(question, self.settings.max_question_chars)
        with self._count_lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(0.05)
            self.calls.append((question, list(history or [])))
            if "väder" in question:
                return Answer("Det framgår inte av dokumenten.", True)
            return Answer(f"Svar på {question} [1]", False, [_citation()], latency_ms=1.0)
        finally:
            with self._count_lock:
                self.active -= 1

    def status(self) -> dict:
        return {"documents": 2, "chunks": 4, "last_ingest": "2026-01-15T10:30:00+00:00"}

    def snapshot(self) -> FakeSnapshot:
        return FakeSnapshot()


# -- rendering -----------------------------------------------------------------------------


def test_esc_escapes_markup_and_keeps_line_breaks():
    assert web.esc('<a href="x">&</a>\nny rad') == (
        "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;<br>ny rad"
    )
    assert web.esc(None) == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.lulea.se/a?b=1", "https://www.lulea.se/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/x", None),
        ("https://", None),
        ("https://a.se/\nx", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url_allows_only_http_and_https(url, expected):
    assert web.safe_url(url) == expected


def test_answer_with_source_cards_is_escaped():
    answer = Answer("Svar <b>fet</b> [1]", False, [_citation()])
    out = web.render_answer(answer)
    assert "<script" not in out and "<img" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in out
    assert "Svar &lt;b&gt;fet&lt;/b&gt; " in out
    assert '<span class="pb-ref">[1]</span>' in out
    assert 'class="pb-card"' in out and "Källor" in out
    assert "Plan &lt;i&gt;för&lt;/i&gt; arbetet" in out
    assert "Europa › Union of the Baltic Cities" in out
    assert "<time>2021-12-03</time>" in out
    assert "andra raden &amp; mer" in out and "<br>" in out
    assert 'href="https://www.lulea.se/plan?a=1&amp;b=2"' in out
    assert 'rel="noopener noreferrer nofollow"' in out
    assert "\n" not in out  # nothing for Gradio to dedent or re-interpret
    assert "Inget svar i dokumenten" not in out


def test_card_has_no_link_without_a_safe_url():
    for url in (None, "", "javascript:alert(1)"):
        out = web.render_answer(Answer("Svar [1]", False, [_citation(url=url)]))
        assert "<a " not in out and "Öppna dokumentet" not in out


def test_abstention_is_marked():
    out = web.render_answer(Answer("Det framgår inte av dokumenten.", True))
    assert "Inget svar i dokumenten" in out
    assert "pb-abstain-label" in out and "pb-abstained" in out
    assert "pb-sources" not in out


def test_partial_answer_has_cursor_and_no_cards_yet():
    answer = Answer("Ett två tre [1]", False, [_citation()])
    out = web.render_answer(answer, shown="Ett två")
    assert "Ett två" in out and "tre" not in out
    assert "pb-cursor" in out and "pb-card" not in out


def test_render_user_escapes():
    assert web.render_user(XSS) == (
        '<div class="pb-user">&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x '
        "onerror=&quot;window.__pwned=2&quot;&gt;</div>"
    )


def test_stream_steps_grow_word_by_word_and_end_with_the_whole_text():
    text = "Luleå har sex vänorter:\n\n- Kemi, Finland\n- Tromsø, Norge [1]"
    steps = list(web.stream_steps(text))
    assert steps[0] == "Luleå"
    assert steps[-1] == text
    assert all(a != b and b.startswith(a) for a, b in zip(steps, steps[1:], strict=False))
    assert len(steps) == len(text.split())


def test_stream_steps_caps_the_number_of_updates():
    text = " ".join(f"ord{i}" for i in range(500))
    steps = list(web.stream_steps(text, max_steps=40))
    assert len(steps) <= 41 and steps[-1] == text
    assert list(web.stream_steps("")) == [""]


def test_highlight_escapes_first_then_marks():
    out = web.highlight("Kemi & <b>Tromsø</b>, kemi", ["kemi", "b"])
    assert out == (
        "<mark>Kemi</mark> &amp; &lt;<mark>b</mark>&gt;Tromsø&lt;/<mark>b</mark>&gt;, "
        "<mark>kemi</mark>"
    )
    # A search never matches inside an entity it created itself.
    assert web.highlight("a & b", ["amp"]) == "a &amp; b"
    assert web.highlight("<x>", []) == "&lt;x&gt;"


def test_search_terms():
    assert web.search_terms("Vänort  KEMI vänort a -") == ["vänort", "kemi"]


def test_search_corpus_hits_show_document_section_and_date():
    docs = FakeSnapshot().documents()
    out = web.search_corpus(docs, "vänort kemi")
    assert "2 träffar för ”vänort kemi”" in out
    assert out.count('class="pb-hit"') == 2
    assert "Plan &lt;b&gt;x&lt;/b&gt;" in out
    assert "avsnitt ”<mark>Vänort</mark>er”" in out
    assert "<time>2021-12-03</time>" in out
    assert "<mark>Kemi</mark>" in out


def test_search_corpus_escapes_query_and_documents():
    docs = FakeSnapshot().documents()
    out = web.search_corpus(docs, "<script>alert(1)</script>")
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    hit = web.search_corpus(docs, "pwned")
    assert "1 träff" in hit and "<img" not in hit and "&lt;img src=x" in hit
    assert "för lång" in web.search_corpus(docs, "x" * (web.SEARCH_MAX_CHARS + 1))
    assert "Skriv ett eller flera sökord" in web.search_corpus(docs, "  ")


def test_browse_documents_by_section():
    docs = FakeSnapshot().documents()
    assert web.document_choices(docs) == [
        ("Plan <b>x</b> (2021-12-03)", "plan"),
        ("Webbsida (2021-10-07)", "webb"),
    ]
    assert web.section_choices(docs, "plan") == [
        ("Alla avsnitt", web.ALL_SECTIONS),
        ("Vänorter", "Vänorter"),
        ("Europa › UBC", "Europa > UBC"),
    ]
    whole = web.render_document(docs, "plan", web.ALL_SECTIONS)
    assert "<h3>Plan &lt;b&gt;x&lt;/b&gt;</h3>" in whole and "3 textavsnitt" in whole
    assert whole.count("<h4>") == 3  # Vänorter, Europa › UBC, Vänorter again
    assert "<img" not in whole
    one = web.render_document(docs, "plan", "Europa > UBC")
    assert "1 textavsnitt" in one and "Kemi" not in one
    assert "Välj ett dokument" in web.render_document(docs, "saknas")


def test_status_line_in_swedish_time():
    out = web.render_status(FakeBot(Settings()).status())
    assert "<strong>2</strong> dokument" in out and "<strong>4</strong> textavsnitt" in out
    assert "senast indexerat 2026-01-15 11:30" in out
    assert "senast indexerat aldrig" in web.render_status({})


# -- the app in-process, with a stand-in bot --------------------------------------------------


@pytest.fixture(scope="module")
def fake_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("web-fake")
    settings = Settings(data_dir=data_dir, max_question_chars=200)
    bot = FakeBot(settings)
    demo = web.build_app(bot, settings)
    url = web.launch(demo, host="127.0.0.1", port=sw.free_port())
    yield SimpleNamespace(url=url, bot=bot, settings=settings, demo=demo)
    demo.close()


def test_only_the_ask_endpoint_is_public(fake_app):
    info = Client(fake_app.url, verbose=False).view_api(print_info=False, return_format="dict")
    assert list(info["named_endpoints"]) == ["/ask"]
    params = info["named_endpoints"]["/ask"]["parameters"]
    assert [p["parameter_name"] for p in params] == ["question", "history"]
    assert "Ställer en fråga" in info["named_endpoints"]["/ask"]["description"]


def test_ask_endpoint_passes_question_and_history(fake_app):
    client = Client(fake_app.url, verbose=False)
    result = client.predict("Vilka vänorter?", ["Första frågan"], api_name="/ask")
    assert result["answer"] == "Svar på Vilka vänorter? [1]"
    assert result["abstained"] is False
    assert result["citations"][0]["quote"].startswith("Citat <script>")  # data, not HTML
    assert set(result) == {"answer", "abstained", "citations", "latency_ms"}
    assert fake_app.bot.calls[-1] == ("Vilka vänorter?", ["Första frågan"])
    client.predict(question="Utan historik", api_name="/ask")
    assert fake_app.bot.calls[-1] == ("Utan historik", [])


def test_ask_endpoint_rejects_too_long_questions_in_swedish(fake_app):
    client = Client(fake_app.url, verbose=False)
    with pytest.raises(Exception, match="Frågan är för lång"):
        client.predict("x" * 201, [], api_name="/ask")
    with pytest.raises(Exception, match="Frågan är tom"):
        client.predict("   ", [], api_name="/ask")


def test_page_is_swedish_and_only_loads_from_this_server(fake_app):
    with urllib.request.urlopen(fake_app.url, timeout=10) as resp:
        page = resp.read().decode("utf-8")
        headers = resp.headers
    assert web.PAGE_SCRIPT in page
    assert page.index(web.PAGE_SCRIPT) < page.index('type="module"')  # before Gradio's code
    csp = headers["Content-Security-Policy"]
    for rule in ("img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'"):
        assert rule in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "fonts.googleapis.com" not in page
    # The theme CSS names system fonts only.
    with urllib.request.urlopen(fake_app.url + "theme.css", timeout=10) as resp:
        theme = resp.read().decode("utf-8")
    assert "googleapis" not in theme and "system-ui" in theme


def test_concurrent_api_calls_are_answered_one_at_a_time(fake_app):
    results: list[dict] = []

    def call(i: int) -> None:
        results.append(
            Client(fake_app.url, verbose=False).predict(f"Fråga {i}", [], api_name="/ask")
        )

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r["answer"] for r in results) == [f"Svar på Fråga {i} [1]" for i in range(4)]
    assert fake_app.bot.max_active == 1  # the shared bot is guarded by a lock


def test_respond_streams_keeps_history_per_session_and_votes(tmp_path):
    """The chat handler itself: streaming, follow-up history, validation, feedback."""
    settings = Settings(data_dir=tmp_path, max_question_chars=50)
    bot = FakeBot(settings)
    demo = web.build_app(bot, settings)
    fns = {fn.name: fn.fn for fn in demo.fns.values()}
    respond, on_vote, restart = fns["respond"], fns["on_vote"], fns["restart"]

    updates = list(respond("Vilka vänorter?", None))
    chat, box, notice, conv = updates[-1]
    assert len(updates) > 3  # placeholder, words, final
    assert "Söker i dokumenten" in updates[0][0][-1]["content"]
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "pb-card" in chat[1]["content"] and box == "" and notice == ""

    updates = list(respond("Och sen?", conv))
    chat, _, _, conv = updates[-1]
    assert bot.calls[-1] == ("Och sen?", ["Vilka vänorter?"])
    assert len(chat) == 4

    # Another session starts from nothing.
    list(respond("Ny fråga", None))
    assert bot.calls[-1] == ("Ny fråga", [])

    # Too long: a Swedish message, the text stays in the box, nothing is asked.
    calls = len(bot.calls)
    [(chat2, box2, notice2, conv2)] = list(respond("x" * 51, conv))
    assert "Frågan är för lång" in notice2 and 'role="alert"' in notice2
    assert len(bot.calls) == calls and len(chat2) == 4

    like = SimpleNamespace(index=3, liked=True, value=None)
    out = on_vote(conv, like)
    assert "Tack" in out
    [row] = FeedbackStore(tmp_path / "feedback.sqlite").rows()
    assert row["question"] == "Och sen?" and row["vote"] == 1
    assert row["citations"][0]["doc_id"] == "plan"
    on_vote(conv, SimpleNamespace(index=3, liked=False, value=None))
    assert [r["vote"] for r in FeedbackStore(tmp_path / "feedback.sqlite").rows()] == [-1]
    on_vote(conv, SimpleNamespace(index=0, liked=True, value=None))  # a question: ignored
    assert FeedbackStore(tmp_path / "feedback.sqlite").count() == 1

    chat3, box3, notice3, conv3 = restart()
    assert chat3 == [] and conv3 == web.new_conversation()


def test_serve_reports_a_busy_port_in_swedish(tmp_path, monkeypatch, capsys):
    import socket

    from bot import service

    settings = Settings(data_dir=tmp_path)
    monkeypatch.setattr(service.PolicyBot, "from_settings", lambda s, progress=True: FakeBot(s))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert web.serve(settings, host="127.0.0.1", port=port) == 1
    err = capsys.readouterr().err
    assert f"Fel: kunde inte starta webbservern på 127.0.0.1:{port}" in err
    assert "--port" in err


# -- the real thing: `python -m bot serve` with the real model and corpus ---------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with sw.served_and_timed(tmp_path_factory, "test_web") as server:
        yield server


def test_serve_prints_url_and_answers_with_citations(served):
    assert f"Policybot körs på {served.url}" in served.log()
    first = served.extra["first"]
    assert first["abstained"] is False
    assert "Kemi" in first["answer"]
    card = first["citations"][0]
    assert card["title"].startswith("Plan för Luleå kommuns internationella arbete")
    assert card["section"] == "Vänorter"
    assert "Kemi, Finland" in card["quote"]


def test_real_follow_up_uses_history(served):
    client = Client(served.url, verbose=False)
    follow = client.predict(
        "Vilka av dem är vilande?", ["Vilka vänorter har Luleå?"], api_name="/ask"
    )
    assert "Zenica" in follow["answer"]


def test_real_abstention_and_length_limit(served):
    client = Client(served.url, verbose=False)
    weather = client.predict("Hur blir vädret i Luleå i helgen?", [], api_name="/ask")
    assert weather["abstained"] is True
    assert weather["citations"] == []
    with pytest.raises(Exception, match="för lång"):
        client.predict("a" * 2001, [], api_name="/ask")
