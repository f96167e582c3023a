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

from bot.answerer import Answer, Citation
from bot.feedback import FeedbackStore
from bot.localtime import format_local
from bot.retrieval import Record
from bot.service import validate_question
from bot.site import load_site
from bot.web import app, chat, markup, page, render, server, sources
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
    assert markup.safe_url(url) == expected


def test_answer_with_source_cards_is_escaped():
    answer = Answer("Svar <b>fet</b> [1]", False, [_citation()])
    out = render.render_answer(answer)
    assert "<script" not in out and "<img" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in out
    assert "Svar &lt;b&gt;fet&lt;/b&gt; " in out
    assert '<span class="pb-ref">[1]</span>' in out
    assert 'class="pb-card"' in out and "Källor" in out
    assert "Plan &lt;i&gt;för&lt;/i&gt; arbetet" in out
    # The short section name, the whole trail one click away.
    assert '<span class="pb-section">Union of the Baltic Cities</span>' in out
    assert "Hela rubriken: Europa › Union of the Baltic Cities" in out
    assert '<time datetime="2021-12-03">2021-12-03</time>' in out
    # The quote is not in the answer, so the card shows it, its lines kept.
    assert "<p>Citat &lt;script&gt;" in out and "<br>andra raden &amp; mer</p>" in out
    assert 'href="https://www.lulea.se/plan?a=1&amp;b=2"' in out
    assert 'rel="noopener noreferrer nofollow"' in out
    assert "Inget svar i dokumenten" not in out


def test_answer_once_lists_as_lists_and_card_without_the_repeated_quote():
    quote = "Luleå har sex vänorter:\n\n- Kemi, Finland\n- Tromsø, Norge"
    answer = Answer(f"{quote} [1]", False, [_citation(quote=quote, section="Vänorter")])
    out = render.render_answer(answer)
    assert "<p>Luleå har sex vänorter:</p><ul><li>Kemi, Finland</li><li>Tromsø, Norge" in out
    assert "- Kemi" not in out
    assert out.count("Kemi, Finland") == 1  # the answer, not again in its card
    assert "pb-quote" not in out and 'class="pb-card"' in out
    assert 'Avsnitt: <span class="pb-section">Vänorter</span>' in out
    assert "Hela rubriken" not in out  # one heading: nothing more to unfold


def test_long_headings_are_shortened_in_cards():
    heading = "Regionalt/arktiskt samarbete (Arctic Mayors´ Forum, Bottenviksbågen, " + (
        "Barents Väg Internationella Förening, Uleåborg, Bodö och Tromsö)."
    )
    short = sources.short_section(f"{heading} > Arktiskt samarbete")
    assert short == "Arktiskt samarbete"
    assert len(sources.short_section(heading)) <= sources.SHORT_SECTION_CHARS + 2
    assert sources.short_section(heading).endswith(" …")


def test_card_has_no_link_without_a_safe_url():
    for url in (None, "", "javascript:alert(1)"):
        out = render.render_answer(Answer("Svar [1]", False, [_citation(url=url)]))
        assert "<a " not in out and "Öppna dokumentet" not in out


def test_abstention_is_marked():
    out = render.render_answer(Answer("Det framgår inte av dokumenten.", True))
    assert "Inget svar i dokumenten" in out
    assert "pb-abstain-label" in out and "pb-abstained" in out
    assert "pb-sources" not in out and "pb-contact" not in out


def test_abstention_shows_the_closest_section_the_answerer_names_and_where_to_ask():
    text = "Det framgår inte av dokumenten. Närmast kommer avsnittet ”Vänorter” i planen."
    far = Answer("Det framgår inte av dokumenten.", True, abstain_code="missing-words")
    near = Answer(text, True, abstain_code="near-miss")
    contact = "Kontaktcenter, www.lulea.se/kontakt"
    out = render.render_answer(far, contact=contact)
    assert "Vänorter" not in out
    assert "Fråga gärna här i stället: Kontaktcenter, " in out
    assert '<a href="https://www.lulea.se/kontakt"' in out
    assert "Närmast kommer avsnittet ”Vänorter” i planen." in render.render_answer(near)


