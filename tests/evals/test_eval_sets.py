"""Eval sets with their own corpus: found on the command line, indexed into their own data
directory, run against a bot on that index, combined, compared by qualified id, reported.

The integration tests use the real model and Chroma on the fixture sets under fixtures/sets/
(storvik reuses fixtures/corpus and evals.yaml; ekby is a second fictional municipality).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.answerer import ABSTAIN_TEXT, Answer, Citation
from config.settings import Settings
from evals.command import run_set, settings_for_set
from evals.comparing import compare, compare_sets
from evals.loading import find_targets, load_set
from evals.report import write_report
from evals.running import combine, run_eval
from evals.schema import EvalFormatError, Item
from evals.summary import format_run
from ingest.store import read_state
from tests.evals.html_text import Collect

FIXTURES = Path(__file__).parent / "fixtures"
SETS = FIXTURES / "sets"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sets_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the fixture sets; the configured corpus points nowhere, so anything
    that used it instead of a set's own corpus would fail."""
    target = tmp_path / "sets"
    shutil.copytree(SETS, target, symlinks=False)
    monkeypatch.setenv("POLICYBOT_CORPUS_DIR", str(tmp_path / "no-such-corpus"))
    monkeypatch.delenv("POLICYBOT_ANSWERER", raising=False)
    monkeypatch.delenv("POLICYBOT_EMBEDDING", raising=False)
    return target


# -- finding sets ----------------------------------------------------------------------------


def test_targets_sort_sets_from_plain_files(tmp_path):
    one = find_targets([SETS / "ekby"])
    assert [s.name for s in one.sets] == ["ekby"] and one.files == []
    both = find_targets([SETS])
    assert [s.name for s in both.sets] == ["ekby", "storvik"]
    plain = find_targets([FIXTURES / "evals.yaml"])
    assert plain.sets == [] and plain.files == [FIXTURES / "evals.yaml"]
    other = tmp_path / "x" / "ekby"
    shutil.copytree(SETS / "ekby", other)
    with pytest.raises(EvalFormatError, match="ekby"):
        find_targets([SETS, other])  # two sets of one name would mix their ids


def test_a_set_without_corpus_finds_its_documents_in_the_shared_folder(tmp_path):
    # Documents from outside are not committed: the set keeps only its questions, and its
    # documents live in <shared>/<set name>/corpus/ (../shared/evals-corpora in the repository).
    questions_only = tmp_path / "evals" / "ekby"
    questions_only.mkdir(parents=True)
    shutil.copy(SETS / "ekby" / "questions.yaml", questions_only)
    shared = tmp_path / "shared"
    shutil.copytree(SETS / "ekby" / "corpus", shared / "ekby" / "corpus")
    (found,) = find_targets([questions_only], shared).sets
    assert (found.name, found.corpus_dir) == ("ekby", shared / "ekby" / "corpus")
    (found,) = find_targets([questions_only.parent], shared).sets  # a folder of sets, too
    assert found.corpus_dir == shared / "ekby" / "corpus"
    got = settings_for_set(Settings(data_dir=tmp_path / "d", evals_corpora_dir=shared), found.root)
    assert got.corpus_dir == shared / "ekby" / "corpus"
    # A set's own corpus/ comes first.
    assert find_targets([SETS / "ekby"], shared).sets[0].corpus_dir == SETS / "ekby" / "corpus"


def test_a_set_whose_documents_are_missing_is_an_error_naming_both_places(tmp_path):
    questions_only = tmp_path / "evals" / "ekby"
    questions_only.mkdir(parents=True)
    shutil.copy(SETS / "ekby" / "questions.yaml", questions_only)
    shared = tmp_path / "shared"
    with pytest.raises(EvalFormatError) as err:
        find_targets([questions_only.parent], shared)
    message = str(err.value)
    assert "dokument saknas" in message
    assert str(questions_only / "corpus") in message
    assert str(shared.resolve() / "ekby" / "corpus") in message
    assert "POLICYBOT_EVALS_CORPORA_DIR" in message


def test_set_items_are_qualified_by_set_name():
    (ekby,) = find_targets([SETS / "ekby"]).sets
    ids = [i.id for i in load_set(ekby)]
    assert ids == ["ekby/vatten-sedan", "ekby/raddning-med-vem", "ekby/vader"]


