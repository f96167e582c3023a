"""Scale-out: several bots (as on several machines) share one real Chroma server."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from ingest.indexer import ingest
from tests.ingest.test_chroma_server import chroma_server  # noqa: F401 - the server fixture

pytestmark = pytest.mark.server


def test_bots_with_their_own_data_dirs_follow_an_ingest_into_a_shared_server(
    chroma_server: int,  # noqa: F811
    small_corpus: Path,
    tmp_path: Path,
) -> None:
    """Two bots with separate data directories (two machines) and one ingest machine: after
    the ingest both answer from the new content, the lexical side included, with no restart."""
    from bot.service import PolicyBot

    def settings(name: str) -> Settings:
        return Settings(
            data_dir=tmp_path / name,
            corpus_dir=small_corpus,
            chroma_host="127.0.0.1",
            chroma_port=chroma_server,
        )

    ingest(settings("ingester"), progress=False)
    bots = [PolicyBot.from_settings(settings(name), progress=False) for name in ("a", "b")]
    question = "Vilka kommuner är med i Havsrådet?"
    for bot in bots:
        assert bot.ask(question).abstained

    path = small_corpus / "natverk.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "\n## Havsrådet\n\nHavsrådet samlar kommunerna Ankarby och Sälviken.\n",
        encoding="utf-8",
    )
    ingest(settings("ingester"), progress=False)

    answers = [bot.ask(question) for bot in bots]
    for answer in answers:
        assert not answer.abstained
        assert "Ankarby" in answer.answer and "Sälviken" in answer.answer
        assert answer.citations[0].doc_id == "natverk"
    # The same answer from both, and each built its lexical index from the shared store.
    assert answers[0].answer == answers[1].answer
    keys = [bot.retriever.snapshot().lexical.chunk_keys for bot in bots]
    assert sorted(keys[0]) == sorted(keys[1])
    for name in ("a", "b"):
        assert list((tmp_path / name).glob("lexical-*/*/index.json"))


def test_the_register_is_kept_in_the_shared_server_and_followed_by_every_machine(
    chroma_server: int,  # noqa: F811
    small_corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """`policybot ingest` on one machine builds the register and stores it in the Chroma
    server; a `serve` on another machine, with its own data directory, shows that register,
    and sees when an ingest elsewhere makes it outdated."""
    from bot.cli import main
    from bot.register_build import stored
    from bot.register_store import ServerRegister, register_source
    from bot.web.register import RegisterPage

    monkeypatch.setenv("POLICYBOT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("POLICYBOT_CHROMA_PORT", str(chroma_server))
    monkeypatch.setenv("POLICYBOT_CORPUS_DIR", str(small_corpus))
    assert main(["--data-dir", str(tmp_path / "ingester"), "ingest", "--quiet"]) == 0
    assert "Registret över medlemskap och vänorter byggdes om" in capsys.readouterr().out

    other = Settings(data_dir=tmp_path / "other")  # another machine: nothing local
    assert isinstance(register_source(other), ServerRegister)
    register = stored(other)
    assert register is not None and register.rows
    assert not list((tmp_path / "ingester").glob("register-*.json"))  # not a local file
    source = register_source(other)
    page = RegisterPage(source)
    assert register.rows[0].name in page.html()
    client = source._client
    assert client is not None
    assert register.rows[0].name in page.html() and source._client is client  # one connection

    # An ingest elsewhere changes the index: the stored register is outdated until rebuilt.
    path = small_corpus / "natverk.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n## Havsrådet\n\nNytt.\n", "utf-8")
    from ingest.indexer import ingest

    ingest(Settings(data_dir=tmp_path / "elsewhere"), progress=False)
    assert stored(other) is None
    assert main(["--data-dir", str(tmp_path / "ingester"), "register", "--rebuild"]) == 0
    assert stored(other) is not None
