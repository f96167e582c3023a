"""The register for people: a Swedish table in the terminal, and CSV for spreadsheets."""

from __future__ import annotations

from pathlib import Path

from bot.feedback import write_csv
from bot.register_store import CELLS, COLUMNS, Entry, Ref, Register

EMPTY = "–"  # a cell the documents do not fill
WIDTHS = {"name": 34, "type": 12, "since": 6, "status": 9, "owner": 22}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(register: Register) -> str:
    """An overview table, then each row's cells with numbered, verbatim sources."""
    if not register.rows:
        return "Dokumenten nämner inga medlemskap, nätverk, avtal eller vänorter."
    cols = ["name", "type", "since", "status", "owner"]
    head = "  ".join(f"{COLUMNS[c]:<{WIDTHS[c]}}" for c in cols)
    lines = [head, "-" * len(head)]
    for e in register.rows:
        values = {
            "name": e.name,
            "type": e.type_label,
            "since": _value(e, "since"),
            "status": _value(e, "status"),
            "owner": e.owner or EMPTY,
        }
        lines.append("  ".join(f"{_fit(values[c], WIDTHS[c]):<{WIDTHS[c]}}" for c in cols))
    lines += ["", f"{len(register.rows)} rader. Varje uppgift med källa:"]
    refs: list[Ref] = []
    for e in register.rows:
        lines += ["", _title(e)]
        for name in CELLS:
            cell = e.cells.get(name)
            if cell is not None:
                refs.append(cell.ref)
                lines.append(f"  {COLUMNS[name]}: {cell.label(name)} [{len(refs)}]")
        for c in e.conflicts:
            refs.append(c.ref)
            value = ", ".join(c.value) if isinstance(c.value, list) else c.value
            lines.append(f"  {COLUMNS[c.cell]} (äldre uppgift): {value} [{len(refs)}]")
        refs.append(e.sources[0])
        lines.append(f"  Nämns i: [{len(refs)}]")
    lines += ["", "Källor:"]
    for n, ref in enumerate(refs, 1):
        quote = ref.quote.replace("\n", " ")
        lines.append(f"[{n}] {ref.title} ({ref.updated}), avsnitt ”{ref.section}”: ”{quote}”")
    return "\n".join(lines)


def _title(e: Entry) -> str:
    also = f" (även: {', '.join(e.aliases)})" if e.aliases else ""
    return f"{e.name}{also} – {e.type_label}" + (f", {e.owner}" if e.owner else "")


def _value(e: Entry, name: str) -> str:
    cell = e.cells.get(name)
    return cell.label(name) if cell else EMPTY


def _source(ref: Ref) -> str:
    return f"{ref.title} ({ref.updated}), {ref.section}: ”{ref.quote}”"


def export_csv(register: Register, path: Path) -> int:
    """Write one line per row, each cell beside its source; atomic, formulas disarmed."""
    header = [COLUMNS["owner"], COLUMNS["name"], "Andra namn", COLUMNS["type"]]
    for name in CELLS:
        header += [COLUMNS[name], f"{COLUMNS[name]} – källa"]
    header += ["Äldre uppgifter", "Nämns i"]
    rows = []
    for e in register.rows:
        line = [e.owner, e.name, "; ".join(e.aliases), e.type_label]
        for name in CELLS:
            cell = e.cells.get(name)
            line += [cell.label(name), _source(cell.ref)] if cell else ["", ""]
        conflicts = [
            f"{COLUMNS[c.cell]}: {', '.join(c.value) if isinstance(c.value, list) else c.value}"
            f" ({_source(c.ref)})"
            for c in e.conflicts
        ]
        line += ["; ".join(conflicts), "; ".join(_source(s) for s in e.sources)]
        rows.append(line)
    return write_csv(path, header, rows)
