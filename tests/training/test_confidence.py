"""Fitting the confidence model: the threshold's bookkeeping and a fit written to a tuning file."""

from __future__ import annotations

import json
import random

import numpy as np

from config.tuning import Tuning
from training.confidence import Rows, best_threshold, fit, gain


def _rows(right: list[bool], must_abstain: list[bool]) -> Rows:
    n = len(right)
    return Rows(
        names=["score"],
        x=np.zeros((n, 1)),
        right=np.asarray(right),
        must_abstain=np.asarray(must_abstain),
        groups=np.asarray(["a"] * n),
        questions=n,
        passes=sum(right),
    )


def test_holding_an_answer_back_counts_what_it_was() -> None:
    # a right answer, a wrong one to an answerable question, one that should have abstained
    rows = _rows([True, False, False], [False, False, True])
    p = np.asarray([0.3, 0.2, 0.1])
    assert gain(p, rows, 0.15) == (1, 1)  # the must-abstain one: a pass, one wrong answer fewer
    assert gain(p, rows, 0.25) == (1, 2)
    assert gain(p, rows, 0.35) == (0, 2)  # the right answer is lost
    assert best_threshold(p, rows) == 0.21  # the lowest of the best


def test_a_fit_on_separable_signals_is_written_and_read_back(tmp_path) -> None:
    rng = random.Random(3)
    folder = tmp_path / "collected"
    folder.mkdir()
    for group in "abcdef":
        lines = []
        for i in range(60):
            right = rng.random() < 0.6
            must = not right and rng.random() < 0.5
            score = rng.gauss(1.0 if right else -1.0, 0.7)
            signals = {"score": score, "units": 1.0}
            lines.append(
                json.dumps(
                    {
                        "group": group,
                        "id": f"{group}-{i}",
                        "abstain": must,
                        "passed": right,
                        "abstained": False,
                        "code": "",
                        "signals": signals,
                    }
                )
            )
        lines.append(
            json.dumps(
                {
                    "group": group,
                    "id": f"{group}-x",
                    "abstain": True,
                    "passed": True,
                    "abstained": True,
                    "code": "near-miss",
                    "signals": {},
                }
            )
        )
        (folder / f"{group}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tuning_file = tmp_path / "tuning.json"
    tuning_file.write_text(json.dumps({"min_dense": 0.4}), encoding="utf-8")
    assert fit(folder, tuning_file, ["a", "b", "c", "d", "e"]) == 0
    tuning = Tuning.load(tuning_file)
    assert tuning.min_dense == 0.4  # the file's other values are kept
    assert tuning.confidence_weights["score"] > 1.0
    assert 0.1 < tuning.min_confidence < 0.9
