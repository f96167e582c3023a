"""The web chat in a real browser: Debian's chromium driven by Playwright for Python.

Starts the real `python -m bot serve` (real model, real corpus) on a free port. Never downloads
a browser: chromium must be installed with `apt-get install -y chromium`. Screenshots go to
test-artifacts/ in the repository root.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from gradio_client import Client

from bot.feedback import FeedbackStore
from bot.site import load_site
from config.settings import Settings

try:
    from tests.bot import server_web as sw
except ModuleNotFoundError:  # tests/ is not a package
    import server_web as sw

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
APP_TITLE = load_site(Settings()).title
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
INJECTION = (
    "Vad säger planen? <script>window.__pwned=1;document.title='pwned'</script>"
    "<img src=x onerror=\"window.__pwned=2;document.title='pwned'\">"
    ' <img src="http://example.invalid/spy.png"> ![bild](http://example.invalid/md.png)'
    " ${window.__pwned=3} {{constructor.constructor('window.__pwned=4')()}} **fet**"
)

# Records when the answer starts to show (first streamed text), every length seen while it
# streams, and when it is complete (no cursor left), in the page's own clock.
OBSERVE_ANSWER = """
() => {
  const chat = document.querySelector('#pb-chat');
  const before = chat.querySelectorAll('[data-testid="bot"]').length;
  const t = window.__pbT = {start: null, first: null, done: null, lengths: []};
  document.querySelector('#pb-send').addEventListener(
    'click', () => { t.start = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    if (bots.length <= before) return;
    const last = bots[bots.length - 1];
    const text = last.querySelector('.pb-text');
    if (!text) return;
    const len = text.textContent.length;
    if (t.first === null && len > 0) t.first = performance.now();
    if (t.lengths[t.lengths.length - 1] !== len) t.lengths.push(len);
    if (t.done === null && !last.querySelector('.pb-cursor')) {
      t.done = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(chat, {subtree: true, childList: true, characterData: true});
}
"""


def _shot(page, name: str) -> Path:
    sw.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = sw.ARTIFACTS / f"browser-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _view_shot(page, name: str) -> Path:
    """What the reader sees without scrolling."""
    sw.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = sw.ARTIFACTS / f"browser-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def _squash(text: str) -> str:
    return " ".join(text.replace("▍", "").split())


def _as_shown(answer: str) -> str:
    """An answer's text as the page shows it: list markers become bullets, not text."""
    return _squash(re.sub(r"(?m)^\s*[-*•]\s+", "", answer))


def _install_chromium() -> str:
    """Try `apt-get install -y chromium` (as root, where apt exists); returns apt's output."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return "apt-get is not available here (or we are not root)."
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install, update = ["apt-get", "install", "-y", "chromium"], ["apt-get", "update"]
    out = []
    for cmd in (install, update, install):  # the package lists may be missing or stale
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        out.append(f"$ {' '.join(cmd)} -> {done.returncode}\n{done.stderr[-2000:]}")
        if CHROMIUM.exists():
            break
    return "\n".join(out)


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium; installed with apt-get when missing; a clear failure otherwise."""
    if not CHROMIUM.exists():
        report = _install_chromium()
        if not CHROMIUM.exists():
            pytest.fail(
                f"{CHROMIUM} saknas och kunde inte installeras. Installera Debians chromium med "
                "`apt-get install -y chromium` (testet laddar aldrig ner någon webbläsare och "
                f"kör inte `playwright install`).\n{report}"
            )
    return CHROMIUM


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    # Not a question the browser tests ask: their time to first token is then not cached.
    with sw.served_and_timed(tmp_path_factory, "test_browser", "Vad är syftet med planen?") as s:
        yield s


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()
    finally:
        pw.stop()


class _Guarded:
    """A browser context (English locale) that records every request to another host.

    Listening rather than intercepting keeps the timings honest; the page's content security
    policy blocks such loads anyway, and a blocked load shows up as a console message.
    """

    def __init__(self, browser, url: str, viewport: dict = DESKTOP) -> None:
        self.context = browser.new_context(locale="en-US", viewport=viewport)
        self.remote: list[str] = []
        self.console: list[str] = []
        self.context.on("request", self._seen)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.goto(url)
        # Gradio renders the blocks one by one: the page is ready when all of these are there.
        for selector in ("#pb-question textarea", "#pb-send", "#pb-chat"):
            self.page.wait_for_selector(selector)

    def _seen(self, request) -> None:
        url = request.url
        if urlparse(url).hostname not in LOCAL_HOSTS and not url.startswith(("data:", "blob:")):
            self.remote.append(url)

    def close(self) -> None:
        self.context.close()
        assert self.remote == [], f"the page tried to load from other hosts: {self.remote}"
        csp = [m for m in self.console if "Content Security Policy" in m]
        assert csp == [], f"content security policy violations: {csp}"


@pytest.fixture
def page(browser, served):
    """A fresh page (English browser, to show the page is Swedish anyway); remote loads checked."""
    guarded = _Guarded(browser, served.url)
    yield guarded.page
    guarded.close()


def _ask(page, question: str) -> dict:
    """Type a question, send it, wait until the whole answer has streamed in; page timings."""
    page.evaluate(OBSERVE_ANSWER)
    page.fill("#pb-question textarea", question)
    page.click("#pb-send")
    page.wait_for_function("() => window.__pbT.done !== null", timeout=120_000)
    return page.evaluate("() => window.__pbT")


def _last_bot(page):
    return page.locator('#pb-chat [data-testid="bot"]').last


def test_question_answer_source_card_and_thumbs_up(page, served):
    _shot(page, "01-start")
    page.evaluate(OBSERVE_ANSWER)
    page.fill("#pb-question textarea", "Vilka vänorter har Luleå?")
    page.click("#pb-send")
    page.wait_for_function("() => window.__pbT.first !== null", timeout=120_000)
    _shot(page, "02-streaming")
    page.wait_for_function("() => window.__pbT.done !== null", timeout=120_000)
    timing = page.evaluate("() => window.__pbT")

    bot = _last_bot(page)
    assert "Kemi, Finland" in bot.locator(".pb-text").inner_text()
    # The list is a list, shown once: in the answer, not again in its card.
    items = bot.locator(".pb-text li").all_inner_texts()
    assert "Kemi, Finland" in items and "Zenica, Bosnien Hercegovina [1]" in items
    card = bot.locator(".pb-card").first
    assert card.locator(".pb-num").inner_text() == "1"
    assert (
        card.locator(".pb-title")
        .inner_text()
        .startswith("Plan för Luleå kommuns internationella arbete")
    )
    assert "Avsnitt: Vänorter" in card.locator(".pb-meta").inner_text()
    assert "Uppdaterad: 2021-12-03" in card.locator(".pb-meta").inner_text()
    assert card.locator(".pb-quote").count() == 0
    assert bot.inner_text().count("Zenica") == 1
    assert bot.locator(".pb-sources-title").inner_text() == "Källor"

    # It streamed: the text grew in several steps before it was complete.
    assert len(timing["lengths"]) >= 3, timing
    ttft_ms = timing["first"] - timing["start"]
    sw.record_timings(
        browser_time_to_first_token_ms=round(ttft_ms),
        browser_time_to_full_answer_ms=round(timing["done"] - timing["start"]),
        browser_stream_updates=len(timing["lengths"]),
    )
    assert ttft_ms < 10_000
    _shot(page, "03-answer")

    store = FeedbackStore(served.data_dir / "feedback.sqlite")
    before = store.count()
    page.locator("#pb-chat").get_by_role("button", name="Gilla", exact=True).last.click()
    page.wait_for_selector("#pb-notice .pb-notice-ok")
    assert "Tack! Ditt omdöme har sparats." in page.inner_text("#pb-notice")
    deadline = time.monotonic() + 10
    while store.count() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    row = store.rows()[-1]
    assert row["question"] == "Vilka vänorter har Luleå?"
    assert row["vote"] == 1
    assert "Kemi, Finland" in row["answer"]
    assert row["citations"][0]["section"] == "Vänorter"
    _shot(page, "04-thumbs-up")


def test_injected_script_and_images_do_nothing(page):
    title = page.title()
    assert title == APP_TITLE
    _ask(page, INJECTION)
    assert page.evaluate("() => window.__pwned") is None
    assert page.title() == title
    user = page.locator('#pb-chat [data-testid="user"]').last.inner_text()
    assert _squash(user) == _squash(INJECTION)  # shown literally, as text
    assert page.locator("#pb-chat img").count() == 0
    assert page.locator("#pb-chat script").count() == 0
    assert page.locator("#pb-chat b, #pb-chat strong").count() == 0
    _shot(page, "05-injection")

    # The staff search echoes the query: also as text only.
    page.get_by_role("tab", name="Källor").click()
    query = '<script>window.__pwned=5</script><img src=x onerror="window.__pwned=6">'
    page.fill("#pb-search textarea, #pb-search input", query)
    page.click("#pb-search-btn")
    page.wait_for_selector("#pb-results .pb-search-summary")
    assert f"0 träffar för ”{query}”" in page.inner_text("#pb-results")
    assert page.locator("#pb-results img, #pb-results script").count() == 0
    time.sleep(0.5)
    assert page.evaluate("() => window.__pwned") is None
    assert page.title() == title


def test_follow_up_uses_the_conversation_and_new_conversation_resets(page, served):
    first, follow = "Vilka vänorter har Luleå?", "Vilka av dem är vilande?"
    _ask(page, first)
    _ask(page, follow)
    shown = _squash(_last_bot(page).locator(".pb-text").inner_text())
    client = Client(served.url, verbose=False)
    with_history = _as_shown(client.predict(follow, [first], api_name="/ask")["answer"])
    alone = _as_shown(client.predict(follow, [], api_name="/ask")["answer"])
    assert shown == with_history
    if with_history != alone:
        assert shown != alone
    assert page.locator('#pb-chat [data-testid="user"]').count() == 2

    page.click("#pb-restart")
    page.wait_for_function(
        "() => document.querySelectorAll('#pb-chat [data-testid=\"user\"]').length === 0"
    )
    _ask(page, follow)
    assert _squash(_last_bot(page).locator(".pb-text").inner_text()) == alone
    assert page.locator('#pb-chat [data-testid="user"]').count() == 1


def test_abstention_is_clearly_marked(page):
    _ask(page, "Hur blir vädret i Luleå i helgen?")
    bot = _last_bot(page)
    assert bot.locator(".pb-abstain-label").inner_text() == "⚠ Inget svar i dokumenten"
    assert "Det framgår inte av dokumenten." in bot.locator(".pb-text").inner_text()
    assert bot.locator(".pb-card").count() == 0
    _shot(page, "06-abstention")


def test_too_long_question_gets_a_swedish_message(page):
    page.fill("#pb-question textarea", "a" * 2001)
    page.click("#pb-send")
    alert = page.wait_for_selector("#pb-notice [role=alert]")
    assert alert.inner_text() == "Frågan är för lång (2001 tecken). Högst 2000 tecken tillåts."
    assert page.input_value("#pb-question textarea") == "a" * 2001  # kept, to shorten it
    assert page.locator('#pb-chat [data-testid="user"]').count() == 0
    _shot(page, "07-too-long")


def test_example_question_button(page):
    page.evaluate(OBSERVE_ANSWER)
    page.get_by_role("button", name="Samarbetar Luleå kommun med Kina?").click()
    page.wait_for_function("() => window.__pbT.done !== null", timeout=120_000)
    user = page.locator('#pb-chat [data-testid="user"]').last.inner_text()
    assert user.strip() == "Samarbetar Luleå kommun med Kina?"
    assert _last_bot(page).locator(".pb-card").count() >= 1


def test_staff_sources_tab(page):
    page.get_by_role("tab", name="Källor").click()
    # The line is a placeholder (aria-busy) until the page load has fetched the index's status.
    status = page.wait_for_selector("#pb-status .pb-status:not([aria-busy])").inner_text()
    assert re.fullmatch(
        r"2 dokument · \d+ textavsnitt · senast indexerat "
        r"\d{4}-\d\d-\d\d \d\d:\d\d \(svensk tid\)",
        status,
    ), status

    page.fill("#pb-search textarea, #pb-search input", "vänort")
    page.press("#pb-search textarea, #pb-search input", "Enter")
    page.wait_for_selector("#pb-results mark")
    summary = page.inner_text("#pb-results .pb-search-summary")
    assert re.fullmatch(r"\d+ träffar för ”vänort”", summary), summary
    hit = page.locator("#pb-results .pb-hit").first
    meta = hit.locator(".pb-hit-meta").inner_text()
    assert "Plan för Luleå kommuns internationella arbete" in meta
    assert "avsnitt ”" in meta and "uppdaterad 2021-12-03" in meta
    assert hit.locator("mark").first.inner_text().lower() == "vänort"

    # Browse: the first document is shown; pick the plan, then one of its sections.
    page.wait_for_selector("#pb-document .pb-doc h3")
    page.locator("#pb-doc input").click()
    page.get_by_role("option", name=re.compile(r"^Plan för Luleå kommuns")).click()
    page.wait_for_function(
        "() => document.querySelector('#pb-document h3').textContent.startsWith('Plan för')"
    )
    page.locator("#pb-section input").click()
    page.get_by_role("option", name="Vänorter", exact=True).click()
    page.wait_for_function(
        "() => document.querySelectorAll('#pb-document .pb-section h4').length === 1"
    )
    assert page.inner_text("#pb-document .pb-section h4") == "Vänorter"
    assert "Kemi" in page.inner_text("#pb-document")
    _shot(page, "08-kallor")


def test_page_is_swedish(page):
    assert page.evaluate("() => document.documentElement.lang") == "sv"
    _ask(page, "Vad är syftet med planen?")
    for name in ("Gilla", "Ogilla", "Ny konversation", "Skicka"):
        assert page.get_by_role("button", name=name, exact=True).last.is_visible(), name
    # Screen-reader labels are Swedish text, never markup.
    labels = page.evaluate(
        """() => Array.from(document.querySelectorAll('[aria-label]'))
             .map(e => e.getAttribute('aria-label'))"""
    )
    assert not [x for x in labels if "<" in x or "message" in x], labels
    text = page.inner_text("body")
    for english in ("Loading", "Submit", "Clear", "Error", "Built with", "Use via API", "Like"):
        assert english not in text


def test_two_users_at_once_keep_their_own_conversations(browser, served):
    first, follow = "Vilka vänorter har Luleå?", "Vilka av dem är vilande?"
    client = Client(served.url, verbose=False)
    with_history = _as_shown(client.predict(follow, [first], api_name="/ask")["answer"])
    alone = _as_shown(client.predict(follow, [], api_name="/ask")["answer"])
    anna, bertil = _Guarded(browser, served.url), _Guarded(browser, served.url)
    try:
        _ask(anna.page, first)
        # Both send at the same time: Bertil's follow-up must not see Anna's question.
        for user, question in ((anna, follow), (bertil, follow)):
            user.page.evaluate(OBSERVE_ANSWER)
            user.page.fill("#pb-question textarea", question)
        anna.page.click("#pb-send")
        bertil.page.click("#pb-send")
        for user in (anna, bertil):
            user.page.wait_for_function("() => window.__pbT.done !== null", timeout=120_000)
        assert _squash(_last_bot(anna.page).locator(".pb-text").inner_text()) == with_history
        assert _squash(_last_bot(bertil.page).locator(".pb-text").inner_text()) == alone
        assert bertil.page.locator('#pb-chat [data-testid="user"]').count() == 1
    finally:
        anna.close()
        bertil.close()


# -- accessibility, keyboard, phone, cards ----------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"1280x900": DESKTOP, "390x844": PHONE}
TWO_SOURCES = "Vad är Europaforum Norra Sverige?"  # cites the plan and the web page


def _axe(page, name: str) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations; the report goes to test-artifacts/axe-NAME.*."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    sw.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    violations = results.response["violations"]
    (sw.ARTIFACTS / f"axe-{name}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (sw.ARTIFACTS / f"axe-{name}.txt").write_text(results.generate_report(), encoding="utf-8")
    return violations


def _in_view(page, selector: str, whole: bool = True) -> bool:
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    if box is None:
        return False
    bottom = box["y"] + (box["height"] if whole else min(box["height"], 24))
    return box["y"] >= 0 and bottom <= height


def _comes_into_view(page, selector: str, whole: bool = True, seconds: float = 3.0) -> bool:
    """In view now or once the page has settled: document.js brings the passage back 150 and
    400 ms after other parts of Källor may have pushed it away, later on a loaded machine."""
    deadline = time.monotonic() + seconds
    while not _in_view(page, selector, whole):
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(100)
    return True


def _open_passage(page, card) -> None:
    card.get_by_role("button", name=re.compile("^Visa i Källor")).click()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'pb-passage'"
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_axe_finds_no_wcag_violations_in_chat_and_kallor(browser, served, size):
    user = _Guarded(browser, served.url, SIZES[size])
    try:
        page = user.page
        _view_shot(page, f"{size}-01-start")
        _ask(page, TWO_SOURCES)
        time.sleep(0.5)  # the answer's scroll into view
        _view_shot(page, f"{size}-02-answer")
        _shot(page, f"{size}-02-answer-full")
        chat = _axe(page, f"chat-{size}")
        _open_passage(page, _last_bot(page).locator(".pb-card").first)
        time.sleep(0.5)  # later updates of the Källor view must not scroll the passage away
        assert _comes_into_view(page, "#pb-passage", whole=False)
        _view_shot(page, f"{size}-03-kallor-passage")
        kallor = _axe(page, f"kallor-{size}")
        sw.record_timings(
            **{
                f"axe_violations_chat_{size}": len(chat),
                f"axe_violations_kallor_{size}": len(kallor),
            }
        )
        summary = {v["id"]: len(v["nodes"]) for v in chat + kallor}
        assert chat == [] and kallor == [], f"axe (see test-artifacts/axe-*-{size}.txt): {summary}"
    finally:
        user.close()


def test_keyboard_only_ask_vote_and_start_over(page, served):
    def press_until(predicate: str, key: str = "Tab", limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press(key)
            if page.evaluate(predicate):
                return
        pytest.fail(f"{key} never reached {predicate}")

    def outline() -> float:
        return page.evaluate(
            "() => parseFloat(getComputedStyle(document.activeElement).outlineWidth) || 0"
        )

    assert page.evaluate("() => document.activeElement === document.body")  # nothing on load
    press_until("() => document.activeElement.matches('#pb-question textarea')")
    page.evaluate(OBSERVE_ANSWER)
    page.keyboard.type("Vilka vänorter har Luleå?")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__pbT.done !== null", timeout=120_000)
    assert "Kemi, Finland" in _last_bot(page).locator(".pb-text").inner_text()

    store = FeedbackStore(served.data_dir / "feedback.sqlite")
    before = store.count()
    press_until("() => document.activeElement.dataset.vote === 'up'", key="Shift+Tab")
    assert outline() >= 2  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_selector("#pb-notice .pb-notice-ok")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-pressed')") == "true"
    deadline = time.monotonic() + 10
    while store.count() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.rows()[-1]["vote"] == 1

    press_until("() => document.activeElement.id === 'pb-restart'")
    assert outline() >= 2
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#pb-chat [data-testid=\"user\"]').length === 0"
    )
    _shot(page, "09-keyboard-new-conversation")


def test_phone_shows_title_and_input_then_the_start_of_the_answer_and_input(browser, served):
    user = _Guarded(browser, served.url, PHONE)
    try:
        page = user.page
        time.sleep(0.5)
        assert page.evaluate("() => document.activeElement === document.body")
        assert page.evaluate("() => window.scrollY") == 0
        assert _in_view(page, "#pb-header h1") and _in_view(page, "#pb-question textarea")
        assert page.locator(".pb-example").first.is_visible()
        _view_shot(page, "390x844-10-start")

        _ask(page, "Vilka är kommunens prioriterade internationella fokusområden?")
        time.sleep(0.8)  # the smooth scroll to the new answer
        first_line = "#pb-chat .pb-turn:last-child .pb-text > :first-child"
        assert _in_view(page, first_line, whole=False), page.locator(first_line).bounding_box()
        # The question box stays on screen for the next question.
        assert _in_view(page, "#pb-question textarea")
        # The examples fold away once the conversation has started.
        assert not page.locator(".pb-example").first.is_visible()
        _view_shot(page, "390x844-11-answer")
    finally:
        user.close()


def test_each_source_card_opens_kallor_at_its_passage_highlighted(page, served):
    expected = Client(served.url, verbose=False).predict(TWO_SOURCES, [], api_name="/ask")
    _ask(page, TWO_SOURCES)
    cards = _last_bot(page).locator(".pb-card")
    assert cards.count() == len(expected["citations"]) >= 2
    for i, citation in enumerate(expected["citations"]):
        page.get_by_role("tab", name="Chatt").click()
        card = _last_bot(page).locator(".pb-card").nth(i)
        _open_passage(page, card)
        assert page.get_by_role("tab", name="Källor").get_attribute("aria-selected") == "true"
        assert page.inner_text("#pb-document h3") == citation["title"]
        marked = page.locator("#pb-passage mark").all_inner_texts()
        assert marked and _squash(marked[0]) in _squash(citation["quote"])
        assert _comes_into_view(page, "#pb-passage", whole=False)
        _shot(page, f"12-card-{i + 1}-in-kallor")
