"""Settings: where the assembled model lives."""

from __future__ import annotations

from config.settings import Settings


def test_the_model_is_assembled_below_the_data_directory_unless_told(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYBOT_MODEL_CACHE_DIR")
    assert Settings(data_dir=tmp_path / "d").models_dir == tmp_path / "d" / "models"
    monkeypatch.setenv("POLICYBOT_MODEL_CACHE_DIR", str(tmp_path / "shared"))
    assert Settings(data_dir=tmp_path / "d").models_dir == tmp_path / "shared"
