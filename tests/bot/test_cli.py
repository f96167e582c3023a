"""The CLI contract: ask, --json, --jsonl, exit codes, Swedish help; python -m bot as an alias."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from config.settings import Settings

KEYS = {"answer", "abstained", "citations", "latency_ms", "answerer"}
CITATION_KEYS = {"n", "doc_id", "title", "section", "quote", "updated", "url"}


@pytest.fixture
def data_args(real_bot, real_settings: Settings) -> list[str]:
    """CLI arguments pointing at the session's already ingested real corpus."""
    return ["--data-dir", str(real_settings.data_dir)]


def test_ask_prints_answer_and_numbered_sources(data_args, capsys) -> None:
    assert main([*data_args, "ask", "Vilka vänorter har Luleå?"]) == 0
    out = capsys.readouterr().out
    assert "Zenica" in out
    assert "Källor:" in out and "[1] Plan för Luleå kommuns internationella arbete" in out


def test_ask_explain_shows_every_stage_and_the_decision(data_args, capsys) -> None:
    assert main([*data_args, "ask", "--explain", "Vilka vänorter har Luleå?"]) == 0
    out = capsys.readouterr().out
    stages = ["1. Hämtade avsnitt", "2. Kandidatmeningar", "3. Beslut:", "Svar:"]
    assert [out.index(s) for s in stages] == sorted(out.index(s) for s in stages)
    assert "dense" in out and "BM25" in out and "'coverage'" in out
    assert re.search(r"bidrag: \w+ [+-]\d+\.\d\d", out)  # the fitted weights at work
    assert "Svarar med:" in out and "[1] plan-internationellt-arbete" in out and "Zenica" in out
    assert main([*data_args, "ask", "--explain", "Hur blir vädret i helgen?"]) == 0
    out = capsys.readouterr().out
    assert "Avstår: missing-words" in out and "tröskel max_missing_share = 0.3" in out
    assert "Det framgår inte av dokumenten." in out