def test_partial_answer_has_cursor_and_no_cards_yet():
    answer = Answer("Ett två tre [1]", False, [_citation()])
    out = render.render_answer(answer, shown="Ett två")
    assert "Ett två" in out and "tre" not in out
    assert "pb-cursor" in out and "pb-card" not in out


def test_conversation_escapes_the_question_and_marks_turns():
    turns = [{"id": "a1", "question": XSS, "state": "pending", "vote": 0}]
    out = render.render_conversation(turns)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x" in out
    assert "<script" not in out and "<img" not in out
    assert 'data-testid="user"' in out and "Söker i dokumenten" in out
    assert 'aria-busy="true"' in out
    assert "Här visas samtalet" in render.render_conversation([])


def test_stream_steps_grow_word_by_word_and_end_with_the_whole_text():
    text = "Luleå har sex vänorter:\n\n- Kemi, Finland\n- Tromsø, Norge [1]"
    steps = list(chat.stream_steps(text))
    assert steps[0] == "Luleå"
    assert steps[-1] == text
    assert all(a != b and b.startswith(a) for a, b in zip(steps, steps[1:], strict=False))
    assert len(steps) == len(text.split())


def test_stream_steps_caps_the_number_of_updates():
    text = " ".join(f"ord{i}" for i in range(500))
    steps = list(chat.stream_steps(text, max_steps=40))
    assert len(steps) <= 41 and steps[-1] == text
    assert list(chat.stream_steps("")) == [""]


def test_highlight_escapes_and_marks_in_the_raw_text():
    text = "Kemi & <b>Tromsø</b>, kemi"
    out = render.ENV.from_string('{% from "macros.j2" import blocks %}{{ blocks(b) }}').render(
        b=markup.blocks(text, sources.term_spans(text, ["kemi", "b"]))
    )
    assert out == (
        "<p><mark>Kemi</mark> &amp; &lt;<mark>b</mark>&gt;Tromsø&lt;/<mark>b</mark>&gt;, "
        "<mark>kemi</mark></p>"
    )
    # A search never matches inside an entity (matching happens before escaping).
    assert sources.term_spans("a & b", ["amp"]) == []


def test_addresses_in_text_become_links():
    [block] = markup.blocks("För mer information: www.ubc.net Länk")
    links = [p for p in block.lines[0] if p.href]
    assert [(p.text, p.href) for p in links] == [("www.ubc.net", "https://www.ubc.net")]


def test_search_terms():
    assert sources.search_terms("Vänort  KEMI vänort a -") == ["vänort", "kemi"]


def test_search_corpus_hits_show_document_section_and_date():
    docs = FakeSnapshot().documents()
    out = render.render_search(docs, "vänort kemi")
    assert "2 träffar för ”vänort kemi”" in out
    assert out.count('class="pb-hit"') == 2
    assert "Plan &lt;b&gt;x&lt;/b&gt;" in out
    assert "avsnitt ”<mark>Vänort</mark>er”" in out
    assert "<time>2021-12-03</time>" in out
    assert "<mark>Kemi</mark>" in out


def test_search_corpus_escapes_query_and_documents():
    docs = FakeSnapshot().documents()
    out = render.render_search(docs, "<script>alert(1)</script>")
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    hit = render.render_search(docs, "pwned")
    assert "1 träff" in hit and "<img" not in hit and "&lt;img src=x" in hit
    too_long = "x" * (sources.SEARCH_MAX_CHARS + 1)
    assert "för lång" in render.render_search(docs, too_long)
    assert "Skriv ett eller flera sökord" in render.render_search(docs, "  ")


