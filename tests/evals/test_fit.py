"""Fitting the unit weights (unit test on synthetic features, no model)."""

from __future__ import annotations

import numpy as np

from config.tuning import UNIT_FEATURES, Tuning
from evals.fit import Question, fit


def test_the_feature_that_separates_answers_gets_the_weight() -> None:
    rng = np.random.default_rng(0)
    decisive = UNIT_FEATURES.index("definition")
    questions = []
    for n in range(40):
        matrix = rng.normal(size=(6, len(UNIT_FEATURES)))
        matrix[:, decisive] = 0.0
        matrix[n % 6, decisive] = 1.0  # the answering unit is the one with the feature
        labels = np.zeros(6)
        labels[n % 6] = 1.0
        questions.append(Question("s", object(), f"doc{n % 4}", matrix, labels))
    tuning = fit(questions, Tuning())
    weights = tuning.weight_vector()
    assert weights[decisive] == max(weights)
    # The fitted model ranks the answering unit first in nearly every question (the weights are
    # regularised, so the random values of the other features may tip a close one).
    w = np.asarray(weights)
    right = sum(int(np.argmax(q.matrix @ w)) == int(np.argmax(q.labels)) for q in questions)
    assert right >= 38, right
