"""Choose the thresholds at which a quoted sentence lets a yes/no answer lead with "Ja".

    python -m training.yesno grid --split dev --out DIR/yesno.json   # 12 min on dev
    python -m training.yesno choose DIR/yesno.json

A leading "Ja" needs the quoted sentence to cover the question's words (`yes_coverage`), or to
cover some of them (`yes_dense_coverage`) and lie close to the question (`yes_dense`). These
were set by hand on the base model and carried to each fine-tuned model by quantile; `grid`
asks every yes/no question of a split (tag ja-nej) under each combination, and `choose` takes
the one with the most passes minus answers that lead with "Ja" where the answer is "Nej" (that
error already fails, and it misleads, so it counts once more); among equals, the fewer such.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

from config.settings import Settings

YES_COVERAGE = (0.95, 0.85, 0.75)
YES_DENSE_COVERAGE = (0.5, 0.4, 0.3)
YES_DENSE = (0.696, 0.65, 0.6, 0.55)
KEYS = ("yes_coverage", "yes_dense_coverage", "yes_dense")


def grid(split: str, settings: Settings, out: Path) -> None:
    from evals.metrics import alternatives, norm
    from evals.running import score_answer
    from training.passrate import asked_groups

    rows = []
    for name, _, items, bot, _ in asked_groups(split, settings):
        asked = [it for it in items if "ja-nej" in (it.tags or [])]
        shipped = bot.extractive.tuning
        for values in itertools.product(YES_COVERAGE, YES_DENSE_COVERAGE, YES_DENSE):
            bot.extractive.tuning = shipped.model_copy(update=dict(zip(KEYS, values, strict=True)))
            for it in asked:
                answer = bot.ask(it.question, list(it.history))
                rows.append(
                    {
                        "group": name,
                        "id": it.id,
                        "values": list(values),
                        "passed": score_answer(it, answer, {}).passed,
                        "wrong_ja": answer.answer.startswith("Ja")
                        and any(norm(a) == "nej" for e in it.expect for a in alternatives(e)),
                    }
                )
        bot.extractive.tuning = shipped
        print(f"{name}: {len(asked)} ja/nej-frågor", flush=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows), encoding="utf-8")
    tmp.replace(out)  # never a half-written file


def totals(rows: list[dict]) -> dict[tuple[float, ...], tuple[int, int, int]]:
    """values -> (questions, passes, wrong Ja)."""
    out: dict[tuple[float, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        t = out[tuple(r["values"])]
        t[0] += 1
        t[1] += int(r["passed"])
        t[2] += int(r["wrong_ja"])
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def choose(rows: list[dict]) -> tuple[float, ...]:
    found = totals(rows)
    return max(found, key=lambda k: (found[k][1] - found[k][2], -found[k][2]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.yesno", description="Välj trösklarna för ett inledande Ja."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gr = sub.add_parser(
        "grid",
        help="ställ ja/nej-frågorna under varje kombination av trösklar",
        description="Exempel: python -m training.yesno grid --split dev --out /tmp/yesno.json",
    )
    gr.add_argument("--split", choices=["train", "dev", "test"], default="dev")
    gr.add_argument("--out", type=Path, required=True)
    ch = sub.add_parser(
        "choose",
        help="visa utfallet och välj trösklar",
        description="Exempel: python -m training.yesno choose /tmp/yesno.json",
    )
    ch.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "grid":
        grid(args.split, Settings(), args.out)
        return 0
    rows = json.loads(args.file.read_text(encoding="utf-8"))
    found = totals(rows)
    for values, (n, passes, wrong) in sorted(found.items(), key=lambda kv: -kv[1][1]):
        print(f"{values}: {passes} av {n} godkända, Ja där svaret är Nej {wrong}")
    best = choose(rows)
    print("vald: " + ", ".join(f"{k} {v}" for k, v in zip(KEYS, best, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
