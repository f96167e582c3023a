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
    from bot.questions import analyse
    from bot.service import PolicyBot
    from evals.command import settings_for_corpus
    from evals.fit import _label
    from ingest.indexer import ingest
    from training.judge_encoder import judge_text
    from training.passrate import group_settings, group_target, split_names

    out.mkdir(parents=True, exist_ok=True)
    for name in split_names(split, only):
        target = group_target(name, settings)
        if target is None:
            continue
        set_name, corpus, items = target
        started = time.monotonic()
        set_settings = settings_for_corpus(group_settings(name, settings), set_name, corpus)
        ingest(set_settings, progress=False)
        bot = PolicyBot.from_settings(set_settings, progress=False)
        retriever, extractive = bot.retriever, bot.extractive
        snap = retriever.snapshot()
        lines = []
        for item in items:
            info = analyse(item.question, list(item.history), snap.vocabulary)
            qvec = retriever.embeddings.embed_query(info.query)
            top = retriever.score_chunks(info.query, snap=snap, qvec=qvec)
            ranked = extractive.ranked(info, top[: extractive.top_chunks], qvec, snap)
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
                            "label": _label(item, c),
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
