"""Collect (question, candidate unit, answers?) texts for training the answer judge.

`python -m training.judge_data --split train --out DIR` asks every question of a split as the
bot does (the same candidates and labels as training.scorer collects) and writes
DIR/<group>.jsonl: one line per question with its query, whether it must be abstained on, and
each candidate's judge text, label and hand score, best hand score first.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from config.settings import Settings


def collect(split: str, settings: Settings, out: Path, only: list[str] | None = None) -> None:
    from bot.judge import judge_text
    from evals.fit import candidates, label
    from training.passrate import asked_groups

    out.mkdir(parents=True, exist_ok=True)
    for name, _, items, bot, started in asked_groups(split, settings, only):
        snap = bot.retriever.snapshot()
        lines = []
        for item in items:
            info, _, ranked = candidates(bot, item, snap)
            lines.append(
                {
                    "group": name,
                    "id": item.id,
                    "query": info.query,
                    "abstain": bool(item.abstain),
                    "kind": list(getattr(item, "tags", []) or []),
                    "cands": [
                        {
                            "text": judge_text(c),
                            "label": label(item, c),
                            "score": round(float(c.score), 5),
                        }
                        for c in ranked
                    ],
                }
            )
        path = out / f"{name.replace('/', '__')}.jsonl"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), "utf-8"
        )
        tmp.replace(path)  # never a half-written file
        print(f"{name}: {len(items)} frågor, {time.monotonic() - started:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.judge_data", description=__doc__)
    parser.add_argument("--split", required=True, choices=["train", "dev", "test"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    collect(args.split, Settings(), args.out / args.split, args.only)


if __name__ == "__main__":
    main()