def test_ask_json_contract(data_args, capsys) -> None:
    assert main([*data_args, "ask", "--json", "Sedan när är Luleå med i UBC?"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == KEYS
    assert isinstance(obj["answer"], str) and obj["abstained"] is False
    assert isinstance(obj["latency_ms"], float)
    assert obj["citations"] and set(obj["citations"][0]) == CITATION_KEYS
    assert obj["citations"][0]["n"] == 1
    assert obj["citations"][0]["url"] is None


def test_ask_jsonl_keeps_order_and_survives_bad_lines(data_args, capsys, monkeypatch) -> None:
    lines = [
        json.dumps({"question": "Vilka vänorter har Luleå?", "history": []}),
        "det här är inte json",
        json.dumps({"question": "   "}),
        json.dumps(
            {"question": "Vilka av dem är vilande?", "history": ["Vilka vänorter har Luleå?"]}
        ),
        json.dumps({"question": "x" * 2001}),
        json.dumps(["inte", "ett", "objekt"]),
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main([*data_args, "ask", "--jsonl"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 6
    assert set(out[0]) == KEYS and "Murmansk" in out[0]["answer"]
    assert "error" in out[1] and "JSON" in out[1]["error"]
    assert "tom" in out[2]["error"]
    assert "Zenica" in out[3]["answer"]
    assert "för lång" in out[4]["error"]
    assert "error" in out[5]


@pytest.mark.parametrize("question", ["", "   \n ", "x" * 2001])
def test_bad_questions_exit_2_without_traceback(tmp_path: Path, question: str, capsys) -> None:
    # Validation happens before any model or store is touched.
    assert main(["--data-dir", str(tmp_path), "ask", question]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fel:") and "Traceback" not in err
    assert not (tmp_path / "chroma").exists()


def test_ask_ingests_first_when_the_store_is_empty(small_settings: Settings, capsys) -> None:
    env_args = ["--data-dir", str(small_settings.data_dir)]
    os.environ["POLICYBOT_CORPUS_DIR"] = str(small_settings.corpus_dir)
    try:
        assert main([*env_args, "ask", "--json", "Hur många vänorter har Exempelby?"]) == 0
    finally:
        del os.environ["POLICYBOT_CORPUS_DIR"]
    obj = json.loads(capsys.readouterr().out)
    assert "tre vänorter" in obj["answer"]
    assert obj["citations"][0]["url"] == "https://example.org/vanorter"


def test_python_m_bot_is_an_alias(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "   "],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Frågan är tom" in result.stderr
    help_text = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    for command in ("ingest", "ask", "serve", "eval"):
        assert command in help_text


ENGLISH_ARGPARSE = ("usage:", "options:", "positional arguments", "show this help", "error:")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["ingest"],
        ["ask"],
        ["serve"],
        ["status"],
        ["eval"],
        ["feedback"],
        ["feedback", "export"],
        ["register"],
    ],
)
def test_help_is_swedish_with_an_example(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*argv, "--hjälp"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Användning: policybot")
    assert "-h, --hjälp" in out and "visa den här hjälpen och avsluta" in out
    assert not any(english in out.lower() for english in ENGLISH_ARGPARSE), out
    if argv:
        assert "Exempel:\n  policybot " + argv[0] in out


def test_every_subcommand_has_a_one_line_description() -> None:
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {c.dest: c.help for c in sub._choices_actions}
    assert set(helps) == {
        "ingest",
        "ask",
        "serve",
        "status",
        "eval",
        "feedback",
        "gaps",
        "register",
    }
    assert all(h and "\n" not in h for h in helps.values())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "policybot: fel: de här argumenten saknas: KOMMANDO"),
        (["frob"], "ogiltigt val: 'frob' (välj bland 'ingest'"),
        (["serve", "--port", "x"], "policybot serve: fel: argument --port: ogiltigt värde: 'x'"),
        (["status", "--extra"], "okända argument: --extra"),
    ],
)
def test_usage_errors_are_swedish(argv: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Användning: policybot") and message in err, err


def test_status_shows_stockholm_time_and_where_it_looked(monkeypatch, capsys) -> None:
    from ingest import store

    status = {"documents": 2, "chunks": 9, "last_ingest": "2026-07-01T10:03:00+00:00"}
    monkeypatch.setattr(store, "index_status", lambda s: status)
    assert main(["--data-dir", "rel-data", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "2 dokument, 9 avsnitt, senast indexerat 2026-07-01 12:03 (svensk tid)",
        f"Datamapp: {Path('rel-data').resolve()}",
    ]


def test_status_only_reads_and_says_how_to_make_an_index(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "status"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"Fel: det finns inget index i {data.resolve()}.\n"
        "Skapa ett med: policybot ingest (eller ange en annan datamapp med --data-dir).\n"
    )
    assert not data.exists()  # no folder, chroma store, record db or state file
    data.mkdir()
    assert main(["--data-dir", str(data), "status"]) == 1
    assert list(data.iterdir()) == []


@pytest.mark.parametrize("command", [["feedback", "export", "ut.csv"], ["gaps"]])
def test_feedback_commands_only_read(tmp_path: Path, capsys, command: list[str]) -> None:
    """Exporting feedback or listing gaps where there is none creates nothing."""
    data = tmp_path / "data"
    data.mkdir()
    assert main(["--data-dir", str(data), *command]) == 1
    err = capsys.readouterr().err
    assert f"det finns ingen återkoppling i {(data / 'feedback.sqlite').resolve()}" in err
    assert list(data.iterdir()) == []


def test_status_of_a_real_index_reads_the_store(small_settings: Settings, capsys) -> None:
    from ingest.indexer import ingest

    ingest(small_settings, progress=False)
    before = sorted(p.name for p in small_settings.data_dir.iterdir())
    assert main(["--data-dir", str(small_settings.data_dir), "status"]) == 0
    first, where = capsys.readouterr().out.splitlines()
    assert first.startswith("4 dokument, 10 avsnitt, senast indexerat ")
    assert where == f"Datamapp: {small_settings.data_dir.resolve()}"
    assert sorted(p.name for p in small_settings.data_dir.iterdir()) == before


def test_top_level_help_says_where_the_data_directory_is(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--hjälp"])
    out = " ".join(capsys.readouterr().out.split())
    assert "standard: .policybot, relativt arbetskatalogen" in out
    assert ".policybot i den katalog du står i när du kör kommandot" in out
