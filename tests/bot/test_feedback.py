"""FeedbackStore: votes in SQLite (no personal data) and the CSV export."""

from __future__ import annotations

import csv
import sqlite3
import threading

import pytest

from bot.answerer import Answer, Citation
from bot.feedback import CSV_COLUMNS, FeedbackStore, normalise_vote


def _answer() -> Answer:
    return Answer(
        answer="Luleå har sex vänorter. [1]",
        abstained=False,
        citations=[
            Citation(
                n=1,
                doc_id="plan",
                title="Plan för internationellt arbete",
                section="Vänorter",
                quote="Luleå har sex vänorter:",
                updated="2021-12-03",
                url=None,
            )
        ],
        latency_ms=12.3,
    )


def test_record_stores_question_answer_citations_vote_and_time(tmp_path):
    store = FeedbackStore(tmp_path / "sub" / "feedback.sqlite")
    row_id = store.record("Vilka vänorter har Luleå?", _answer(), True)
    assert row_id == 1
    [row] = store.rows()
    assert row["question"] == "Vilka vänorter har Luleå?"
    assert row["answer"] == "Luleå har sex vänorter. [1]"
    assert row["vote"] == 1
    assert row["abstained"] is False
    assert row["citations"][0]["title"] == "Plan för internationellt arbete"
    assert row["citations"][0]["quote"] == "Luleå har sex vänorter:"
    assert row["created_at"].endswith("+00:00")


def test_no_personal_data_columns(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record("Fråga", _answer().to_dict(), "down")
    with sqlite3.connect(tmp_path / "feedback.sqlite") as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}
    assert columns == {
        "id",
        "answer_id",
        "created_at",
        "question",
        "answer",
        "abstained",
        "citations",
        "vote",
    }
    assert not {"ip", "user", "user_id", "session", "session_hash"} & columns


def test_changed_vote_on_same_answer_replaces_the_earlier_one(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record("Fråga", _answer(), True, answer_id="a1")
    store.record("Fråga", _answer(), False, answer_id="a1")
    store.record("Annan fråga", _answer(), True, answer_id="a2")
    rows = store.rows()
    assert [(r["question"], r["vote"]) for r in rows] == [("Fråga", -1), ("Annan fråga", 1)]
    assert store.count() == 2


@pytest.mark.parametrize(
    ("given", "expected"),
    [(True, 1), (False, -1), (1, 1), (-1, -1), ("up", 1), ("Like", 1), ("ner", -1), ("👎", -1)],
)
def test_normalise_vote(given, expected):
    assert normalise_vote(given) == expected


@pytest.mark.parametrize("bad", [0, 2, "kanske", None, 1.0])
def test_normalise_vote_rejects_anything_else(bad):
    with pytest.raises(ValueError):
        normalise_vote(bad)


def test_export_csv(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record("Vilka vänorter har Luleå?", _answer(), True)
    store.record('=HYPERLINK("http://evil")', {"answer": "-1+1", "abstained": True}, False)
    out = tmp_path / "export" / "feedback.csv"
    assert store.export_csv(out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so spreadsheets show å, ä, ö
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS
    assert rows[0]["question"] == "Vilka vänorter har Luleå?"
    assert rows[0]["vote"] == "1"
    assert '"Plan för internationellt arbete"' in rows[0]["citations"]
    # Formula-looking text is defused for spreadsheets.
    assert rows[1]["question"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["answer"] == "'-1+1"
    assert rows[1]["vote"] == "-1"


def test_export_empty_store_writes_header_only(tmp_path):
    out = tmp_path / "tom.csv"
    assert FeedbackStore(tmp_path / "feedback.sqlite").export_csv(out) == 0
    assert out.read_text(encoding="utf-8-sig").strip() == ",".join(CSV_COLUMNS)


def test_concurrent_votes_from_many_threads(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    errors = []

    def vote(i: int) -> None:
        try:
            store.record(f"Fråga {i}", _answer(), i % 2 == 0)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count() == 20


def test_cli_feedback_export(tmp_path, capsys):
    from bot.cli import main

    FeedbackStore(tmp_path / "feedback.sqlite").record("Fråga", _answer(), True)
    out = tmp_path / "ut.csv"
    assert main(["--data-dir", str(tmp_path), "feedback", "export", str(out)]) == 0
    assert "1 svar exporterade" in capsys.readouterr().out
    assert out.exists()
