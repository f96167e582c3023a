"""The "Medlemskap och vänorter" table in Källor (issue 10): rendering, the stored file, and the
real page in a browser (sorting, citations into Källor, the phone layout, axe).

The register here is made in the test from ``bot.register_store`` models; its references point
at real passages of the project's corpus (document ids, heading trails and verbatim quotes of
corpus/plan-internationellt-arbete.md and corpus/internationella-organisationer.md), so a
citation can be opened in the real index.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bot.register_store import COLUMNS, Conflict, Entry, Ref, Register, register_path, save
from bot.web import sources
from bot.web.register import MISSING, NOT_BUILT, RegisterPage, collate, ordered, ranks
from bot.web.register import render_register as render
from config.settings import DEFAULT_CORPUS, Settings

PLAN = "plan-internationellt-arbete"
PLAN_TITLE = "Plan för Luleå kommuns internationella arbete 2019–2023"
PLAN_H1 = "Plan för Luleå kommuns internationella arbete 2019 – 2023"
WEB = "internationella-organisationer"
WEB_TITLE = "Internationella organisationer"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def _plan(trail: str, quote: str) -> Ref:
    return Ref(
        doc_id=PLAN,
        title=PLAN_TITLE,
        section=f"{PLAN_H1} > {trail}",
        updated="2021-12-03",
        quote=quote,
        url="https://www.lulea.se/plan",
    )


def _web(trail: str, quote: str) -> Ref:
    return Ref(
        doc_id=WEB,
        title=WEB_TITLE,
        section=f"{WEB_TITLE} > {trail}",
        updated="2021-10-07",
        quote=quote,
    )


UBC = "Europa > Union of the Baltic Cities"
BORG = "Europa > Borgmästaravtalet"
VANORTER = "Vänorter"
UBC_SINCE = _plan(UBC, "Luleå kommun blev medlem av Union of the Baltic Cities 2003.")
UBC_STATUS = _plan(UBC, "Genom medlemskapet i Union of the Baltic Cities vill Luleå kommun:")
UBC_PURPOSE = (
    "UBC har som främsta målsättning att bidra till den demokratiska, ekonomiska, sociala, "
    "kulturella och miljövänliga utvecklingen av Östersjöregionen."
)
UBC_MEMBERS = (
    "UBC har över 100 medlemmar i tio länder: Sverige, Danmark, Norge, Finland, Tyskland, "
    "Estland, Lettland, Litauen, Polen och Ryssland."
)
UBC_OLDER = _web(
    "Union of the Baltic Cities och North Sweden",
    "en organisation bestående av 108 städer runt Östersjön",
)
BORG_SINCE = _plan(BORG, "Sedan januari 2015 är Luleå kommun en undertecknare")
BORG_ROLE = _plan(
    BORG,
    'Som "signator" så ska man rapportera in åtgärder och följa upp arbetet vartannat år.',
)
KEMI = _plan(
    VANORTER, "Luleå och Kemi städer har haft en vänortsrelation som har pågått under många år."
)
DORMANT = _plan(
    VANORTER,
    "Vänorterna Zenica och Puerto Cabezas ska fortsätta ha en vilande status tills dess att "
    "aktivt samarbete blir aktuellt igen.",
)


def _register(built_at: str = "2026-01-15T10:30:00+00:00") -> Register:
    owner = "Luleå kommun"
    rows = [
        Entry(
            owner=owner,
            name="Union of the Baltic Cities",
            aliases=["UBC", "Union of Baltic Cities"],
            type="organisation",
            sources=[UBC_SINCE, UBC_OLDER],
            cells={
                "since": {"value": "2003", "ref": UBC_SINCE},
                "status": {"value": "active", "ref": UBC_STATUS},
                "purpose": {"value": UBC_PURPOSE, "ref": _plan(UBC, UBC_PURPOSE)},
                "members": {
                    "value": ["över 100 medlemmar i tio länder"],
                    "ref": _plan(UBC, UBC_MEMBERS),
                },
            },
            conflicts=[
                Conflict(cell="members", value=["108 städer runt Östersjön"], ref=UBC_OLDER)
            ],
        ),
        Entry(
            owner=owner,
            name="Borgmästaravtalet",
            type="agreement",
            sources=[BORG_SINCE],
            cells={
                "since": {"value": "2015", "ref": BORG_SINCE},
                "role": {"value": f'"signator" {HOSTILE}', "ref": BORG_ROLE},
            },
        ),
        Entry(
            owner=owner,
            name="Kemi",
            type="twin town",
            sources=[_plan(VANORTER, "Kemi, Finland")],
            cells={"status": {"value": "active", "ref": KEMI}},
        ),
        Entry(
            owner=owner,
            name="Puerto Cabezas",
            type="twin town",
            sources=[_plan(VANORTER, "Puerto Cabezas, Nicaragua")],
            cells={"status": {"value": "dormant", "ref": DORMANT}},
        ),
        Entry(
            owner=owner,
            name="Tromsø",
            aliases=["Tromsö", HOSTILE],
            type="twin town",
            sources=[_plan(VANORTER, "Tromsø, Norge")],
        ),
    ]
    return Register(built_at=built_at, store_key="3:120", rows=rows)


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _names(soup: BeautifulSoup) -> list[str]:
    return [th.select_one(".pb-reg-value").get_text() for th in soup.select("tbody th")]


def _all_refs(register: Register) -> list[Ref]:
    refs = []
    for e in register.rows:
        refs += e.sources + [c.ref for c in e.cells.values()] + [c.ref for c in e.conflicts]
    return refs


# -- the test data is the corpus ---------------------------------------------------------------


def test_every_reference_is_a_real_passage_of_the_corpus():
    for ref in _all_refs(_register()):
        text = (DEFAULT_CORPUS / f"{ref.doc_id}.md").read_text(encoding="utf-8")
        assert f"id: {ref.doc_id}" in text and f"title: {ref.title}" in text
        assert f"updated: {ref.updated}" in text
        assert ref.quote in text, ref.quote
        # The quote stands below the last heading of its trail, and every heading exists.
        headings = ref.section.split(" > ")
        for heading in headings:
            assert re.search(rf"(?m)^#+ {re.escape(heading)}\s*$", text), heading
        last = re.search(rf"(?m)^#+ {re.escape(headings[-1])}\s*$", text)
        assert text.index(ref.quote, last.end()) > last.end()


# -- rendering -------------------------------------------------------------------------------------


def test_table_has_caption_column_headers_in_order_and_one_row_per_entry():
    soup = _soup(render(_register()))
    table = soup.select_one("table.pb-reg")
    assert soup.select_one("h2").get_text() == "Medlemskap och vänorter"
    assert table.caption.get_text().startswith("Medlemskap, nätverk, partnerskap, avtal och")
    assert "5 rader, 1 äldre uppgift som skiljer sig" in table.caption.get_text()
    headers = table.select("thead th")
    assert [th.get_text().rstrip("↕▲▼") for th in headers] == list(COLUMNS.values())
    assert all(th["scope"] == "col" for th in headers)
    assert not any(th.has_attr("aria-sort") for th in headers)  # stored order until chosen
    assert [b["data-sort"] for b in table.select("thead button")] == list(COLUMNS)
    assert _names(soup) == [
        "Union of the Baltic Cities",
        "Borgmästaravtalet",
        "Kemi",
        "Puerto Cabezas",
        "Tromsø",
    ]
    first = table.select("tbody tr")[0]
    cells = first.find_all(["th", "td"], recursive=False)
    assert [c.select_one(".pb-reg-label").get_text() for c in cells] == list(COLUMNS.values())
    assert cells[1].name == "th" and cells[1]["scope"] == "row"
    # The row header is the name (and its other names, small), nothing a reader must skip.
    assert cells[1].select("button") == []
    assert cells[1].select_one(".pb-reg-aliases").get_text() == "även: UBC, Union of Baltic Cities"
    assert cells[2].select_one(".pb-reg-value").get_text() == "organisation"
    assert cells[4].select_one(".pb-reg-value").get_text() == "aktiv"
    kemi, puerto = table.select("tbody tr")[2:4]
    assert kemi.select_one(".pb-reg-c-type .pb-reg-value").get_text() == "vänort"
    assert puerto.select_one(".pb-reg-c-status .pb-reg-value").get_text() == "vilande"


def test_empty_cells_show_a_dash_and_say_so_to_screen_readers():
    soup = _soup(render(_register()))
    tromso = soup.select("tbody tr")[4]
    empty = tromso.select(".pb-reg-missing")
    assert len(empty) == 5  # Sedan, Status, Syfte, Medlemmar och parter, Roll: not guessed
    for cell in empty:
        dash, words = cell.find_all("span")
        assert dash.get_text() == "–" and dash["aria-hidden"] == "true"
        assert words.get_text() == MISSING == "uppgift saknas" and "sr-only" in words["class"]
    assert tromso.select(".pb-reg-c-since .pb-reg-goto") == []  # no citation for no value


def test_every_filled_cell_has_its_citation_and_quote_one_click_away():
    register = _register()
    soup = _soup(render(register))
    ubc = soup.select("tbody tr")[0]
    for key in ("since", "status", "purpose", "members"):
        cell = ubc.select_one(f".pb-reg-c-{key}")
        button = cell.select_one(".pb-reg-cite button")
        assert button.get_text().startswith("Visa i Källor")
        ref = register.rows[0].cells[key].ref
        # What the deep link needs, as the chat cards' "Visa i Källor" sends it.
        assert (button["data-doc"], button["data-section"], button["data-quote"]) == (
            ref.doc_id,
            ref.section,
            ref.quote,
        )
        # Its accessible name says what it cites and where; the quote is there on demand.
        name = button.select_one(".sr-only").get_text()
        assert f"{COLUMNS[key]} för Union of the Baltic Cities" in name
        assert PLAN_TITLE in name and "avsnitt Union of the Baltic Cities" in name
        quote = cell.select_one("details.pb-reg-quote")
        assert quote.summary.get_text().startswith("Citat")
        assert quote.blockquote.get_text(" ", strip=True) == ref.quote
        where = quote.select_one(".pb-reg-where").get_text()
        assert f"avsnitt ”{PLAN_H1} › Europa › Union of the Baltic Cities”" in where
        assert "uppdaterad 2021-12-03" in where
    # The row's own sources (where it is named, in both documents) stand by its type.
    named = ubc.select(".pb-reg-c-type .pb-reg-cite")
    assert [b["data-doc"] for c in named for b in c.select("button")] == [PLAN, WEB]
    assert [c.select_one(".pb-reg-doc").get_text() for c in named] == [
        f"{PLAN_TITLE}:",
        f"{WEB_TITLE}:",
    ]
    # Every citation in the page is a real reference of the register, nothing else.
    sent = {(b["data-doc"], b["data-section"], b["data-quote"]) for b in soup.select("[data-doc]")}
    assert sent == {(r.doc_id, r.section, r.quote) for r in _all_refs(register)}
    assert len(soup.select("button[data-doc]")) == len(soup.select("details.pb-reg-quote"))


def test_an_older_differing_value_is_marked_with_its_own_citation():
    soup = _soup(render(_register()))
    members = soup.select("tbody tr")[0].select_one(".pb-reg-c-members")
    assert members.select_one(":scope > .pb-reg-value").get_text() == (
        "över 100 medlemmar i tio länder"
    )
    conflict = members.select_one(".pb-reg-conflict")
    assert conflict.select_one(".pb-reg-older").get_text() == "äldre uppgift"
    assert conflict.select_one(".pb-reg-value").get_text() == "108 städer runt Östersjön"
    button = conflict.select_one("button")
    assert (button["data-doc"], button["data-quote"]) == (WEB, UBC_OLDER.quote)
    assert "äldre uppgift om Medlemmar och parter för Union of the Baltic Cities" in (
        button.get_text()
    )
    assert WEB_TITLE in button.get_text()
    assert len(soup.select(".pb-reg-conflict")) == 1


def test_hostile_values_are_escaped_everywhere():
    html = render(_register())
    assert "<script" not in html and "<img" not in html and 'onerror="' not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    soup = _soup(html)
    role = soup.select("tbody tr")[1].select_one(".pb-reg-c-role")
    assert role.select_one(".pb-reg-value").get_text() == f'"signator" {HOSTILE}'
    # A quote with double quotes survives as an attribute value, whole.
    assert role.select_one("button")["data-quote"] == BORG_ROLE.quote
    assert soup.select("script, img") == []


def test_ranks_sort_each_column_with_empty_cells_last_either_way():
    register = _register()
    row_ranks = ranks(register.rows)
    names = [e.name for e in register.rows]

    def by(key: str, descending: bool = False) -> list[str]:
        return [names[i] for i in ordered(row_ranks, key, descending)]

    assert by("since") == [
        "Union of the Baltic Cities",  # 2003
        "Borgmästaravtalet",  # 2015
        "Kemi",
        "Puerto Cabezas",
        "Tromsø",
    ]
    assert by("since", descending=True)[:2] == ["Borgmästaravtalet", "Union of the Baltic Cities"]
    assert by("since", descending=True)[2:] == ["Kemi", "Puerto Cabezas", "Tromsø"]
    # Status in its own order (aktiv, vilande, avslutad), not alphabetical; ties keep their order.
    assert by("status") == [
        "Union of the Baltic Cities",
        "Kemi",
        "Puerto Cabezas",
        "Borgmästaravtalet",
        "Tromsø",
    ]
    assert by("name") == [
        "Borgmästaravtalet",
        "Kemi",
        "Puerto Cabezas",
        "Tromsø",
        "Union of the Baltic Cities",
    ]
    assert by("type") == [  # avtal, organisation, vänort ×3 (equal: stored order)
        "Borgmästaravtalet",
        "Union of the Baltic Cities",
        "Kemi",
        "Puerto Cabezas",
        "Tromsø",
    ]
    assert by("type", descending=True) == [
        "Kemi",
        "Puerto Cabezas",
        "Tromsø",
        "Union of the Baltic Cities",
        "Borgmästaravtalet",
    ]
    # The page sorts on the ranks it is given: every filled cell has one, no empty cell has.
    soup = _soup(render(register))
    for tr, expected in zip(soup.select("tbody tr"), row_ranks, strict=True):
        got = {k[len("data-rank-") :]: int(v) for k, v in tr.attrs.items() if "rank" in k}
        assert got == expected
    assert "since" not in row_ranks[2] and "role" not in row_ranks[4]


def test_a_sorted_render_lists_rows_in_that_order_and_marks_the_header():
    soup = _soup(render(_register(), sort="since", descending=True))
    assert _names(soup)[:2] == ["Borgmästaravtalet", "Union of the Baltic Cities"]
    sorted_th = soup.select("thead th[aria-sort]")
    assert [(th["aria-sort"], th.button["data-sort"]) for th in sorted_th] == [
        ("descending", "since")
    ]
    assert [int(tr["data-pos"]) for tr in soup.select("tbody tr")] == [1, 0, 2, 3, 4]


def test_swedish_alphabetical_order():
    words = ["Örebro", "Zenica", "Ålesund", "Ängelholm", "émile", "Eslöv", "aachen", '"Bodö"']
    assert sorted(words, key=collate) == [
        "aachen",
        '"Bodö"',
        "émile",
        "Eslöv",
        "Zenica",
        "Ålesund",
        "Ängelholm",
        "Örebro",
    ]


# -- the stored file ---------------------------------------------------------------------------


def test_missing_register_says_how_to_build_it(tmp_path):
    page = RegisterPage(tmp_path / "register-x.json")
    soup = _soup(page.html())
    assert soup.select_one(".pb-reg-problem").get_text() == NOT_BUILT
    assert "Registret är inte byggt än. Kör policybot register" in NOT_BUILT
    assert soup.select("table") == []


def test_broken_register_shows_its_swedish_message_not_a_traceback(tmp_path):
    path = tmp_path / "register-x.json"
    path.write_text('{"built_at": "2026-01-15", "rows": [{"name": 1}]', encoding="utf-8")
    text = _soup(RegisterPage(path).html()).select_one(".pb-reg-problem").get_text()
    assert text.startswith("Registret kan inte läsas just nu.") and "policybot register" in text
    assert str(path) not in text and "Traceback" not in text  # the page may be public
    path.write_text('{"built_at": "x", "store_key": "", "rows": [{"name": "<b>"}]}', "utf-8")
    html = RegisterPage(path).html()
    assert "kan inte läsas" in html and "<b>" not in html and str(tmp_path) not in html


def test_the_file_is_read_again_only_when_it_changes(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path)
    path = register_path(settings)
    page = RegisterPage(path)
    assert NOT_BUILT in _soup(page.html()).get_text()
    save(_register(), path)
    assert "Union of the Baltic Cities" in page.html()

    reads = []
    real_load = page.source.load
    monkeypatch.setattr(page.source, "load", lambda: reads.append(path) or real_load())
    first = page.html()
    assert page.html() == first and reads == []  # unchanged: not read again
    changed = _register(built_at="2026-02-01T08:00:00+00:00")
    changed.rows = changed.rows[:2]
    save(changed, path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    html = page.html()
    assert reads == [path] and "2 rader" in html and "2026-02-01 09:00 (svensk tid)" in html
    path.unlink()
    assert NOT_BUILT in _soup(page.html()).get_text()


def test_an_empty_register_says_so(tmp_path):
    path = tmp_path / "register.json"
    save(Register(built_at="2026-01-15T10:30:00+00:00", store_key="", rows=[]), path)
    text = _soup(RegisterPage(path).html()).get_text(" ", strip=True)
    assert "nämner inga medlemskap" in text and "2026-01-15 11:30 (svensk tid)" in text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"doc_id": PLAN, "section": UBC_SINCE.section, "quote": UBC_SINCE.quote}, True),
        ({"doc_id": PLAN, "section": "", "quote": ""}, True),
        ({"doc_id": "", "section": "x", "quote": "y"}, False),
        ({"doc_id": PLAN, "section": 1, "quote": "y"}, False),
        ({"doc_id": PLAN, "section": "x"}, False),
        ({"doc_id": PLAN, "section": "x", "quote": "y" * 5001}, False),
        (None, False),
        ("plan", False),
    ],
)
def test_a_citation_from_the_page_is_checked(data, expected):
    got = RegisterPage.citation(data)
    assert (got is not None) == expected
    if expected:
        assert got == data


def test_a_register_trail_finds_the_passage_in_its_chunk_section():
    """Register trails start at the document's title heading; chunk sections below it."""

    class Rec:
        def __init__(self, i, text, section):
            self.id, self.text, self.meta = f"plan#{i}", text, {"section": section}

    same = "Luleå kommun blev medlem av Union of the Baltic Cities 2003."
    entry = {"chunks": [Rec(0, same, "Inledning"), Rec(1, same, UBC)]}
    found = sources.locate(entry, UBC_SINCE.section, UBC_SINCE.quote)
    assert found is not None and found[0] == "plan#1"


