"""Unanswered questions: the abstention log, grouping, `policybot gaps` and the Källor table."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime, timedelta

from bot import gaps
from bot.answerer import Answer, Citation
from bot.cli import main
from bot.compose import ABSTAIN_TEXT
from bot.feedback import FeedbackStore
from bot.web import app, render
from config.settings import Settings

NEAR = f"{ABSTAIN_TEXT} Närmast kommer avsnittet ”Vänorter” i planen (2021-12-03)."


def _near_miss() -> Answer:
    return Answer(
        NEAR,
        True,
        retrieved=[{"doc_id": "plan", "text": "Luleå har sex vänorter:"}],
        abstain_code="near-miss",
    )


def _given(section: str = "Europa > Vänorter", doc_id: str = "plan") -> Answer:
    cite = Citation(1, doc_id, "Planen", section, "Luleå har sex vänorter:", "2021-12-03", None)
    return Answer("Luleå har sex vänorter: [1]", False, [cite])


class ScriptedBot:
    """Answers from a table; anything else abstains without naming a section."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.calls = 0

    def ask(self, question, history=None):
        self.calls += 1
        return self.answers.get(question, Answer(ABSTAIN_TEXT, True, abstain_code="missing-words"))

    def status(self):
        return {"documents": 1}


def test_closest_section_is_read_from_the_abstention():
    assert gaps.closest_section(_near_miss()) == ("Vänorter", "plan")
    far = Answer(ABSTAIN_TEXT, True, retrieved=[{"doc_id": "plan"}], abstain_code="low-match")
    assert gaps.closest_section(far) == ("", "")


