"""A smoke test of the judge's training: a few steps on a few questions, then the numpy check."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from training.judge import groups, main
from training.judge_encoder import JudgeEncoder
from training.train import bundled_model

UNITS = [
    "Kommunen har fem vänorter: Tromsø, Oulu, Kemi, Narvik och Zenica.",
    "Avgiften för bygglov är 1 200 kronor per timme.",
    "Nämnden sammanträder en gång i månaden.",
    "Skolan har 400 elever i årskurs 1–9.",
    "Biblioteket är öppet till klockan 19 på torsdagar.",
    "Planen gäller för åren 2020–2024.",
]
QUESTIONS = [
    ("Vilka vänorter har kommunen?", 0),
    ("Vad kostar bygglov per timme?", 1),
    ("Hur ofta sammanträder nämnden?", 2),
    ("Hur många elever har skolan?", 3),
]


def _rows(split: str) -> list[dict]:
    rows = []
    for i, (question, answer) in enumerate(QUESTIONS):
        order = [answer] + [j for j in range(len(UNITS)) if j != answer]
        rows.append(
            {
                "group": split,
                "id": f"{split}-{i}",
                "query": question,
                "abstain": False,
                "cands": [
                    {"text": UNITS[j], "label": float(j == answer), "score": 1.0 - 0.1 * k}
                    for k, j in enumerate(order)
                ],
            }
        )
    # A must-abstain question gives negatives only.
    rows.append(
        {
            "group": split,
            "id": f"{split}-x",
            "query": "Vad kostar en båtplats?",
            "abstain": True,
            "cands": [{"text": u, "label": 0.0, "score": 0.5} for u in UNITS],
        }
    )
    return rows


def test_a_group_holds_one_answer_and_the_hardest_non_answers() -> None:
    got = groups(_rows("train"), per_question=4, rng=random.Random(3))
    assert len(got) == 5
    first = got[0]
    assert len(first) == 4 and [y for _, y, _ in first] == [1.0, 0.0, 0.0, 0.0]
    assert [h for _, _, h in first] == [1.0, 0.9, 0.8, first[3][2]]
    assert first[0][0] == f"Vilka vänorter har kommunen? passage: {UNITS[0]}"
    assert all(y == 0.0 for _, y, _ in got[-1])


def test_a_few_steps_give_a_delta_the_numpy_judge_runs_as_torch_does(tmp_path) -> None:
    pytest.importorskip("torch", reason="the sentence-transformers extra is not installed")
    for split in ("train", "dev"):
        (tmp_path / "data" / split).mkdir(parents=True)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows(split))
        (tmp_path / "data" / split / "g.jsonl").write_text(lines, encoding="utf-8")
    out = tmp_path / "run"
    argv = ["--data", str(tmp_path / "data"), "--out", str(out), "--layers", "2"]
    argv += ["--batch", "2", "--per-question", "3", "--max-seq-length", "32"]
    assert main(argv) == 0
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["steps"] == 3 and meta["layers"] == 2
    assert meta["numpy_vs_torch_max_score_diff"] < 1e-3
    assert (out / "train.log").read_text(encoding="utf-8").count("dev") >= 1
    with np.load(out / "delta.npz") as d:
        names = set(d.files)
        assert int(d["layers"]) == 2 and "head.w" in names
    # Biases, LayerNorms, positions and low-rank adapters of the layers it reads; never a
    # whole weight matrix.
    changed = names - {"head.w", "head.b", "layers", "max_tokens"}
    assert any(".lora_" in n for n in changed)
    assert all(n.endswith(".b") or "ln" in n or n == "emb.pos" or ".lora_" in n for n in changed)
    assert not any(n.startswith(("l2.", "l11.")) for n in changed)
    judge = JudgeEncoder.load(bundled_model(), out / "delta.npz")
    assert judge.logits(["Vilka vänorter har kommunen? passage: Tromsø"]).shape == (1,)