def test_the_app_shows_the_register_in_kallor_and_opens_its_citations(tmp_path):
    """In-process, with a stand-in bot: the handlers the page calls."""
    from bot.web import app

    try:
        from tests.bot.test_web import FakeBot
    except ModuleNotFoundError:
        from test_web import FakeBot

    settings = Settings(data_dir=tmp_path)
    save(_register(), register_path(settings))
    demo = app.build_app(FakeBot(settings), settings)
    fns = {fn.name: fn.fn for fn in demo.fns.values()}
    assert "Union of the Baltic Cities" in fns["html"]()
    show = fns["open_register_citation"]

    class Event:
        def __init__(self, data):
            self._data = data

    # The stand-in corpus has a "plan" document with a "Vänorter" section.
    tabs, doc, section, document = show(
        Event({"doc_id": "plan", "section": "Plan > Vänorter", "quote": "Vänorten Kemi"})
    )
    assert tabs.selected == "kallor"
    assert doc["value"] == "plan" and section["value"] == "Vänorter"
    assert "<mark>Vänorten Kemi</mark>" in document and 'id="pb-passage"' in document
    tabs, doc, section, document = show(Event({"doc_id": "borta", "section": "", "quote": "x"}))
    assert "finns inte längre i indexet" in document
    assert show(Event({"doc_id": 5})) == tuple({"__type__": "update"} for _ in range(4))