def test_recorder_logs_abstentions_only_and_passes_everything_else_on(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    bot = ScriptedBot({"Hur många invånare har Kemi?": _near_miss(), "Vänorter?": _given()})
    recorder = gaps.GapRecorder(bot, store)
    assert recorder.ask("Vänorter?", []).abstained is False
    assert recorder.ask("Hur många invånare har Kemi?", []).abstained is True
    assert recorder.ask("Ring mig på 070-123 45 67 om vädret", []).abstained is True
    assert recorder.status() == {"documents": 1}  # the rest is the bot's
    rows = [(r["question"], r["code"], r["section"], r["doc_id"]) for r in store.abstentions()]
    assert rows == [
        ("Hur många invånare har Kemi?", "near-miss", "Vänorter", "plan"),
        ("Ring mig på [telefonnummer] om vädret", "missing-words", "", ""),
    ]


def test_a_failing_log_never_stops_an_answer(tmp_path, caplog):
    blocked = tmp_path / "fil"
    blocked.write_text("inte en mapp", encoding="utf-8")
    recorder = gaps.GapRecorder(ScriptedBot({}), FeedbackStore(blocked / "feedback.sqlite"))
    assert recorder.ask("Vädret?", []).abstained is True
    assert "Could not log an abstention" in caplog.text


def _store_with_gaps(tmp_path) -> FeedbackStore:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    for q in ("Hur många invånare har Kemi?", "hur  många invånare har kemi", "Vem leder Kemi?"):
        store.record_abstention(q, "near-miss", "Vänorter", "plan")
    store.record_abstention("Hur blir vädret?", "missing-words")
    store.record("Vilka vänorter har Luleå?", _given(), False)  # 👎 on an answer
    store.record("Vilka vänorter har Luleå?", _given(), True)  # 👍: not a gap
    store.record("Hur blir vädret?", {"answer": ABSTAIN_TEXT, "abstained": True}, False)
    return store


def test_gaps_are_grouped_by_closest_section_and_counted(tmp_path):
    groups = gaps.collect(_store_with_gaps(tmp_path))
    summary = [(g.section, g.doc_id, g.count, g.abstained, g.disliked) for g in groups]
    # The 👎 on an abstention is not counted twice; same question in other case/spacing is one.
    assert summary == [("Vänorter", "plan", 4, 3, 1), ("", "", 1, 1, 0)]
    questions = [(q.text, q.count) for q in groups[0].ranked()]
    assert questions == [
        ("hur  många invånare har kemi", 2),
        ("Vem leder Kemi?", 1),
        ("Vilka vänorter har Luleå?", 1),
    ]
    assert groups[1].label == gaps.NO_SECTION


def test_gaps_since_a_date(tmp_path):
    store = _store_with_gaps(tmp_path)
    old = (datetime.now(UTC) - timedelta(days=10)).isoformat(timespec="seconds")
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE abstentions SET created_at = ? WHERE question LIKE 'Vem%'", (old,))
    since = datetime.now(UTC) - timedelta(days=5)
    assert sum(g.count for g in gaps.collect(store, since)) == 4
    assert sum(g.count for g in gaps.collect(store)) == 5


def test_report_is_swedish(tmp_path):
    text = gaps.format_report(gaps.collect(_store_with_gaps(tmp_path)), "sedan 2026-11-01")
    assert text.splitlines()[0] == (
        "Obesvarade frågor sedan 2026-11-01: 5 (4 utan svar, 1 svar med tumme ned)"
    )
    assert "Vänorter (plan): 4" in text and f"{gaps.NO_SECTION}: 1" in text
    assert "     2  hur  många invånare har kemi" in text
    assert gaps.format_report([], "sedan i går") == "Inga obesvarade frågor sedan i går."


def test_cli_gaps_prints_and_exports_csv_with_the_formula_guard(tmp_path, capsys):
    store = _store_with_gaps(tmp_path)
    store.record_abstention('=HYPERLINK("http://evil")', "low-match")
    out = tmp_path / "ut" / "obesvarade.csv"
    assert main(["--data-dir", str(tmp_path), "gaps", "--days", "30", "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Obesvarade frågor de senaste 30 dagarna: 6" in printed
    assert f"5 frågor exporterade till {out}" in printed
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == gaps.CSV_COLUMNS
    assert (rows[0]["section"], rows[0]["doc_id"], rows[0]["count"]) == ("Vänorter", "plan", "2")
    assert '\'=HYPERLINK("http://evil")' in [r["question"] for r in rows]
    assert not list(tmp_path.joinpath("ut").glob(".obesvarade.csv.*"))  # no temp file left

    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert main(["--data-dir", str(tmp_path), "gaps", "--since", tomorrow]) == 0
    assert f"Inga obesvarade frågor sedan {tomorrow}." in capsys.readouterr().out


def test_cli_gaps_help_has_an_example(capsys):
    try:
        main(["gaps", "--hjälp"])
    except SystemExit as done:
        assert done.code == 0
    out = capsys.readouterr().out
    assert "Exempel:\n  policybot gaps --days 30 --csv obesvarade.csv" in out
    assert "--since ÅÅÅÅ-MM-DD" in out


def test_gaps_table_is_accessible_and_escaped(tmp_path):
    store = _store_with_gaps(tmp_path)
    store.record_abstention("Fråga", "near-miss", "<script>x</script>", "webb")
    docs = {"plan": {"title": "Plan <b>för</b> arbetet"}}
    out = render.render_gaps(gaps.collect(store), docs, "de senaste 365 dagarna")
    assert "<caption>" in out and 'scope="col"' in out and 'scope="row"' in out
    assert '<th scope="row">Vänorter</th><td>Plan &lt;b&gt;för&lt;/b&gt; arbetet</td>' in out
    counts = "".join(f'<td class="pb-count">{n}</td>' for n in (3, 1, 4))
    assert counts in out
    assert "&lt;script&gt;x&lt;/script&gt;" in out and "<script>" not in out
    assert "Hur många invånare" not in out  # the public page shows groups, not questions
    empty = render.render_gaps([], docs, "de senaste 365 dagarna")
    assert "Inga obesvarade frågor de senaste 365 dagarna." in empty and "<table" not in empty


def test_web_chat_logs_abstentions_and_kallor_shows_them(tmp_path):
    from tests.bot.test_web import FakeBot

    settings = Settings(data_dir=tmp_path)
    demo = app.build_app(FakeBot(settings), settings)
    fns = {fn.name: fn.fn for fn in demo.fns.values()}
    list(fns["respond"]("Hur blir väder i morgon, mejla a@b.se", None))
    list(fns["respond"]("Vilka vänorter?", None))
    [row] = FeedbackStore(tmp_path / "feedback.sqlite").abstentions()
    assert row["question"] == "Hur blir väder i morgon, mejla [e-post]"
    table = fns["gaps"]()
    assert f'<th scope="row">{gaps.NO_SECTION}</th>' in table
    assert "365 dagarna: 1</caption>" in table
