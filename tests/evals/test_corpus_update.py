"""A corpus update, end to end: the real bot, a real index, `policybot eval` through the CLI.

Fixture documents describe a fictional municipality (Storvik). The eval set's baseline passes;
then the membership year changes in the document (2005 -> 2011), the corpus is re-ingested, and
the eval run against the baseline must name the affected item and exit 1.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot import cli
from config.settings import Settings
from ingest.indexer import ingest

FIXTURES = Path(__file__).parent / "fixtures"
EVAL_SET = FIXTURES / "evals.yaml"
CHANGED_ITEM = "fjall-medlem-sedan"


@pytest.fixture
def corpus_env(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    data = tmp_path / "data"
    # bot.cli.main builds Settings() from the environment (and --data-dir).
    monkeypatch.setenv("POLICYBOT_CORPUS_DIR", str(corpus))
    monkeypatch.delenv("POLICYBOT_ANSWERER", raising=False)
    monkeypatch.delenv("POLICYBOT_EMBEDDING", raising=False)
    settings = Settings(data_dir=data, corpus_dir=corpus)
    ingest(settings, progress=False)
    return settings


def run_eval_cli(settings: Settings, *args: str) -> int:
    return cli.main(["--data-dir", str(settings.data_dir), "eval", str(EVAL_SET), *args])


def test_corpus_update_is_caught_and_named(corpus_env, tmp_path, capsys):
    settings = corpus_env
    base_json, report_html = tmp_path / "baseline.json", tmp_path / "report.html"

    # 1. Baseline on the original corpus: everything passes.
    assert run_eval_cli(settings, "--json", str(base_json), "--report", str(report_html)) == 0
    out = capsys.readouterr().out
    assert "Godkända" in out and "5 av 5" in out and "Resultat:" not in out
    baseline = json.loads(base_json.read_text(encoding="utf-8"))
    assert {i["id"]: i["passed"] for i in baseline["items"]} == {
        "fjall-medlem-sedan": True,
        "glesbygd-sedan": True,
        "vanorter-lista": True,
        "vanort-vilande": True,
        "vader": True,
    }
    assert baseline["summary"]["citation_validity"] == 1.0
    assert baseline["summary"]["abstention_recall"] == 1.0
    assert set(baseline) >= {"summary", "per_tag", "items", "settings", "created"}
    html = report_html.read_text(encoding="utf-8")
    assert "<svg" in html and "Andel godkända per tagg" in html
    assert "Alla frågor är godkända." in html

    # 2. The fact changes in the document and the corpus is re-ingested.
    doc = Path(settings.corpus_dir) / "storvik-medlemskap.md"
    text = doc.read_text(encoding="utf-8")
    assert "sedan 2005" in text
    doc.write_text(text.replace("sedan 2005", "sedan 2011"), encoding="utf-8")
    report = ingest(settings, progress=False)
    assert report.added and report.deleted  # the changed chunk, not the whole corpus

    # 3. Against the baseline: the affected item is caught, named, and the run fails.
    new_json, report_md = tmp_path / "new.json", tmp_path / "report.md"
    code = run_eval_cli(
        settings,
        "--baseline",
        str(base_json),
        "--json",
        str(new_json),
        "--report",
        str(report_md),
    )
    out = capsys.readouterr().out
    assert code == 1
    assert f"Nya fel (1): {CHANGED_ITEM}" in out
    # The document no longer holds the year, so no retrieved chunk can: retrieval's stage.
    assert f'{CHANGED_ITEM}: [svaret hämtades inte] saknar "2005"' in out
    assert "Ändrade dokument: storvik-medlemskap" in out
    new = json.loads(new_json.read_text(encoding="utf-8"))
    assert new["baseline"]["newly_failing"] == [CHANGED_ITEM]
    assert new["baseline"]["newly_passing"] == []
    changed = next(i for i in new["items"] if i["id"] == CHANGED_ITEM)
    assert changed["passed"] is False
    assert changed["reasons"] == ['saknar "2005"']
    assert "2011" in changed["answer"]
    assert all(c["valid"] for c in changed["citations"])  # quotes match the updated document
    assert [i["id"] for i in new["items"] if not i["passed"]] == [CHANGED_ITEM]

    md = report_md.read_text(encoding="utf-8")
    assert f"- `{CHANGED_ITEM}`" in md and "ny sedan baslinjen" in md
    assert "sedan 2011" in md and "sedan 2005" in md  # the new answer and the baseline's
    assert "![Andel godkända per tagg](report.svg)" in md
    ET.fromstring((tmp_path / "report.svg").read_text(encoding="utf-8").split("?>", 1)[1])

    # 4. --allow-regressions: only --fail-under decides (4 of 5 pass = 80 %).
    assert run_eval_cli(settings, "--baseline", str(base_json), "--allow-regressions") == 0
    assert (
        run_eval_cli(
            settings, "--baseline", str(base_json), "--allow-regressions", "--fail-under", "80"
        )
        == 0
    )
    assert (
        run_eval_cli(
            settings, "--baseline", str(base_json), "--allow-regressions", "--fail-under", "90"
        )
        == 1
    )
    assert "under gränsen 90 %" in capsys.readouterr().out


def test_switches_ask_each_question_after_one_about_another_document(corpus_env, tmp_path, capsys):
    out_json = tmp_path / "switches.json"
    assert run_eval_cli(corpus_env, "--switches", "--json", str(out_json)) == 0
    run = json.loads(out_json.read_text(encoding="utf-8"))
    items = {i["id"]: i for i in run["items"]}
    # The three answerable questions without history; the follow-up and the must-abstain
    # question are not asked again.
    assert set(items) == {"fjall-medlem-sedan~byte", "glesbygd-sedan~byte", "vanorter-lista~byte"}
    twin_towns = "Vilka vänorter har Storvik?"
    for id_ in ("fjall-medlem-sedan~byte", "glesbygd-sedan~byte"):
        assert items[id_]["history"] == [twin_towns]  # the only other document's opener
    assert items["vanorter-lista~byte"]["history"][0] != twin_towns
    # A new subject mid-conversation is answered as if asked alone.
    assert all(i["passed"] and not i["abstained"] for i in items.values())
    assert "amnesbyte" in run["per_tag"]


def test_usage_errors_come_before_the_run(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  expect: [x]\n", encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data"), "eval"]
    assert cli.main([*data, str(bad)]) == 2
    assert "saknar question" in capsys.readouterr().err
    assert cli.main([*data, str(EVAL_SET), "--fail-under", "150"]) == 2
    assert cli.main([*data, str(EVAL_SET), "--report", str(tmp_path / "r.pdf")]) == 2
    assert cli.main([*data, str(EVAL_SET), "--baseline", str(tmp_path / "none.json")]) == 2
    assert not (tmp_path / "data").exists()  # nothing was loaded or ingested