def test_browse_documents_by_section():
    docs = FakeSnapshot().documents()
    assert sources.document_choices(docs) == [
        ("Plan <b>x</b> (2021-12-03)", "plan"),
        ("Webbsida (2021-10-07)", "webb"),
    ]
    assert sources.section_choices(docs, "plan") == [
        ("Alla avsnitt", sources.ALL_SECTIONS),
        ("Vänorter", "Vänorter"),
        ("UBC", "Europa > UBC"),
    ]
    whole = render.render_document(docs, "plan", sources.ALL_SECTIONS)
    assert "<h3>Plan &lt;b&gt;x&lt;/b&gt;</h3>" in whole and "3 textavsnitt" in whole
    assert whole.count("<h4") == 3  # Vänorter, Europa › UBC, Vänorter again
    assert "<img" not in whole
    one = render.render_document(docs, "plan", "Europa > UBC")
    assert "1 textavsnitt" in one and "Kemi" not in one
    assert "Välj ett dokument" in render.render_document(docs, "saknas")


def test_a_cited_passage_is_found_and_highlighted_in_its_document():
    docs = FakeSnapshot().documents()
    found = sources.locate(docs["plan"], "Vänorter", "Vänorten  Kemi\ni Finland.")
    assert found is not None
    chunk_id, start, end, _ = found
    assert chunk_id == "plan#2"
    out = render.render_document(docs, "plan", "Vänorter", (chunk_id, start, end))
    assert "<mark>Vänorten Kemi i Finland.</mark>" in out
    assert 'id="pb-passage" tabindex="-1"' in out
    assert sources.locate(docs["plan"], "Vänorter", "Finns inte alls") is None


def test_status_line_in_swedish_time():
    out = render.render_status(FakeBot(Settings()).status())
    assert "<strong>2</strong> dokument · <strong>4</strong> textavsnitt" in out
    assert "senast indexerat <time>2026-01-15 11:30 (svensk tid)</time>" in out
    assert "senast indexerat <time>aldrig</time>" in render.render_status({})


def test_status_line_while_loading_claims_nothing():
    out = render.render_status(None)
    assert 'aria-busy="true"' in out and "Hämtar indexets status" in out
    assert "dokument" not in out and "aldrig" not in out


def test_local_time_is_stockholm_time_with_date():
    assert format_local("2026-07-01T10:00:00+00:00") == "2026-07-01 12:00 (svensk tid)"
    assert format_local("2026-01-15T10:30:00") == "2026-01-15 11:30 (svensk tid)"
    assert format_local(None) == "aldrig"


def test_site_identity_from_site_yaml_and_settings(tmp_path):
    luleå = load_site(Settings())
    assert luleå.title == "Fråga Luleå kommuns policydokument"
    assert luleå.example_questions[0] == "Vilka vänorter har Luleå?"
    assert luleå.contact == ""
    (tmp_path / "site.yaml").write_text(
        'title: Fråga Umeå\nmunicipality: Umeå kommun\nexample_questions: ["Vad gäller?"]\n',
        encoding="utf-8",
    )
    umeå = load_site(Settings(corpus_dir=tmp_path, contact="Ring 090-16 10 00"))
    assert (umeå.title, umeå.municipality) == ("Fråga Umeå", "Umeå kommun")
    assert umeå.example_questions == ("Vad gäller?",) and umeå.contact == "Ring 090-16 10 00"
    override = load_site(Settings(corpus_dir=tmp_path, site_title="Annat", example_questions=[]))
    assert override.title == "Annat" and override.example_questions == ()
    neutral = load_site(Settings(corpus_dir=tmp_path / "saknas"))
    assert neutral.title == "Fråga kommunens policydokument"


# -- the app in-process, with a stand-in bot --------------------------------------------------


