"""Compare two runs of `training.passrate --json` question by question: what changed, and where.

    python -m training.passdiff BEFORE.json AFTER.json           # totals, and by publisher
    python -m training.passdiff BEFORE.json AFTER.json --list    # and every changed question

A change is judged by the questions it turns, not by the totals alone: a gain on one publisher
can hide a loss on another, and a rule that helps only regeringen.se's pages has not been shown
to help the next municipality (training/MODEL.md, "Session 43"). Runs are matched by question id,
so two clones' runs (whose file paths differ) compare.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from evals.comparing import BaselineError, load_baseline
from evals.metrics import pct
from training.scorer import publisher


@dataclass
class Run:
    """One passrate run: its summary and its questions by id."""

    path: Path
    summary: dict
    items: dict[str, dict]

    @property
    def passes(self) -> int:
        return sum(bool(i.get("passed")) for i in self.items.values())

    @property
    def wrong(self) -> int:
        """Questions answered, not abstained on, and failed."""
        return sum(not i.get("passed") and not i.get("abstained") for i in self.items.values())


def read(path: Path) -> Run:
    """The run in path; SystemExit naming the file when it is not a result. passrate writes the
    same format as `policybot eval --json`, so its baselines' reader checks it."""
    try:
        data = load_baseline(path)
    except BaselineError as exc:
        raise SystemExit(f"Fel: {exc}") from None
    return Run(path, data.get("summary") or {}, {i["id"]: i for i in data["items"]})


def group_of(item_id: str) -> str:
    """The publisher of a question id ("regeringen-e/rge-tlv" -> "regeringen")."""
    return publisher(item_id.split("/", 1)[0])


def report(before: Run, after: Run, listing: bool = False) -> str:
    lines = []
    for name, run in (("före", before), ("efter", after)):
        s = run.summary
        lines.append(
            f"{name:<6} {run.passes:>5} godkända av {len(run.items)}, {run.wrong} fel svar; "
            f"avstår rätt {pct(s.get('abstention_recall'))}, "
            f"precision {pct(s.get('abstention_precision'))}; "
            f"p50 {s.get('latency_p50_ms', 0):.0f} ms  ({run.path})"
        )
    common = [k for k in before.items if k in after.items]
    gained = [k for k in common if not before.items[k]["passed"] and after.items[k]["passed"]]
    lost = [k for k in common if before.items[k]["passed"] and not after.items[k]["passed"]]
    lines.append(f"ändrade frågor: +{len(gained)} −{len(lost)}")
    missing = len(before.items) - len(common), len(after.items) - len(common)
    if any(missing):
        lines.append(f"bara i före: {missing[0]}, bara i efter: {missing[1]}")
    plus, minus = Counter(map(group_of, gained)), Counter(map(group_of, lost))
    if gained or lost:
        lines.append("per utgivare:")
        for name in sorted(plus.keys() | minus.keys(), key=lambda n: (plus[n] - minus[n], n)):
            lines.append(f"  {name:<36} +{plus[name]} −{minus[name]}")
    stages = Counter(after.items[k].get("stage") or "?" for k in lost)
    if stages:
        lines.append("förlorade, steg efter: " + ", ".join(f"{s} {n}" for s, n in stages.items()))
    if listing:
        for sign, keys in (("+", gained), ("−", lost)):
            for k in keys:
                item = after.items[k]
                why = "; ".join(item.get("reasons") or []) or "godkänd"
                lines.append(f"{sign} {k} [{item.get('stage') or '-'}] {why}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.passdiff",
        description="Jämför två körningar av training.passrate fråga för fråga. "
        "Exempel: python -m training.passdiff main.json ny.json --list",
    )
    parser.add_argument("before", type=Path, help="körningen före ändringen (JSON)")
    parser.add_argument("after", type=Path, help="körningen efter ändringen (JSON)")
    parser.add_argument("--list", action="store_true", help="visa varje ändrad fråga")
    args = parser.parse_args(argv)
    sys.stdout.write(report(read(args.before), read(args.after), args.list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
