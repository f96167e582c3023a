"""The judge's int8 ONNX export scores as its numpy forward pass does."""

from __future__ import annotations

import numpy as np
import pytest

from bot.judge import OnnxJudge, pair_text
from ingest.modelfile import ModelFile
from training.judge_encoder import JudgeEncoder
from training.train import bundled_model

TEXTS = [
    pair_text("Vilka vänorter har kommunen?", "Kommunen har sex vänorter i Norden."),
    pair_text("När bildades nämnden?", "Nämnden bildades 2019 och ansvarar för skolan."),
    pair_text("Vad kostar bygglov?", "Avgiften för bygglov beräknas per timme. " * 30),
]


def test_the_int8_graph_scores_as_numpy_and_a_moved_layer_changes_it(tmp_path) -> None:
    pytest.importorskip("torch", reason="the sentence-transformers extra is missing")
    pytest.importorskip("onnx", reason="the sentence-transformers extra is missing")
    from training.judge_onnx import export

    base = ModelFile.read(bundled_model())
    rng = np.random.default_rng(3)
    delta = {
        # A full fine-tune moves matrices too, which is what the int8 quantiser rewrites.
        "l1.fi.w": base.tensor("l1.fi.w") + rng.normal(0, 0.02, base.shape("l1.fi.w")),
        "l0.q.b": base.tensor("l0.q.b") + rng.normal(0, 0.05, base.shape("l0.q.b")),
        "head.w": rng.normal(0, 1, 384).astype(np.float32),
        "head.b": np.asarray([0.5], dtype=np.float32),
        "layers": np.asarray(2),
        "max_tokens": np.asarray(48),
    }
    encoder = JudgeEncoder(base, delta)
    graph = export(encoder, tmp_path / "judge.onnx")
    judge = OnnxJudge(base, OnnxJudge.load(bundled_model(), graph).session)
    want = encoder.logits(TEXTS)
    got = judge.logits(TEXTS)
    assert got.shape == (3,)
    # int8 matrices: close to float32, not equal (about 0.1 of a logit under this random head).
    assert np.abs(got - want).max() < 0.2
    assert not (tmp_path / "judge.f32.onnx").exists()

    delta["l1.fi.w"] = delta["l1.fi.w"] + 0.5
    moved = export(JudgeEncoder(base, delta), tmp_path / "moved.onnx")
    assert np.abs(OnnxJudge.load(bundled_model(), moved).logits(TEXTS) - got).max() > 0.01
