"""The answer-confidence check: the signals of a real answer, and abstaining below the floor."""

from __future__ import annotations

import math

from bot.answerer import ABSTAIN_TEXT
from bot.confidence import KINDS, probability
from config.tuning import Tuning


def test_a_real_answer_carries_its_signals(real_bot) -> None:
    answer = real_bot.ask("Sedan när är Luleå med i Union of the Baltic Cities?")
    signals = answer.confidence
    assert not answer.abstained
    assert signals["kind_year"] == 1.0 and signals["kind_fit"] == 1.0
    assert sum(signals[f"kind_{k}"] for k in KINDS) == 1.0
    assert signals["units"] >= 1 and 0 < signals["same_document"] <= 1
    assert all(math.isfinite(v) for v in signals.values())


def test_without_weights_there_is_no_check() -> None:
    assert probability({"score": 5.0}, Tuning()) is None


def test_the_probability_follows_the_weights() -> None:
    tuning = Tuning(confidence_weights={"score": 2.0, "margin": -1.0}, confidence_bias=-1.0)
    assert probability({"score": 0.5, "margin": 0.0}, tuning) == 0.5
    assert probability({"score": 3.0}, tuning) > 0.99
    assert probability({"score": -3.0}, tuning) < 0.01


def test_an_answer_below_the_floor_abstains_and_names_the_closest_section(real_bot) -> None:
    question = "Sedan när är Luleå med i Union of the Baltic Cities?"
    answerer = real_bot.extractive
    kept = answerer.tuning
    try:
        answerer.tuning = kept.model_copy(
            update={"confidence_weights": {"score": 0.0}, "confidence_bias": -5.0}
        )
        answerer.tuning.min_confidence = 0.5
        answer = real_bot.ask(question)
    finally:
        answerer.tuning = kept
    assert answer.abstained and answer.abstain_code == "low-confidence"
    assert answer.answer.startswith(ABSTAIN_TEXT) and "Närmast kommer avsnittet" in answer.answer
    assert not answer.citations and answer.confidence["kind_year"] == 1.0
    assert not real_bot.ask(question).abstained  # the shipped tuning answers it