# -- in a real browser -------------------------------------------------------------------------

try:
    from tests.bot import server_web as sw
except ModuleNotFoundError:  # tests/ is not a package
    import server_web as sw

RUNS = Path("/work/runs")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"1280x900": DESKTOP, "390x844": PHONE}


@pytest.fixture(scope="module")
def reg_served(tmp_path_factory):
    """The real `policybot serve` on the real index, with this test's register in its data dir."""
    with sw.served_and_timed(tmp_path_factory, "test_register_web") as served:
        save(_register(), register_path(Settings(data_dir=served.data_dir)))
        yield served


@pytest.fixture(scope="module")
def reg_browser():
    from tests.bot.test_browser import CHROMIUM, CHROMIUM_ARGS, _install_chromium

    if not CHROMIUM.exists() and not (_install_chromium() and CHROMIUM.exists()):
        pytest.fail(f"{CHROMIUM} saknas: installera Debians chromium (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
    finally:
        pw.stop()


def _open_kallor(user) -> float:
    """Choose the Källor tab; the milliseconds until the register's table is on screen."""
    page = user.page
    started = time.perf_counter()
    page.get_by_role("tab", name="Källor").click()
    page.wait_for_selector("#pb-register table.pb-reg", state="visible")
    return (time.perf_counter() - started) * 1000


def _user(browser, url, viewport):
    from tests.bot.test_browser import _Guarded

    return _Guarded(browser, url, viewport)


def _row_names(page) -> list[str]:
    return page.locator("#pb-register tbody th .pb-reg-value").all_inner_texts()


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_axe_finds_no_violations_with_the_register_shown(reg_browser, reg_served, size):
    from tests.bot.test_browser import _axe

    user = _user(reg_browser, reg_served.url, SIZES[size])
    try:
        page = user.page
        open_ms = _open_kallor(user)
        quote = page.locator("#pb-register details.pb-reg-quote").first
        quote.locator("summary").click()
        assert quote.locator("blockquote").inner_text() == UBC_SINCE.quote
        # The hostile values are shown as text: nothing ran, nothing loaded.
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("#pb-register script, #pb-register img").count() == 0
        assert HOSTILE in page.locator("#pb-register .pb-reg-c-role").nth(1).inner_text()
        page.locator("#pb-register .pb-reg-sort[data-sort='since']").click()
        page.locator("#pb-register").scroll_into_view_if_needed()
        violations = _axe(page, f"register-{size}")
        sw.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator("#pb-register").screenshot(path=str(sw.ARTIFACTS / f"register-{size}.png"))
        sw.record_timings(
            **{
                f"register_open_ms_{size}": round(open_ms),
                f"axe_violations_register_{size}": len(violations),
            }
        )
        summary = {v["id"]: len(v["nodes"]) for v in violations}
        assert violations == [], f"axe (see test-artifacts/axe-register-{size}.txt): {summary}"
        # The open time (target 1 s) is printed at the end of the run (tests/conftest.py).
        # No horizontal scrolling of the page, at either size.
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        user.close()


@pytest.mark.browser
def test_sorting_by_keyboard_follows_the_ranks(reg_browser, reg_served):
    user = _user(reg_browser, reg_served.url, DESKTOP)
    try:
        page = user.page
        _open_kallor(user)
        register = _register()
        names = [e.name for e in register.rows]
        row_ranks = ranks(register.rows)
        assert _row_names(page) == names
        since = page.locator("#pb-register button[data-sort='since']")
        since.focus()
        page.keyboard.press("Enter")
        th = page.locator("#pb-register thead th.pb-reg-h-since")
        assert th.get_attribute("aria-sort") == "ascending"
        assert _row_names(page) == [names[i] for i in ordered(row_ranks, "since")]
        assert page.evaluate("() => document.activeElement.dataset.sort") == "since"
        outline = "() => parseFloat(getComputedStyle(document.activeElement).outlineWidth) || 0"
        assert page.evaluate(outline) >= 2  # focus is visible
        status = page.locator("#pb-register [data-reg-status]")
        assert status.inner_text() == "Sorterad efter Sedan, stigande."
        page.keyboard.press("Space")
        assert th.get_attribute("aria-sort") == "descending"
        assert _row_names(page) == [names[i] for i in ordered(row_ranks, "since", True)]
        assert status.inner_text() == "Sorterad efter Sedan, fallande."
        status_th = page.locator("#pb-register thead th.pb-reg-h-status")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert status_th.get_attribute("aria-sort") == "ascending"
        assert th.get_attribute("aria-sort") is None
        assert _row_names(page) == [names[i] for i in ordered(row_ranks, "status")]

        # A new register (the file changed) is read when the tab is chosen again, in the
        # chosen order; an unchanged one is not sent again.
        changed = _register(built_at="2026-02-01T08:00:00+00:00")
        changed.rows.pop(1)
        save(changed, register_path(Settings(data_dir=reg_served.data_dir)))
        page.get_by_role("tab", name="Chatt").click()
        started = time.perf_counter()
        page.get_by_role("tab", name="Källor").click()
        page.wait_for_function(
            "() => document.querySelectorAll('#pb-register tbody tr').length === 4"
        )
        reread_ms = (time.perf_counter() - started) * 1000
        sw.record_timings(register_reread_ms=round(reread_ms))
        assert status_th.get_attribute("aria-sort") == "ascending"
        names = [e.name for e in changed.rows]
        assert _row_names(page) == [names[i] for i in ordered(ranks(changed.rows), "status")]
    finally:
        save(_register(), register_path(Settings(data_dir=reg_served.data_dir)))
        user.close()


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_a_cell_citation_opens_kallor_at_the_passage(reg_browser, reg_served, size):
    user = _user(reg_browser, reg_served.url, SIZES[size])
    try:
        page = user.page
        _open_kallor(user)
        for row, key, ref, title in (
            (0, "since", UBC_SINCE, PLAN_TITLE),
            (0, "members .pb-reg-conflict", UBC_OLDER, WEB_TITLE),
            (3, "status", DORMANT, PLAN_TITLE),
        ):
            cell = page.locator("#pb-register tbody tr").nth(row).locator(f".pb-reg-c-{key}")
            button = cell.get_by_role("button", name=re.compile("^Visa i Källor")).first
            button.click()
            page.wait_for_function(
                "() => document.activeElement && document.activeElement.id === 'pb-passage'"
                " && document.querySelector('#pb-document h3').textContent === " + json.dumps(title)
            )
            marked = " ".join(page.locator("#pb-passage mark").all_inner_texts())
            assert " ".join(marked.split()) == ref.quote
            section = ref.section.split(" > ", 1)[1]
            shown = page.locator("#pb-section input").input_value()
            assert shown == sources.short_section(section)
            assert page.get_by_role("tab", name="Källor").get_attribute("aria-selected") == "true"
            time.sleep(0.6)  # later updates of Källor must not scroll the passage away
            box = page.locator("#pb-passage").bounding_box()
            assert box and 0 <= box["y"] < page.viewport_size["height"], (key, box)
        if size == "390x844":
            user.page.screenshot(path=str(sw.ARTIFACTS / "register-390-passage.png"))
    finally:
        user.close()


@pytest.mark.browser
def test_on_a_phone_every_row_is_a_card_without_horizontal_scrolling(reg_browser, reg_served):
    user = _user(reg_browser, reg_served.url, PHONE)
    try:
        page = user.page
        _open_kallor(user)
        reg = page.locator("#pb-register")
        reg.scroll_into_view_if_needed()
        width = page.viewport_size["width"]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        cards = reg.locator("tbody tr")
        assert cards.count() == 5
        for i in range(cards.count()):
            card = cards.nth(i)
            box = card.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
            assert card.evaluate("e => getComputedStyle(e).display") == "flex"
            # The name is the card's title; every other value has its column's name above it.
            first = card.evaluate(
                "e => { const r = e.getBoundingClientRect();"
                " const t = e.querySelector('th').getBoundingClientRect();"
                " return t.top - r.top; }"
            )
            assert first < 20
        labels = cards.first.locator("td .pb-reg-label")
        assert labels.all_inner_texts() == [v for k, v in COLUMNS.items() if k != "name"]
        assert all(labels.nth(i).is_visible() for i in range(labels.count()))
        # The header row is a row of sort buttons that fit the screen.
        for b in reg.locator("thead button").all():
            box = b.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        empty = cards.nth(4).locator(".pb-reg-c-since .pb-reg-missing")
        assert empty.inner_text().strip().startswith("–")
        RUNS.mkdir(parents=True, exist_ok=True)
        reg.screenshot(path=str(RUNS / "register-phone.png"))
        sw.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(sw.ARTIFACTS / "register-390x844-view.png"), full_page=False)
    finally:
        user.close()