@pytest.fixture(scope="module")
def fake_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("web-fake")
    settings = Settings(data_dir=data_dir, max_question_chars=200)
    bot = FakeBot(settings)
    demo = app.build_app(bot, settings)
    url = server.launch(demo, host="127.0.0.1", port=sw.free_port())
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
    assert set(result) == {"answer", "abstained", "citations", "latency_ms", "answerer"}
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
        html = resp.read().decode("utf-8")
        headers = resp.headers
    assert page.PAGE_SCRIPT in html
    assert html.index(page.PAGE_SCRIPT) < html.index('type="module"')  # before Gradio's code
    csp = headers["Content-Security-Policy"]
    for rule in ("img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'"):
        assert rule in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "fonts.googleapis.com" not in html
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
    demo = app.build_app(bot, settings)
    fns = {fn.name: fn.fn for fn in demo.fns.values()}
    respond, vote, restart = fns["respond"], fns["vote"], fns["restart"]

    def vote_event(index, liked):
        return SimpleNamespace(_data={"index": index, "liked": liked})

    updates = list(respond("Vilka vänorter?", None))
    html, box, notice, live, examples, conv = updates[-1]
    assert len(updates) > 3  # placeholder, words, final
    assert "Söker i dokumenten" in updates[0][0]
    assert html.count('data-testid="user"') == 1 and html.count('data-testid="bot"') == 1
    assert "pb-card" in html and box == "" and notice == ""
    # The finished answer, and only it, goes to the live region; the examples fold away.
    assert "Svar på Vilka vänorter?" in live and "1 källa" in live
    assert all(not isinstance(u[3], str) or u[3] == "" for u in updates[1:-1])
    assert examples["open"] is False

    updates = list(respond("Och sen?", conv))
    html, _, _, _, _, conv = updates[-1]
    assert bot.calls[-1] == ("Och sen?", ["Vilka vänorter?"])
    assert html.count('data-testid="bot"') == 2

    # Another session starts from nothing.
    list(respond("Ny fråga", None))
    assert bot.calls[-1] == ("Ny fråga", [])

    # Too long: a Swedish message, the text stays in the box, nothing is asked.
    calls = len(bot.calls)
    [(html2, box2, notice2, _, _, conv2)] = list(respond("x" * 51, conv))
    assert "Frågan är för lång" in notice2 and 'role="alert"' in notice2
    assert len(bot.calls) == calls and html2.count('data-testid="bot"') == 2
    assert not isinstance(box2, str)  # left as typed

    out, conv = vote(conv, vote_event(1, True))
    assert "Tack" in out
    [row] = FeedbackStore(tmp_path / "feedback.sqlite").rows()
    assert row["question"] == "Och sen?" and row["vote"] == 1
    assert row["citations"][0]["doc_id"] == "plan"
    vote(conv, vote_event(1, False))
    assert [r["vote"] for r in FeedbackStore(tmp_path / "feedback.sqlite").rows()] == [-1]
    vote(conv, vote_event(5, True))  # no such answer: ignored
    vote(conv, vote_event(0, "yes"))  # not a vote: ignored
    assert FeedbackStore(tmp_path / "feedback.sqlite").count() == 1

    html3, box3, notice3, _, examples3, conv3 = restart()
    assert "Här visas samtalet" in html3 and conv3 == chat.new_conversation()
    assert examples3["open"] is True


def test_serve_reports_a_busy_port_in_swedish(tmp_path, monkeypatch, capsys):
    import socket

    from bot import service

    settings = Settings(data_dir=tmp_path)
    monkeypatch.setattr(service.PolicyBot, "from_settings", lambda s, progress=True: FakeBot(s))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert server.serve(settings, host="127.0.0.1", port=port) == 1
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


def test_search_skips_page_furniture():
    from bot.retrieval import Record

    def chunk(text: str, order: int) -> Record:
        meta = {"doc_id": "sida", "order": order, "section": "Kemi", "chunk": f"sida#{order}"}
        return Record(f"c{order}", text, meta)

    entry = {"title": "Sida", "updated": "2021-10-07", "kind": "webbsida", "url": None}
    entry["chunks"] = [chunk("Länk till annan webbplats Kemi.", 0), chunk("Kemi är en vänort.", 1)]
    result = sources.search({"sida": entry}, "kemi")
    assert [r.text for _, r in result.hits] == ["Kemi är en vänort."]