def test_settings_for_set_overrides_data_and_corpus_only(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYBOT_MODEL_CACHE_DIR")
    settings = Settings(data_dir=tmp_path / "data", top_k=7)
    got = settings_for_set(settings, SETS / "ekby")
    assert got.data_dir == tmp_path / "data" / "evalsets" / "ekby"
    assert got.corpus_dir == SETS / "ekby" / "corpus"
    # Every set's index shares its parent's assembled model.
    assert got.models_dir == settings.models_dir == tmp_path / "data" / "models"
    assert (got.top_k, got.embedding, got.collection) == (7, settings.embedding, "policybot")
    server = Settings(data_dir=tmp_path, chroma_host="127.0.0.1")
    assert settings_for_set(server, SETS / "ekby").collection == "policybot-ekby"


# -- through the command line (real model, real Chroma) ------------------------------------


def test_set_with_own_corpus_runs_on_its_own_index(sets_copy, tmp_path):
    data, out = tmp_path / "data", tmp_path / "out.json"
    set_dir = sets_copy / "ekby"
    command = [sys.executable, "-m", "bot", "--data-dir", str(data), "eval", str(set_dir)]
    run = subprocess.run(
        [*command, "--json", str(out)],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    # Indexed into its own data directory, from its own corpus; the configured one untouched.
    own = data / "evalsets" / "ekby"
    state = read_state(Settings(data_dir=own))
    assert Path(state["corpus_dir"]) == set_dir / "corpus"
    assert state["documents"] == 1
    assert not (data / "chroma").exists()
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [s["name"] for s in result["sets"]] == ["ekby"]
    assert {i["id"]: i["passed"] for i in result["items"]} == {
        "ekby/vatten-sedan": True,
        "ekby/raddning-med-vem": True,
        "ekby/vader": True,
    }
    # Quotes were checked against the set's corpus: every one is verbatim in its document.
    cites = [c for i in result["items"] for c in i["citations"]]
    assert cites and all(c["valid"] and c["doc_id"] == "ekby-samarbeten" for c in cites)
    assert result["sets"][0]["settings"]["data_dir"] == str(own)
    assert "Totalt" in run.stdout and "ekby" in run.stdout

    # A later run reuses the index: nothing is re-embedded, the generation stays.
    again = run_set(set_dir, Settings(data_dir=data))
    assert read_state(Settings(data_dir=own))["generation"] == state["generation"]
    assert [r.passed for r in again.items] == [True, True, True]


def test_two_sets_combined_table_json_and_baseline(sets_copy, tmp_path, capsys):
    data, base = tmp_path / "data", tmp_path / "base.json"
    args = ["--data-dir", str(data), "eval", str(sets_copy)]
    assert cli.main([*args, "--json", str(base)]) == 0
    out = capsys.readouterr().out
    assert "== Mängd ekby ==" in out and "== Mängd storvik ==" in out
    table = out.split("== Alla mängder (2) ==", 1)[1]
    for header in ("Mängd", "Frågor", "Godkända", "Andel", "Avstående precision"):
        assert header in table
    assert "Avstående recall" in table and "Ordagranna citat" in table and "Svarstid p50" in table
    rows = {line.split()[0]: line.split()[1:4] for line in table.splitlines()[3:] if line}
    assert rows["ekby"] == ["3", "3", "100.0"]
    assert rows["storvik"] == ["5", "5", "100.0"]
    assert rows["Totalt"] == ["8", "8", "100.0"]
    data_json = json.loads(base.read_text(encoding="utf-8"))
    assert [s["name"] for s in data_json["sets"]] == ["ekby", "storvik"]
    assert data_json["summary"]["items"] == 8
    assert [len(s["items"]) for s in data_json["sets"]] == [3, 5]
    ids = [i["id"] for i in data_json["items"]]
    assert "ekby/vader" in ids and "storvik/vader" in ids  # the same id in two sets

    # A fact changes in one set's corpus: only that set's item regresses, named by set.
    doc = sets_copy / "ekby" / "corpus" / "ekby-samarbeten.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("2012", "2014"), encoding="utf-8")
    new, report = tmp_path / "new.json", tmp_path / "report.html"
    code = cli.main([*args, "--baseline", str(base), "--json", str(new), "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Nya fel (1): ekby/vatten-sedan" in out
    assert "Ändrade dokument: ekby/ekby-samarbeten" in out
    got = json.loads(new.read_text(encoding="utf-8"))
    assert got["baseline"]["newly_failing"] == ["ekby/vatten-sedan"]
    assert got["gate"]["failed"] is True
    html = report.read_text(encoding="utf-8")
    assert "Alla mängder" in html and "Mängd ekby" in html and "Mängd storvik" in html
    assert 'id="item-ekby/vatten-sedan"' in html
    # --fail-under is held to the combined pass rate: 7 of 8 = 87.5 %.
    assert (
        cli.main([*args, "--baseline", str(base), "--allow-regressions", "--fail-under", "87.5"])
        == 0
    )
    assert cli.main([*args, "--fail-under", "88"]) == 1


# -- comparison and report on canned answers (no model) ------------------------------------

HOSTILE = '<script>alert("x")</script> & <iframe src="x"></iframe>'


class CannedBot:
    def __init__(self, answers):
        self.answers = answers

    def ask(self, question, history=None):
        return self.answers[question]


def set_result(name: str, year: str):
    cite = Citation(1, "doc", "Dok", "Avsnitt", f"sedan {year}.", "2024-01-01", None)
    answers = {
        "Sedan när?": Answer(f"Sedan {year}. {HOSTILE}", False, [cite], latency_ms=10.0),
        "Vädret?": Answer(ABSTAIN_TEXT, True, latency_ms=3.0),
    }
    items = [
        Item(id=f"{name}/sedan", question="Sedan när?", expect=["2005"], tags=["ar"]),
        Item(id=f"{name}/vader", question="Vädret?", abstain=True, tags=["utanfor"]),
    ]
    body = {"doc": "Medlem sedan 2005."}
    return run_eval(CannedBot(answers), items, body, warm_up=False, name=name)


def test_comparison_uses_qualified_ids():
    before = combine([set_result("a", "2005"), set_result("b", "2005")]).to_dict()
    after = combine([set_result("a", "2005"), set_result("b", "2011")])
    cmp = compare(after, before, "base.json")
    assert cmp.newly_failing == ["b/sedan"] and cmp.added == [] and cmp.removed == []
    per_set = compare_sets(after, before, "base.json")
    assert per_set["a"].newly_failing == [] and per_set["b"].newly_failing == ["b/sedan"]
    text = format_run(after, cmp, None, per_set)
    assert "Nya fel (1): b/sedan" in text


def test_html_report_autoescapes_answers_and_names(tmp_path):
    result = combine([set_result("<em>a</em>", "2011"), set_result("b", "2011")])
    (out,) = write_report(tmp_path / "r.html", result)
    html = out.read_text(encoding="utf-8")
    parser = Collect()
    parser.feed(html)
    assert not {"script", "iframe", "em"} & set(parser.tags)
    text = "".join(parser.text)
    assert HOSTILE in text  # shown as text, not markup
    assert "Mängd <em>a</em>" in text
    assert "&lt;script&gt;" in html
