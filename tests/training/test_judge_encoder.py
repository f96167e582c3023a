"""The answer judge's numpy forward pass, and the row reads of a 4-bit matrix it needs."""

from __future__ import annotations

import numpy as np
import pytest

from bot.judge import pair_text
from ingest.modelfile import ModelFile
from training.judge_encoder import JudgeEncoder
from training.train import bundled_model

TEXTS = [
    pair_text("Vilka vänorter har kommunen?", "Vänorter: Kommunen har sex vänorter i Norden."),
    pair_text("När bildades nämnden?", "Nämnden bildades 2019 och ansvarar för skolan."),
    # Longer than the judge reads: cut the same way in numpy and in torch.
    pair_text("Vad gäller för avgiften?", "Avgiften för bygglov beräknas per timme. " * 30),
]


@pytest.fixture(scope="module")
def base() -> ModelFile:
    return ModelFile.read(bundled_model())


def _delta(base: ModelFile, layers: int = 3, seed: int = 5) -> dict[str, np.ndarray]:
    """A judge whose biases and LayerNorms moved, as training moves them."""
    rng = np.random.default_rng(seed)
    delta = {
        name: base.tensor(name) + rng.normal(0, 0.05, base.shape(name)).astype(np.float32)
        for name in ("l0.q.b", "l1.fi.b", "l2.oln.w", "emb.ln.b")
    }
    delta["head.w"] = rng.normal(0, 1, 384).astype(np.float32)
    delta["head.b"] = np.asarray([0.5], dtype=np.float32)
    delta["layers"] = np.asarray(layers)
    delta["max_tokens"] = np.asarray(48)
    return delta


def test_rows_of_a_4bit_matrix_are_those_of_the_whole_tensor(base: ModelFile) -> None:
    ids = np.asarray([[0, 5, 250036], [17, 17, 3]])
    whole = base.tensor("emb.word")
    assert np.array_equal(base.rows("emb.word", ids), whole[ids])
    assert np.array_equal(base.rows("emb.pos", np.asarray([1, 2])), base.tensor("emb.pos")[1:3])


def test_the_numpy_judge_scores_as_the_torch_model_it_was_trained_as(base: ModelFile) -> None:
    torch = pytest.importorskip("torch", reason="the sentence-transformers extra is missing")
    from training.convert import to_transformers
    from training.judge import Judge

    delta = _delta(base)
    bert, tokenizer = to_transformers(base)
    bert.encoder.layer = bert.encoder.layer[:3]
    state = bert.state_dict()
    from training.convert import name_map

    names = name_map(3)
    for short in ("l0.q.b", "l1.fi.b", "l2.oln.w", "emb.ln.b"):
        state[names[short]] = torch.from_numpy(delta[short])
    bert.load_state_dict(state)
    reference = Judge(bert, tokenizer, max_len=48)
    with torch.no_grad():
        reference.head.weight.copy_(torch.from_numpy(delta["head.w"] / reference.scale)[None])
        reference.head.bias.copy_(torch.from_numpy(delta["head.b"] / reference.scale))
        expected = reference.scores(TEXTS).numpy()
    got = JudgeEncoder(base, delta).logits(TEXTS)
    assert np.abs(got - expected).max() < 1e-3
    # A moved bias is read: without it the scores differ.
    unmoved = {k: v for k, v in delta.items() if k != "l0.q.b"}
    assert np.abs(JudgeEncoder(base, unmoved).logits(TEXTS) - got).max() > 1e-3
