"""Baseline comparison, the gate, the summary table and the HTML/Markdown reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from bot.answerer import ABSTAIN_TEXT, Answer, Citation
from evals.comparing import BaselineError, compare, gate, load_baseline
from evals.markdown import md_block
from evals.report import pass_rate_chart, write_report
from evals.running import run_eval
from evals.schema import Item
from evals.summary import format_summary
from tests.evals.html_text import Collect

HOSTILE = '<script>alert("x")</script> | **fet** & [länk](javascript:alert(1))\n# rubrik'
BODY = f"Storvik är medlem sedan 2005.\n\n{HOSTILE}\n"


class CannedBot:
    def __init__(self, answers):
        self.answers = answers

    def ask(self, question, history=None):
        return self.answers[question]


def said(text: str, quote: str) -> Answer:
    cite = Citation(1, "doc", "Dok <titel>", "Avsnitt", quote, "2024-01-01", None)
    return Answer(answer=text, abstained=False, citations=[cite], latency_ms=12.0)


ITEMS = [
    Item(id="sedan", question="Sedan när?", expect=["2005"], sources=["doc"], tags=["ar"]),
    Item(id="elak", question="Elak <fråga>?", expect=["finns inte"], tags=["robust", "ar"]),
    Item(id="vader", question="Vädret?", abstain=True, tags=["utanfor"]),
]


def result_for(year: str):
    answers = {
        "Sedan när?": said(f"Storvik är medlem sedan {year}. [1]", f"medlem sedan {year}."),
        "Elak <fråga>?": said(HOSTILE, "<script>alert"),
        "Vädret?": Answer(answer=ABSTAIN_TEXT, abstained=True, latency_ms=3.0),
    }
    return run_eval(CannedBot(answers), ITEMS, {"doc": BODY}, warm_up=False)


@pytest.fixture
def before_after(tmp_path):
    before = result_for("2005")
    path = tmp_path / "baseline.json"
    before.write_json(path)
    after = result_for("2011")  # the bot now says 2011 (and quotes text not in BODY)
    return before, after, load_baseline(path), path


def test_json_roundtrip_and_comparison(before_after):
    before, after, baseline, path = before_after
    assert [i["passed"] for i in baseline["items"]] == [True, False, True]
    cmp = compare(after, baseline, path)
    assert cmp.newly_failing == ["sedan"]
    assert cmp.newly_passing == []
    assert cmp.previous["sedan"]["answer"].endswith("sedan 2005. [1]")
    # And back: the old state passes again against the new one.
    back = compare(before, after.to_dict(), "after.json")
    assert back.newly_passing == ["sedan"] and back.newly_failing == []


def test_added_removed_and_changed_documents(before_after):
    _, after, baseline, path = before_after
    baseline["items"] = [i for i in baseline["items"] if i["id"] != "vader"]
    baseline["items"].append({"id": "gone", "passed": True})
    baseline["corpus"] = [{"doc_id": "doc", "sha256": "0"}, {"doc_id": "old", "sha256": "1"}]
    cmp = compare(after, baseline, path)
    assert cmp.added == ["vader"] and cmp.removed == ["gone"]
    assert cmp.changed_docs == ["doc", "old"]


def test_gate(before_after):
    _, after, baseline, path = before_after
    cmp = compare(after, baseline, path)
    # 1 of 3 passes now: 33.3 %.
    assert gate(after, cmp, None).failed  # a regression
    assert not gate(after, cmp, None, allow_regressions=True).failed
    assert gate(after, cmp, 34, allow_regressions=True).failed
    assert not gate(after, cmp, 33.3, allow_regressions=True).failed
    assert not gate(after, None, 0).failed
    # Exactly at the limit is not under it (no float rounding: 29 of 100 is 29 %).
    r = result_for("2005")
    r.summary.update(items=100, passed=29)
    assert not gate(r, None, 29).failed and gate(r, None, 29.5).failed


def test_bad_baseline_files(tmp_path):
    with pytest.raises(BaselineError, match="finns inte"):
        load_baseline(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match="kan inte läsa"):
        load_baseline(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"answer": "x"}), encoding="utf-8")
    with pytest.raises(BaselineError, match="policybot eval"):
        load_baseline(tmp_path / "other.json")


def test_summary_table_names_failures_and_regressions(before_after):
    _, after, baseline, path = before_after
    cmp = compare(after, baseline, path)
    text = format_summary(after, cmp, gate(after, cmp, 50))
    assert "Godkända" in text and "1 av 3" in text
    # The canned answers retrieved nothing, so retrieval is the stage at fault.
    assert 'sedan: [svaret hämtades inte] saknar "2005"' in text
    assert "Fel per steg" in text and "svaret hämtades inte 2" in text
    assert "Nya fel (1): sedan" in text
    assert "Citat som inte är ordagranna (1)" in text
    assert "under gränsen 50 %" in text and "UNDERKÄNT" in text
    for tag in ("ar", "robust", "utanfor"):
        assert f"\n{tag} " in text


def test_html_report_is_escaped_and_complete(before_after, tmp_path):
    _, after, baseline, path = before_after
    cmp = compare(after, baseline, path)
    (out,) = write_report(tmp_path / "r.html", after, cmp, gate(after, cmp, None))
    html = out.read_text(encoding="utf-8")
    parser = Collect()
    parser.feed(html)
    assert "script" not in parser.tags  # the hostile answer is text, not markup
    text = "".join(parser.text)
    assert '<script>alert("x")</script>' in text
    assert "svg" in parser.tags and "Andel godkända per tagg" in text
    assert "Sedan när?" in text and "Storvik är medlem sedan 2011." in text  # failing item
    assert "sedan 2005" in text  # the baseline's answer for the regressed item
    assert 'saknar "2005"' in text and "Nya fel (1)" in text
    assert "citatet finns inte ordagrant" in text
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # self-contained


def test_markdown_report_with_chart_file(before_after, tmp_path):
    _, after, baseline, path = before_after
    cmp = compare(after, baseline, path)
    report, svg = write_report(tmp_path / "r.md", after, cmp)
    assert svg == tmp_path / "r.svg"
    text = report.read_text(encoding="utf-8")
    assert "![Andel godkända per tagg](r.svg)" in text
    assert "## Underkända frågor (2)" in text
    assert "### `sedan` — **ny sedan baslinjen**" in text
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\n# rubrik" not in text and "> \\# rubrik" in text
    ET.fromstring(svg.read_text(encoding="utf-8").split("?>", 1)[1])  # well-formed SVG


def test_chart_has_a_bar_per_tag_and_baseline_ticks(before_after):
    _, after, baseline, path = before_after
    svg = pass_rate_chart(after, compare(after, baseline, path))
    root = ET.fromstring(svg)
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for label in ("Totalt (3)", "ar (2)", "robust (1)", "utanfor (1)"):
        assert label in labels
    assert "baslinjen" in svg


def test_md_block_keeps_lines_quoted():
    assert md_block("a\n# b\n\nc|d") == "> a\n> \\# b\n>\n> c\\|d"


def test_a_generative_run_reports_paths_gate_cuts_and_time_to_first_text():
    """eval --answerer openai:…: the bot streams; the summary says how answers were written."""
    from types import SimpleNamespace

    from bot.generative import Partial

    written = said("Storvik är medlem sedan 2005 [1].", "medlem sedan 2005.")
    written.answerer, written.gate = (
        "generative",
        ["Det kostar 5 kr [1]. – talet 5 finns inte i [1]"],
    )
    fallback = said("Storvik är medlem sedan 2005. [1]", "medlem sedan 2005.")
    fallback.answerer, fallback.gate = "extractive-fallback", ["språkmodellen avstod"]
    abstained = Answer(answer=ABSTAIN_TEXT, abstained=True, latency_ms=3.0)

    class StreamingBot:
        settings = SimpleNamespace(answerer="openai:m")
        answers = {"Sedan när?": written, "Elak <fråga>?": fallback, "Vädret?": abstained}

        def ask_stream(self, question, history=None):
            answer = self.answers[question]
            if answer.answerer == "generative":
                yield Partial(answer.answer)
            yield answer

    result = run_eval(StreamingBot(), ITEMS, {"doc": BODY}, warm_up=False)
    s = result.summary
    assert s["answerers"] == {"extractive": 1, "extractive-fallback": 1, "generative": 1}
    assert s["gate_cut"] == 1 and s["first_p50_ms"] is not None
    assert s["checked_first_p50_ms"] is not None
    by_id = {r.item.id: r.to_dict() for r in result.items}
    assert by_id["elak"]["answerer"] == "extractive-fallback"
    assert by_id["elak"]["gate"] == ["språkmodellen avstod"]
    text = format_summary(result)
    assert "Svaret skrevs av" in text and "språkmodellen 1" in text
    assert "extraktivt i stället 1" in text
    # An extractive run shows none of this.
    assert "Svaret skrevs av" not in format_summary(result_for("2005"))
