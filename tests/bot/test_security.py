"""Security: personal data masked before it is stored, retention, login, headers, file routes.

The server tests run the real ``policybot serve`` command line in a subprocess (with a stand-in
bot, ``tests/bot/fake_serve.py``, so no model loads) and talk to it over raw HTTP, so the paths
reach the server exactly as written.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot import privacy
from bot.cli import build_parser
from bot.feedback import FeedbackStore
from bot.web import server
from config.settings import Settings
from tests.servers import stop

try:
    from tests.bot import server_web as sw
except ModuleNotFoundError:  # tests/ is not a package
    import server_web as sw

PASSWORD = "Hemligt-lösen-8731"
USER = "personal"

# -- masking personal data (bot/privacy.py) -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mitt personnummer är 19850312-1234.", "Mitt personnummer är [personnummer]."),
        ("pnr 850312-1234, tack", "pnr [personnummer], tack"),
        ("850312+1234", "[personnummer]"),
        ("198503121234", "[personnummer]"),
        ("8503121234", "[personnummer]"),
        ("samordningsnummer 850372-1234", "samordningsnummer [personnummer]"),
        ("Ring 070-123 45 67 i morgon", "Ring [telefonnummer] i morgon"),
        ("+46 70 123 45 67", "[telefonnummer]"),
        ("+46701234567", "[telefonnummer]"),
        ("0046 8 123 456 78", "[telefonnummer]"),
        ("08-123 456 78", "[telefonnummer]"),
        ("(08) 123 45 67", "[telefonnummer]"),
        ("Växel 0920-45 30 00.", "Växel [telefonnummer]."),
        ("070 1234567", "[telefonnummer]"),
        ("Skriv till anna.svensson+kommun@lulea.se!", "Skriv till [e-post]!"),
        ("a@b.se eller 070-1234567", "[e-post] eller [telefonnummer]"),
    ],
)
def test_personal_data_is_masked(text, expected):
    assert privacy.mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Plan för Luleå kommuns internationella arbete 2019–2023",
        "Luleå har 710 000 invånare i regionen och 78 000 i kommunen.",
        "uppdaterad 2021-12-03, beslutad 2019-05-27",
        "kl. 08.00–16.00, 1 200 000 kronor, 0,5 procent",
        "SFS 2017:725, § 12, 3 kap. 5 §",
        "år 2021 och 2022; 10 000 - 20 000 kr",
        "Budgeten 2024 var 45 300 tkr",
    ],
)
def test_ordinary_years_dates_and_amounts_are_not_masked(text):
    assert privacy.mask(text) == text


@st.composite
def personnummer(draw) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    day = born.day + draw(st.sampled_from([0, 60]))  # samordningsnummer add 60 to the day
    digits = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
    if draw(st.booleans()):
        digits = f"{born.year // 100}{digits}"
    last = draw(st.text("0123456789", min_size=4, max_size=4))
    return digits + draw(st.sampled_from(["-", "+", ""])) + last


@st.composite
def phone_number(draw) -> str:
    area = draw(st.sampled_from(["70", "72", "73", "76", "8", "31", "40", "920", "90", "10"]))
    # The national number (area code and subscriber, without the 0) has 7-9 digits.
    size = draw(st.integers(max(5, 7 - len(area)), 9 - len(area)))
    rest = draw(st.text("0123456789", min_size=size, max_size=size))
    groups = [rest[i : i + 2] for i in range(0, len(rest), 2)]
    if len(groups[-1]) == 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    subscriber = draw(st.sampled_from([" ", "-", ""])).join(groups)
    prefix = draw(st.sampled_from(["0", "+46 ", "+46", "0046 "]))
    return f"{prefix}{area}{draw(st.sampled_from(['-', ' ', '']))}{subscriber}"


@given(personnummer(), st.sampled_from(["Mitt nummer är ", "pnr: ", ""]))
def test_any_personnummer_is_masked(number, before):
    masked = privacy.mask(f"{before}{number}, hjälp mig")
    assert masked == f"{before}[personnummer], hjälp mig"


@given(phone_number())
@example(number="+4610010000")  # date-shaped digits after +46 are a phone number
def test_any_swedish_phone_number_is_masked(number):
    masked = privacy.mask(f"Ring mig på {number} i dag")
    # Ten digits from 07 with no separator are also shaped like a personnummer: either label.
    assert re.fullmatch(r"Ring mig på \[(telefonnummer|personnummer)\] i dag", masked), masked
    assert not re.search(r"\d", masked)


@given(
    st.from_regex(r"[a-z][a-z0-9._+-]{0,15}", fullmatch=True),
    st.sampled_from(["lulea.se", "gmail.com", "kommun.example.org"]),
)
def test_any_email_is_masked(name, domain):
    assert privacy.mask(f"Mejla {name}@{domain} tack") == "Mejla [e-post] tack"


@given(st.integers(1900, 2100), st.integers(0, 30))
def test_years_and_year_ranges_are_left_alone(year, span):
    for text in (f"{year}–{year + span}", f"{year}-{year + span}", f"år {year}"):
        assert privacy.mask(text) == text


@given(st.integers(1, 999), st.integers(0, 999))
def test_amounts_with_thousands_are_left_alone(thousands, rest):
    text = f"{thousands} {rest:03d} invånare och {thousands} {rest:03d} 000 kronor"
    assert privacy.mask(text) == text


def test_answer_masks_only_what_echoes_the_question():
    question = "Jag heter 19850312-1234, ring 070-123 45 67"
    answer = "Du skrev 19850312-1234. Kontaktcenter 0920-45 30 00 svarar."
    assert privacy.mask_echo(answer, question) == (
        "Du skrev [personnummer]. Kontaktcenter 0920-45 30 00 svarar."
    )


# -- what is stored ----------------------------------------------------------------------------


def test_feedback_and_abstentions_are_stored_masked_and_without_identity(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    question = "Mitt pnr är 850312-1234 och mejl a.b@c.se, ring 070-123 45 67"
    store.record(question, {"answer": f"Du frågade: {question}", "abstained": True}, False)
    store.record_abstention(question, "missing-words")
    raw = (tmp_path / "feedback.sqlite").read_bytes()
    for secret in (b"850312-1234", b"a.b@c.se", b"070-123 45 67"):
        assert secret not in raw
    [row] = store.rows()
    masked = "Mitt pnr är [personnummer] och mejl [e-post], ring [telefonnummer]"
    assert row["question"] == masked
    assert row["answer"] == f"Du frågade: {masked}"
    assert store.abstentions()[0]["question"] == masked
    with sqlite3.connect(tmp_path / "feedback.sqlite") as conn:
        tables = {
            t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")}
            for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert tables["abstentions"] == {"id", "created_at", "question", "code", "section", "doc_id"}
    for columns in tables.values():
        assert not {"ip", "ip_address", "user", "user_id", "session", "session_hash"} & columns


def _age_rows(path: Path, days: int) -> None:
    old = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE feedback SET created_at = ?", (old,))
        conn.execute("UPDATE abstentions SET created_at = ?", (old,))


def test_rows_older_than_the_retention_are_deleted_on_open_and_on_write(tmp_path):
    path = tmp_path / "feedback.sqlite"
    store = FeedbackStore(path, retention_days=30)
    store.record("Gammal fråga", "Svar", True)
    store.record_abstention("Gammal obesvarad fråga")
    _age_rows(path, 31)
    assert FeedbackStore(path, retention_days=60).count() == 1  # 31 days: kept for 60
    assert FeedbackStore(path, retention_days=30).count() == 0  # deleted on opening
    assert FeedbackStore(path, retention_days=30).abstentions() == []

    store = FeedbackStore(path, retention_days=30)
    store.record("Ny fråga", "Svar", True)
    _age_rows(path, 40)
    store.record_abstention("Nyare fråga")  # each write deletes what has grown too old
    assert store.count() == 0
    assert [a["question"] for a in store.abstentions()] == ["Nyare fråga"]


def test_retention_comes_from_settings(tmp_path):
    store = FeedbackStore.from_settings(Settings(data_dir=tmp_path, feedback_retention_days=7))
    assert store.retention_days == 7 and store.path == tmp_path / "feedback.sqlite"
    assert Settings().feedback_retention_days == 365


# -- login and launch settings -----------------------------------------------------------------


def test_login_setting_is_secret(monkeypatch):
    monkeypatch.setenv("POLICYBOT_AUTH", f"{USER}:{PASSWORD}")
    settings = Settings()
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings.model_dump())
    assert server.parse_auth(settings.auth) == (USER, PASSWORD)
    assert server.parse_auth(None) is None
    for bad in ("utan-kolon", ":lösen", "användare:"):
        with pytest.raises(server.AuthError) as err:
            server.parse_auth(bad)
        assert "lösen" not in str(err.value).replace("LÖSENORD", "")


def test_serve_binds_localhost_and_never_shares(tmp_path, monkeypatch):
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.auth is None and args.root_path is None
    seen = {}

    class Demo:
        local_url = "http://127.0.0.1:1/"

        def launch(self, **kwargs):
            seen.update(kwargs)

    server.launch(Demo(), auth=("a", "b"), root_path="/pb", blocked_paths=[tmp_path])
    assert seen["share"] is False and seen["server_name"] == "127.0.0.1"
    assert seen["auth"] == ("a", "b") and seen["root_path"] == "/pb"
    assert seen["blocked_paths"] == [str(tmp_path)]
    assert seen["mcp_server"] is False and seen["ssr_mode"] is False


def test_bad_login_setting_stops_serve_without_showing_it(tmp_path, capsys):
    from bot.cli import main

    assert main(["--data-dir", str(tmp_path), "serve", "--auth", PASSWORD]) == 2
    out = capsys.readouterr()
    assert "ANVÄNDARE:LÖSENORD" in out.err
    assert PASSWORD not in out.out + out.err


# -- the real server -----------------------------------------------------------------------------


def _start(data_dir: Path, name: str, *extra: str) -> tuple[subprocess.Popen, int, Path]:
    port = sw.free_port()
    sw.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = sw.ARTIFACTS / f"serve-{name}.log"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    env.pop("POLICYBOT_AUTH", None)
    command = [sys.executable, "-m", "tests.bot.fake_serve", "--data-dir", str(data_dir)]
    command += ["serve", "--port", str(port), *extra]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=sw.REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return process, port, log_path


def _wait(process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while sw.READY_LINE not in log_path.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log_path.read_text(encoding="utf-8", errors="replace"))
        time.sleep(0.2)


def _request(port: int, path: str, method: str = "GET", body=None, headers=None):
    """(status, lower-case headers, body) for exactly this path (no client-side cleaning)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two real `policybot serve`: open, and with a login; started together to save time."""
    open_dir = tmp_path_factory.mktemp("sec-open")
    auth_dir = tmp_path_factory.mktemp("sec-auth")
    FeedbackStore(open_dir / "feedback.sqlite").record("Hemlig fråga", "Hemligt svar", True)
    started = [
        _start(open_dir, "security-open", "--root-path", "/policybot"),
        _start(auth_dir, "security-auth", "--auth", f"{USER}:{PASSWORD}"),
    ]
    try:
        for process, _, log_path in started:
            _wait(process, log_path)
        yield {"open": (started[0][1], open_dir), "auth": (started[1][1], auth_dir, started[1][2])}
    finally:
        for process, _, _ in started:
            stop(process, timeout=20)


ROUTES = [
    "/",
    "/config",
    "/gradio_api/info",
    "/theme.css",
    "/static/img/logo.svg",
    "/favicon.ico",
    "/manifest.json",
    "/gradio_api/file=/etc/passwd",
    "/finns-inte",
]


def test_security_headers_on_every_route(servers):
    port, _ = servers["open"]
    seen = {}
    for path in ROUTES:
        status, headers, _ = _request(port, path)
        seen[path] = status
        csp = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("x-frame-options") == "DENY", path
        assert headers.get("referrer-policy") == "no-referrer", path
    assert seen["/"] == seen["/config"] == seen["/theme.css"] == 200
    assert seen["/finns-inte"] == 404 and seen["/gradio_api/file=/etc/passwd"] == 403


def test_root_path_behind_a_proxy(servers):
    port, _ = servers["open"]
    status, _, body = _request(port, "/config", headers={"Host": "example.org"})
    assert status == 200
    assert json.loads(body)["root"].endswith("example.org/policybot")


def _traversal_paths(data_dir: Path) -> list[str]:
    repo = sw.REPO_ROOT
    feedback = data_dir.resolve() / "feedback.sqlite"
    paths = []
    for prefix in ("/gradio_api/file=", "/file=", "/gradio_api/file/"):
        paths += [
            f"{prefix}/etc/passwd",
            f"{prefix}../../../../../../etc/passwd",
            f"{prefix}%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            f"{prefix}%2Fetc%2Fpasswd",
            f"{prefix}{feedback}",
            f"{prefix}pyproject.toml",
            f"{prefix}{repo / 'pyproject.toml'}",
            f"{prefix}{repo / 'bot' / 'cli.py'}",
            f"{prefix}file:///etc/passwd",
        ]
    for prefix in ("/static/", "/assets/", "/svelte/", "/gradio_api/static/"):
        paths += [
            f"{prefix}../../../../../../etc/passwd",
            f"{prefix}..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
            f"{prefix}%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            f"{prefix}....//....//....//etc/passwd",
            f"{prefix}{repo / 'pyproject.toml'}",
            f"{prefix}/etc/passwd",
        ]
    paths += [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/gradio_api/file=http://127.0.0.1:1/",
        "/gradio_api/file=https://example.org/robots.txt",
        "/gradio_api/proxy=http://127.0.0.1:1/",
    ]
    return paths


def test_no_file_outside_the_app_is_served(servers):
    port, data_dir = servers["open"]
    secrets = [
        Path("/etc/passwd").read_bytes()[:20],
        (sw.REPO_ROOT / "pyproject.toml").read_bytes()[:40],
        b"SQLite format 3",
        b"Hemlig fr",
        b"def build_parser",
    ]
    results = {}
    for path in _traversal_paths(data_dir):
        status, _, body = _request(port, path)
        results[path] = status
        assert 400 <= status < 500, (path, status)
        assert not any(s in body for s in secrets), path
    sw.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (sw.ARTIFACTS / "security-traversal.json").write_text(
        json.dumps(results, indent=1), encoding="utf-8"
    )


def test_uploads_are_refused(servers):
    port, _ = servers["open"]
    body = (
        b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.html"\r\n\r\n'
        b"<b>x</b>\r\n--x--\r\n"
    )
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    for path in ("/gradio_api/upload", "/gradio_api/upload/", "/upload"):
        status, _, answer = _request(port, path, "POST", body, headers)
        assert status in (403, 404), (path, status)
        assert b"/tmp" not in answer


def test_login_is_required_for_page_and_api_and_the_password_never_shows(servers):
    from gradio_client import Client

    port, data_dir, log_path = servers["auth"]
    url = f"http://127.0.0.1:{port}/"
    status, _, page_html = _request(port, "/")
    assert b"Vilka v\xc3\xa4norter har Lule\xc3\xa5?" not in page_html  # no app, only the login
    for path in ("/config", "/gradio_api/info", "/gradio_api/file=/etc/passwd"):
        assert _request(port, path)[0] == 401, path
    ask = json.dumps({"data": ["Vilka vänorter?", []]})
    json_type = {"Content-Type": "application/json"}
    assert _request(port, "/gradio_api/call/ask", "POST", ask, json_type)[0] == 401
    with pytest.raises(Exception, match="credentials"):
        Client(url, verbose=False)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert _request(port, "/login", "POST", f"username={USER}&password=fel", form)[0] == 400

    status, headers, _ = _request(
        port, "/login", "POST", f"username={USER}&password={PASSWORD}", form
    )
    assert status == 200
    cookie = headers["set-cookie"].split(";")[0]
    status, _, config = _request(port, "/config", headers={"Cookie": cookie})
    assert status == 200 and "Vilka vänorter har Luleå?".encode() in config
    client = Client(url, auth=(USER, PASSWORD), verbose=False)
    assert client.predict("Vilka vänorter?", [], api_name="/ask")["answer"].startswith("Svar på")
    assert _request(port, "/gradio_api/file=/etc/passwd", headers={"Cookie": cookie})[0] == 403

    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "Inloggning krävs" in log and PASSWORD not in log
    for stored in data_dir.rglob("*"):
        if stored.is_file():
            assert PASSWORD.encode() not in stored.read_bytes(), stored
