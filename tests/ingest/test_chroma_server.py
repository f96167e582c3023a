"""Server mode: a real `chroma run` on 127.0.0.1, ingested and queried over HTTP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config.settings import Settings
from ingest.indexer import ingest

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen(
        [
            chroma,
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("chroma run did not start") from None
            time.sleep(0.3)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


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
