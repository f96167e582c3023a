"""Atomic writes: the old file or the new one, never half of one, and no temporary left."""

from pathlib import Path

import pytest

from ingest.atomic import atomic_open


def test_a_finished_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    with atomic_open(path, encoding="utf-8") as fh:
        fh.write("ny")
    assert path.read_text(encoding="utf-8") == "ny"
    with atomic_open(path, "wb") as fh:
        fh.write(b"bytes")
    assert path.read_bytes() == b"bytes"
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "register.json"
    path.write_text("gammal", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_open(path, encoding="utf-8") as fh:
        fh.write("halv")
        raise RuntimeError("krasch mitt i")
    assert path.read_text(encoding="utf-8") == "gammal"
    assert [p.name for p in tmp_path.iterdir()] == ["register.json"]
