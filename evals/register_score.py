"""A built register scored against a gold one: rows found and extra, cells right, quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.register import same_names
from bot.register_store import Entry, Register
from evals.registers import Cell as GoldCell
from evals.registers import GoldRegister
from evals.registers import Row as GoldRow
from ingest.loaders import SourceDocument

# A text cell's quote and the gold quote share this much of the shorter one's words.
QUOTE_OVERLAP = 0.5
TEXT_CELLS = ("purpose", "members", "role")


@dataclass
class RegisterScore:
    name: str
    gold_rows: int = 0
    found_rows: int = 0
    built_rows: int = 0
    extra_rows: list[str] = field(default_factory=list)
    gold_cells: int = 0
    right_cells: int = 0
    wrong_cells: list[str] = field(default_factory=list)  # filled, but value or source wrong
    extra_cells: list[str] = field(default_factory=list)  # filled where the gold is empty
    missed_cells: list[str] = field(default_factory=list)
    quotes: int = 0
    verbatim_quotes: int = 0
    twin_towns: int = 0
    twin_towns_right: int = 0
    types_right: int = 0  # found rows whose type is the gold's

    @property
    def row_recall(self) -> float:
        return self.found_rows / self.gold_rows if self.gold_rows else 1.0

    @property
    def row_precision(self) -> float:
        return (
            (self.built_rows - len(self.extra_rows)) / self.built_rows if self.built_rows else 1.0
        )

    @property
    def cell_accuracy(self) -> float:
        """Right cells over every cell that should be filled or was filled."""
        judged = self.gold_cells + len(self.extra_cells)
        return self.right_cells / judged if judged else 1.0

    def summary(self) -> dict:
        return {
            "row_recall": round(self.row_recall, 4),
            "row_precision": round(self.row_precision, 4),
            "extra_rows": len(self.extra_rows),
            "cell_accuracy": round(self.cell_accuracy, 4),
            "right_cells": self.right_cells,
            "gold_cells": self.gold_cells,
            "verbatim_quotes": f"{self.verbatim_quotes}/{self.quotes}",
            "twin_towns_right": f"{self.twin_towns_right}/{self.twin_towns}",
            "types_right": f"{self.types_right}/{self.found_rows}",
        }


def same_tie(entry: Entry, gold: GoldRow) -> bool:
    """One name (or alias) of each is the other's, or its first words."""
    return same_names([entry.name, *entry.aliases], [gold.name, *gold.aliases])


def score(
    name: str, gold: GoldRegister, built: Register, docs: dict[str, SourceDocument]
) -> RegisterScore:
    s = RegisterScore(name, gold_rows=len(gold.rows), built_rows=len(built.rows))
    s.gold_cells = sum(len(g.cells) for g in gold.rows)
    unmatched = list(built.rows)
    for g in gold.rows:
        entry = next((e for e in unmatched if same_tie(e, g)), None)
        if g.type == "twin town":
            s.twin_towns += 1
        if entry is None:
            s.missed_cells += [f"{g.name}: {c}" for c in g.cells]
            continue
        unmatched.remove(entry)
        s.found_rows += 1
        s.types_right += entry.type == g.type
        for cell_name, gold_cell in g.cells.items():
            got = entry.cells.get(cell_name)
            label = f"{g.name}: {cell_name}"
            if got is None:
                s.missed_cells.append(label)
            elif cell_right(cell_name, got, gold_cell):
                s.right_cells += 1
            else:
                s.wrong_cells.append(f"{label} = {_short(got.value)!r} ({got.ref.doc_id})")
        s.extra_cells += [
            f"{g.name}: {c} = {_short(v.value)!r}"
            for c, v in entry.cells.items()
            if c not in g.cells
        ]
        if g.type == "twin town":
            want, got = g.cells.get("status"), entry.cells.get("status")
            if (want and got and want.value == got.value) or (want is None and got is None):
                s.twin_towns_right += 1
    s.extra_rows = [e.name for e in unmatched]
    for entry in built.rows:
        refs = [*entry.sources, *(c.ref for c in entry.cells.values())]
        refs += [c.ref for c in entry.conflicts]
        for ref in refs:
            s.quotes += 1
            doc = docs.get(ref.doc_id)
            s.verbatim_quotes += bool(doc and ref.quote and ref.quote in doc.body)
    return s


def cell_right(name: str, got, gold: GoldCell) -> bool:
    """The value is the gold's (a text cell: its quote overlaps the gold quote) and it is cited
    from the gold's document; without gold quotes, from the gold's section."""
    if got.ref.doc_id != gold.doc:
        return False
    same_section = got.ref.section == gold.section
    if gold.quote is None:
        return same_section and (name in TEXT_CELLS or got.value == gold.value)
    if name in TEXT_CELLS:
        return overlap(got.ref.quote, gold.quote) >= QUOTE_OVERLAP
    return got.value == gold.value and (same_section or overlap(got.ref.quote, gold.quote) > 0)


def overlap(a: str, b: str) -> float:
    """The share of the shorter text's words that the other has."""
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    shorter = min(len(wa), len(wb))
    return len(wa & wb) / shorter if shorter else 0.0


def _short(value) -> str:
    text = ", ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def format_score(s: RegisterScore) -> str:
    """The Swedish report a maintainer reads after `policybot eval --register`."""
    lines = [
        f"Register {s.name}: {s.found_rows}/{s.gold_rows} rader hittade "
        f"({s.row_recall:.0%}), {len(s.extra_rows)} rader som inte finns i facit, "
        f"rätt typ {s.types_right}/{s.found_rows}; "
        f"celler rätt {s.right_cells} av {s.gold_cells + len(s.extra_cells)} "
        f"({s.cell_accuracy:.0%}); ordagranna citat {s.verbatim_quotes}/{s.quotes}",
    ]
    if s.twin_towns:
        lines.append(f"  vänorter med rätt status: {s.twin_towns_right}/{s.twin_towns}")
    for title, items in (
        ("rader som inte finns i facit", s.extra_rows),
        ("fel celler", s.wrong_cells),
        ("celler som facit lämnar tomma", s.extra_cells),
        ("tomma celler", s.missed_cells),
    ):
        if items:
            lines.append(f"  {title}: " + "; ".join(items))
    return "\n".join(lines)
