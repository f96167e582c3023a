"""What residents ask that the documents do not answer: abstentions and 👎, grouped by section.

The web chat logs every abstention (``GapRecorder`` around the bot) in the feedback store, with
the question masked, its abstention code and the closest section when the answer names one.
Together with the 👎 votes on answers that were given, they make the "gaps": grouped by the
closest section (for a 👎, the section of the answer's first source), counted, for
``policybot gaps`` and the "Obesvarade frågor" table in Källor.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.feedback import FeedbackStore, write_csv
from ingest.chunking import SECTION_SEPARATOR

log = logging.getLogger(__name__)

# compose.abstain names the closest section like this (only for CLOSE_CODES).
_CLOSEST = re.compile(r"Närmast kommer avsnittet ”(?P<section>.+?)” ")
NO_SECTION = "Inget närliggande avsnitt"
CSV_COLUMNS = [
    "section",
    "doc_id",
    "question",
    "count",
    "abstained",
    "disliked",
    "last_asked",
]


def closest_section(answer: Any) -> tuple[str, str]:
    """(innermost heading, document id) an abstention names as closest, or ("", "")."""
    found = _CLOSEST.search(getattr(answer, "answer", "") or "")
    if not found:
        return "", ""
    retrieved = getattr(answer, "retrieved", None) or []
    doc_id = str(retrieved[0].get("doc_id", "")) if retrieved else ""
    return found.group("section"), doc_id


class GapRecorder:
    """The bot, with every abstention it gives logged in the feedback store.

    Logging never stands in the way of an answer: a failure to store is only logged.
    Everything but ``ask`` is the wrapped bot's.
    """

    def __init__(self, bot: Any, store: FeedbackStore) -> None:
        self._bot = bot
        self._store = store

    def ask(self, question: str, history: list[str] | None = None):
        answer = self._bot.ask(question, history)
        if getattr(answer, "abstained", False):
            section, doc_id = closest_section(answer)
            try:
                self._store.record_abstention(
                    question, getattr(answer, "abstain_code", ""), section, doc_id
                )
            except Exception:
                log.exception("Could not log an abstention in %s", self._store.path)
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)


@dataclass
class Question:
    text: str
    count: int = 0
    abstained: int = 0
    disliked: int = 0
    last_asked: str = ""


@dataclass
class Group:
    """The unanswered questions closest to one section (``section == ""``: none named)."""

    section: str
    doc_id: str
    questions: dict[str, Question] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(q.count for q in self.questions.values())

    @property
    def abstained(self) -> int:
        return sum(q.abstained for q in self.questions.values())

    @property
    def disliked(self) -> int:
        return sum(q.disliked for q in self.questions.values())

    @property
    def label(self) -> str:
        return self.section or NO_SECTION

    def ranked(self) -> list[Question]:
        return sorted(self.questions.values(), key=lambda q: (-q.count, q.text.casefold()))


def _key(question: str) -> str:
    """Questions that differ only in case, spacing or the question mark count as one."""
    return " ".join(question.casefold().split()).rstrip(" ?")


def _heading(section: str) -> str:
    return (section or "").split(SECTION_SEPARATOR)[-1]


def collect(store: FeedbackStore, since: datetime | None = None) -> list[Group]:
    """Abstentions and 👎 on given answers since ``since``, grouped, largest group first.

    A 👎 on an abstention is not counted again: every abstention is already in the log.
    """
    cutoff = since.astimezone(UTC).isoformat(timespec="seconds") if since else ""
    items: list[tuple[str, str, str, str, bool]] = []
    for row in store.abstentions():
        if row["created_at"] >= cutoff:
            items.append((row["section"], row["doc_id"], row["question"], row["created_at"], True))
    for row in store.rows():
        if row["vote"] != -1 or row["abstained"] or row["created_at"] < cutoff:
            continue
        first = row["citations"][0] if row["citations"] else {}
        section, doc_id = _heading(first.get("section", "")), str(first.get("doc_id", ""))
        items.append((section, doc_id, row["question"], row["created_at"], False))
    groups: dict[tuple[str, str], Group] = {}
    for section, doc_id, question, when, abstained in items:
        group = groups.setdefault((section, doc_id), Group(section, doc_id))
        entry = group.questions.setdefault(_key(question), Question(question))
        entry.count += 1
        entry.abstained += abstained
        entry.disliked += not abstained
        if when >= entry.last_asked:
            entry.text, entry.last_asked = question, when
    return sorted(groups.values(), key=lambda g: (-g.count, not g.section, g.label.casefold()))


def format_report(groups: list[Group], period: str) -> str:
    """The Swedish text ``policybot gaps`` prints."""
    total = sum(g.count for g in groups)
    if not total:
        return f"Inga obesvarade frågor {period}."
    abstained = sum(g.abstained for g in groups)
    lines = [
        f"Obesvarade frågor {period}: {total} "
        f"({abstained} utan svar, {total - abstained} svar med tumme ned)"
    ]
    for g in groups:
        where = f"{g.label} ({g.doc_id})" if g.doc_id else g.label
        lines += ["", f"{where}: {g.count}"]
        lines += [f"  {q.count:>4}  {q.text}" for q in g.ranked()]
    return "\n".join(lines)


def export_csv(groups: list[Group], path: Path | str) -> int:
    """One row per question (with its group), written atomically; returns the number of rows.

    UTF-8 with a byte order mark, like the feedback export, and the same guard against cells
    that a spreadsheet would run as a formula.
    """
    rows = [
        [g.section, g.doc_id, q.text, q.count, q.abstained, q.disliked, q.last_asked]
        for g in groups
        for q in g.ranked()
    ]
    return write_csv(Path(path), CSV_COLUMNS, rows)
