"""Refitting the unit scorer's weights listwise, chosen on dev."""

import json
from pathlib import Path

import numpy as np
import pytest

from config.tuning import UNIT_FEATURES
from training.scorer import Split, fit, load_split, ranking, write

pytest.importorskip("torch")  # the training extra

N = len(UNIT_FEATURES)


def _split(rng: np.random.Generator, questions: int, signal: int) -> Split:
    """Questions of 8 candidates where feature `signal` marks the one that answers, and the
    base weights' favourite (feature 0) is noise."""
    out = Split()
    for _ in range(questions):
        feat = rng.normal(size=(8, N))
        labels = np.zeros(8, dtype=np.float32)
        right = rng.integers(8)
        labels[right] = 1
        feat[right, signal] += 2.5
        out.feat.append(feat)
        out.labels.append(labels)
    return out


def test_the_fit_learns_what_ranks_the_answer_first() -> None:
    rng = np.random.default_rng(0)
    train, dev = _split(rng, 300, signal=3), _split(rng, 150, signal=3)
    base = np.zeros(N)
    base[0] = 1.0
    before = ranking(dev, base)
    weights = fit(train, dev, base, epochs=4, seed=1, log=lambda *_: None, lr=0.05)
    after = ranking(dev, weights)
    assert after[1] == before[1] == 150
    assert after[0] > before[0] + 50
    assert weights[3] > 0.5


def test_base_is_kept_when_nothing_beats_it_on_dev() -> None:
    rng = np.random.default_rng(1)
    # Train rewards feature 3, dev feature 5: nothing learned on train helps dev.
    train, dev = _split(rng, 200, signal=3), _split(rng, 100, signal=5)
    base = np.zeros(N)
    base[5] = 1.0
    weights = fit(train, dev, base, epochs=2, seed=1, log=lambda *_: None, lr=0.05)
    assert np.array_equal(weights, base)


def test_write_keeps_the_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "tuning-x.json"
    path.write_text(json.dumps({"min_dense": 0.4, "weights": {"dense": 9.0}}), encoding="utf-8")
    write(np.arange(N, dtype=float), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["min_dense"] == 0.4
    assert data["weights"] == {n: float(i) for i, n in enumerate(UNIT_FEATURES)}


def test_an_empty_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=str(tmp_path)):
        load_split(tmp_path)
