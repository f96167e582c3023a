"""Thumbs up/down on answers and the web chat's abstentions, stored in SQLite under the data dir.

Only what is needed to judge an answer is kept: the question, the answer, its citations (JSON),
the vote and the time; for an abstention, the question, its code, the closest section it names
and the time. No IP address, no user or session id. Questions are stored with personal data
masked (``bot.privacy``), and rows older than the retention period are deleted when the store
is opened and on every write. Each answer shown in the web chat gets a random ``answer_id`` so
that changing one's mind (👍 then 👎) replaces the earlier vote instead of counting twice; it
identifies the answer, not the person.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.privacy import mask, mask_echo
from ingest.atomic import atomic_open

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id   TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    abstained   INTEGER NOT NULL DEFAULT 0,
    citations   TEXT NOT NULL DEFAULT '[]',
    vote        INTEGER NOT NULL CHECK (vote IN (-1, 1))
);
CREATE TABLE IF NOT EXISTS abstentions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT NOT NULL,
    question    TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    section     TEXT NOT NULL DEFAULT '',
    doc_id      TEXT NOT NULL DEFAULT ''
);
"""
TABLES = ("feedback", "abstentions")
ABSTENTION_COLUMNS = ["id", "created_at", "question", "code", "section", "doc_id"]
DEFAULT_RETENTION_DAYS = 365

CSV_COLUMNS = ["id", "created_at", "vote", "question", "answer", "abstained", "citations"]

# Cells that a spreadsheet would evaluate as a formula (CSV injection); prefixed with ' on export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def normalise_vote(vote: object) -> int:
    """1 for a thumbs up, -1 for a thumbs down; accepts bools, ±1 and common words."""
    if isinstance(vote, bool):
        return 1 if vote else -1
    if isinstance(vote, int) and vote in (1, -1):
        return vote
    if isinstance(vote, str):
        word = vote.strip().lower()
        if word in {"up", "like", "upp", "bra", "1", "+1", "👍"}:
            return 1
        if word in {"down", "dislike", "ner", "dålig", "-1", "👎"}:
            return -1
    raise ValueError(f"Okänd röst: {vote!r} (använd upp/ner eller 1/-1)")


def _answer_fields(answer: Any) -> tuple[str, bool, list[dict]]:
    """Text, abstained and citations from an Answer, its to_dict() or a plain string."""
    if isinstance(answer, str):
        return answer, False, []
    data = answer.to_dict() if hasattr(answer, "to_dict") else answer
    if not isinstance(data, Mapping):
        raise TypeError(f"Cannot store an answer of type {type(answer).__name__}")
    citations = [asdict(c) if is_dataclass(c) else dict(c) for c in data.get("citations") or []]
    return str(data.get("answer", "")), bool(data.get("abstained", False)), citations


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """SQLite file of votes and abstentions. Safe to share between threads: every call opens its
    own connection. Rows older than ``retention_days`` are deleted on opening and on each write.
    """

    def __init__(self, path: Path | str, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._ready = False

    @classmethod
    def from_settings(cls, settings) -> FeedbackStore:
        """``<data_dir>/feedback.sqlite`` with the configured retention."""
        return cls(settings.data_dir / "feedback.sqlite", settings.feedback_retention_days)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    with closing(sqlite3.connect(self.path, timeout=30)) as conn, conn:
                        conn.executescript(SCHEMA)
                        self._purge(conn)
                    self._ready = True
        with closing(sqlite3.connect(self.path, timeout=30)) as conn, conn:
            conn.row_factory = sqlite3.Row
            yield conn

    def _purge(self, conn: sqlite3.Connection) -> int:
        """Delete rows older than the retention period; returns how many went."""
        cutoff = datetime.now(UTC) - timedelta(days=self.retention_days)
        stamp = cutoff.isoformat(timespec="seconds")
        # ISO timestamps in UTC with the same offset compare correctly as text.
        return sum(
            conn.execute(f"DELETE FROM {table} WHERE created_at < ?", (stamp,)).rowcount
            for table in TABLES
        )

    def purge(self) -> int:
        """Delete what is older than the retention period now (also done on every write)."""
        with self._connect() as conn:
            return self._purge(conn)

    def record(self, question: str, answer: Any, vote: object, answer_id: str | None = None) -> int:
        """Store a vote; a new vote on the same ``answer_id`` replaces the earlier one.

        Returns the row id.
        """
        text, abstained, citations = _answer_fields(answer)
        question = str(question)
        row = {
            "answer_id": answer_id or uuid.uuid4().hex,
            "created_at": _now(),
            "question": mask(question),
            "answer": mask_echo(text, question),
            "abstained": int(abstained),
            "citations": json.dumps(citations, ensure_ascii=False),
            "vote": normalise_vote(vote),
        }
        with self._connect() as conn:
            self._purge(conn)
            conn.execute(
                """
                INSERT INTO feedback
                    (answer_id, created_at, question, answer, abstained, citations, vote)
                VALUES
                    (:answer_id, :created_at, :question, :answer, :abstained, :citations, :vote)
                ON CONFLICT(answer_id) DO UPDATE SET
                    vote = excluded.vote, created_at = excluded.created_at
                """,
                row,
            )
            found = conn.execute(
                "SELECT id FROM feedback WHERE answer_id = ?", (row["answer_id"],)
            ).fetchone()
        return int(found["id"])

    def rows(self) -> list[dict]:
        """All votes, oldest first, with citations decoded."""
        with self._connect() as conn:
            got = conn.execute(f"SELECT {', '.join(CSV_COLUMNS)} FROM feedback ORDER BY id")
            out = [dict(r) for r in got.fetchall()]
        for r in out:
            r["abstained"] = bool(r["abstained"])
            r["citations"] = json.loads(r["citations"] or "[]")
        return out

    def record_abstention(
        self, question: str, code: str = "", section: str = "", doc_id: str = ""
    ) -> int:
        """Store an abstention of the web chat (question masked); returns the row id."""
        row = (_now(), mask(str(question)), code, section, doc_id)
        with self._connect() as conn:
            self._purge(conn)
            got = conn.execute(
                "INSERT INTO abstentions (created_at, question, code, section, doc_id) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            )
            return int(got.lastrowid or 0)

    def abstentions(self) -> list[dict]:
        """Every stored abstention, oldest first."""
        with self._connect() as conn:
            got = conn.execute(
                f"SELECT {', '.join(ABSTENTION_COLUMNS)} FROM abstentions ORDER BY id"
            )
            return [dict(r) for r in got.fetchall()]

    def count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def export_csv(self, path: Path | str) -> int:
        """Write every vote to a CSV file and return the number of rows.

        UTF-8 with a byte order mark (so spreadsheet programs show å, ä, ö right), one header
        row, ``vote`` as 1/-1, ``citations`` as JSON. Text that a spreadsheet would run as a
        formula gets a leading apostrophe.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            got = conn.execute(f"SELECT {', '.join(CSV_COLUMNS)} FROM feedback ORDER BY id")
            rows = got.fetchall()
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for r in rows:
                writer.writerow([csv_cell(r[c]) for c in CSV_COLUMNS])
        return len(rows)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> int:
    """Write header and rows atomically (a crash leaves the old file or none), UTF-8 with a
    byte order mark for spreadsheets, every cell through csv_cell; returns the row count."""
    with atomic_open(path, prefix=f".{path.name}.", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([csv_cell(v) for v in row] for row in rows)
    return len(rows)


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
