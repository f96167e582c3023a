"""Scoring: a linear model over the candidates' features, whose weights live in the Tuning."""

from __future__ import annotations

import numpy as np

from bot.candidates import Candidate
from config.tuning import Tuning


def score(candidates: list[Candidate], tuning: Tuning) -> list[Candidate]:
    """Set each candidate's score (the model's log-odds) and sort best first."""
    if not candidates:
        return []
    weights = np.asarray(tuning.weight_vector(), dtype=np.float64)
    matrix = np.asarray([c.vector() for c in candidates], dtype=np.float64)
    for cand, value in zip(candidates, matrix @ weights + tuning.bias, strict=True):
        cand.score = float(value)
    return sorted(candidates, key=lambda c: -c.score)
