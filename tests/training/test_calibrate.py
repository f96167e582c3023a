"""Carrying thresholds to a new cosine scale by quantile."""

import numpy as np

from config.tuning import Tuning
from training.calibrate import calibrated, carry


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
