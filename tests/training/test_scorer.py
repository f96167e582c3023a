"""Refitting the unit scorer's weights listwise, chosen on dev."""

import json
from pathlib import Path

import numpy as np
import pytest

from config.tuning import UNIT_FEATURES, Tuning
from training.scorer import (
    Split,
    fit,
    load_split,
    lopo,
    publisher,
    ranking,
    start_weights,
    write,
)

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


def test_regeringen_files_are_one_publisher() -> None:
    assert publisher("regeringen-a") == publisher("regeringen-c") == "regeringen"
    assert publisher("lansstyrelsen") == "lansstyrelsen"
    assert publisher("evals__external__femte") == "evals__external__femte"


def test_leave_one_publisher_out_measures_each_on_weights_fitted_without_it() -> None:
    rng = np.random.default_rng(2)
    # Three publishers reward feature 3; a fourth rewards feature 5, which no other teaches.
    data = Split()
    for name, signal in (("a", 3), ("b", 3), ("c", 3), ("odd", 5)):
        part = _split(rng, 120, signal=signal)
        data = data + Split(part.feat, part.labels, [name] * len(part.feat))
    base = np.zeros(N)
    base[0] = 1.0
    result = lopo(data, base, epochs=3, seed=1, log=lambda *_: None, lr=0.05)
    assert set(result.total) == {"a", "b", "c", "odd"}
    assert all(len(hits) == 3 for hits in result.fitted.values())
    # Each of a, b, c learns from the other two what ranks its answers first ...
    for name in "abc":
        assert result.fitted[name][-1] > result.base[name] + 40
    # ... and the odd one out gains little from what the others teach.
    assert result.fitted["odd"][-1] < result.fitted["a"][-1]
    assert 1 <= result.best_epoch() <= 3


def test_a_start_file_overrides_only_the_weights_it_names(tmp_path: Path) -> None:
    path = tmp_path / "start.json"
    path.write_text(json.dumps({"min_dense": 0.4, "weights": {"dense": 2.5}}), encoding="utf-8")
    weights = dict(zip(UNIT_FEATURES, start_weights(path), strict=True))
    defaults = Tuning().weights
    assert weights["dense"] == 2.5
    assert weights["coverage"] == defaults["coverage"] != 2.5
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(SystemExit, match="broken.json"):
        start_weights(broken)
