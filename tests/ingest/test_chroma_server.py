"""Server mode: a real `chroma run` on 127.0.0.1, ingested and queried over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from ingest.indexer import ingest
from tests.servers import free_port, start_chroma, stop

pytestmark = pytest.mark.server


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = free_port()
    proc = start_chroma(tmp_path / "server-data", port)
    yield port
    stop(proc)


def test_ingest_and_ask_through_a_chroma_server(
    chroma_server: int, small_corpus: Path, tmp_path: Path
) -> None:
    from bot.service import PolicyBot

    settings = Settings(
        data_dir=tmp_path / "data",
        corpus_dir=small_corpus,
        chroma_host="127.0.0.1",
        chroma_port=chroma_server,
    )
    first = ingest(settings, progress=False)
    assert first.added > 0 and not first.errors
    assert ingest(settings, progress=False).added == 0  # incremental over HTTP too
    assert not (settings.data_dir / "chroma").exists()  # nothing went to the embedded store

    bot = PolicyBot.from_settings(settings, progress=False)
    answer = bot.ask("Sedan när är Exempelby medlem i Kustnätverket?")
    assert not answer.abstained
    assert "2005" in answer.answer
    assert answer.citations[0].doc_id == "natverk"
