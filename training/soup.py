"""Average the deltas of several training runs of one recipe into one engine file (a model soup).

Runs of one recipe that differ only in their seed rank test questions up to 3.5 points apart
(training/MODEL.md), so one run cannot tell recipes apart, and picking the seed that did best
on test would be tuning on test. Averaging the runs' weights removes part of that noise
without choosing among them (Wortsman et al., 2022, "Model soups"). BitFit runs change the
same small tensors from the same start, so their mean is a model of the same shape.

`python -m training.soup --out DIR RUN_DIR RUN_DIR ...` reads each run's delta.npz and
meta.json and writes DIR/delta.npz, DIR/model.bin and DIR/meta.json, as training.train does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ingest.atomic import atomic_open
from ingest.modelfile import ModelFile
from training.train import bundled_model, sha256

# Recipe fields the runs must share: a soup of different recipes answers no question.
SAME = ("recipe", "negatives", "epochs", "batch", "lr", "max_seq_length", "also", "base_sha256")


class SoupError(ValueError):
    """The runs cannot be averaged: a file is missing or they are not one recipe."""


def average(deltas: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The mean of each tensor over the runs, in the runs' own dtype; every run must have
    changed the same tensors with the same shapes."""
    if not deltas:
        raise SoupError("inga körningar att medelvärdesbilda")
    names = set(deltas[0])
    for i, delta in enumerate(deltas[1:], start=2):
        if set(delta) != names:
            raise SoupError(f"körning {i} ändrade andra tensorer än körning 1")
        for name in names:
            if delta[name].shape != deltas[0][name].shape:
                raise SoupError(f"körning {i}: {name} har formen {delta[name].shape}")
    return {
        name: np.mean([d[name] for d in deltas], axis=0).astype(deltas[0][name].dtype)
        for name in sorted(names)
    }


def _read_run(folder: Path) -> tuple[dict[str, np.ndarray], dict]:
    for needed in ("delta.npz", "meta.json"):
        if not (folder / needed).is_file():
            raise SoupError(f"{folder / needed} saknas (en körning av training.train)")
    with np.load(folder / "delta.npz") as npz:
        delta = {k: npz[k] for k in npz.files}
    return delta, json.loads((folder / "meta.json").read_text(encoding="utf-8"))


def soup(runs: list[Path], out: Path, base: Path) -> dict:
    """Write the averaged delta, its engine file and a meta.json naming the runs; its meta."""
    read = [_read_run(r) for r in runs]
    metas = [m for _, m in read]
    for field in SAME:
        values = {json.dumps(m.get(field), sort_keys=True) for m in metas}
        if len(values) > 1:
            raise SoupError(f"körningarna skiljer sig i {field}: inte ett och samma recept")
    if sha256(base) != metas[0]["base_sha256"]:
        raise SoupError(f"{base} är inte modellfilen körningarna tränades från")
    mean = average([d for d, _ in read])
    data = ModelFile.read(base).packed(mean)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_open(out / "delta.npz", "wb", prefix=".soup-") as f:
        np.savez_compressed(f, **mean)
    with atomic_open(out / "model.bin", "wb", prefix=".soup-") as f:
        f.write(data)
    meta = {field: metas[0][field] for field in SAME if field in metas[0]}
    meta |= {
        "soup_of": [{"seed": m["seed"], "model_sha256": m["model_sha256"]} for m in metas],
        "changed_tensors": len(mean),
        "model_sha256": sha256(out / "model.bin"),
        "delta_sha256": sha256(out / "delta.npz"),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.soup", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("runs", type=Path, nargs="+", help="folders of training.train runs")
    args = parser.parse_args(argv)
    try:
        meta = soup(args.runs, args.out, bundled_model())
    except SoupError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out / 'model.bin'}: medel av {len(args.runs)} körningar, {meta['model_sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
