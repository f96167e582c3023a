"""Comparing two passrate runs question by question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.passdiff import main, read, report


def _run(path: Path, outcomes: dict[str, tuple[bool, bool, str]]) -> Path:
    """A passrate JSON with the given id -> (passed, abstained, stage)."""
    items = [
        {
            "id": k,
            "file": f"/clone/{k.split('/')[0]}.yaml",
            "passed": p,
            "abstained": a,
            "stage": s,
            "reasons": [] if p else ['saknar "ja"'],
        }
        for k, (p, a, s) in outcomes.items()
    ]
    summary = {"abstention_recall": 0.5, "abstention_precision": 0.25, "latency_p50_ms": 80.0}
    path.write_text(json.dumps({"summary": summary, "items": items}), encoding="utf-8")
    return path


def test_changes_are_counted_per_publisher_with_regeringen_as_one(tmp_path: Path) -> None:
    right, wrong = (True, False, ""), (False, False, "composed")
    # id: (outcome before, outcome after)
    rows = {
        "regeringen-d/x": (wrong, right),
        "regeringen-e/y": (right, right),
        "msb/z": (right, wrong),
        "msb/w": ((False, True, "abstained"), (False, False, "not-chosen")),
    }
    before = _run(tmp_path / "a.json", {k: v[0] for k, v in rows.items()})
    after = _run(tmp_path / "b.json", {k: v[1] for k, v in rows.items()})
    out = report(read(before), read(after), listing=True)
    assert "före       2 godkända av 4, 1 fel svar" in out
    assert "efter      2 godkända av 4, 2 fel svar" in out
    assert "ändrade frågor: +1 −1" in out
    # The losing publisher first; regeringen-d and -e are one publisher.
    lines = out.splitlines()
    assert lines.index("  msb                                  +0 −1") < lines.index(
        "  regeringen                           +1 −0"
    )
    assert "förlorade, steg efter: composed 1" in out
    assert '− msb/z [composed] saknar "ja"' in out and "+ regeringen-d/x [-] godkänd" in out


def test_questions_in_only_one_run_are_reported(tmp_path: Path) -> None:
    before = _run(tmp_path / "a.json", {"msb/z": (True, False, ""), "msb/old": (True, False, "")})
    after = _run(tmp_path / "b.json", {"msb/z": (True, False, "")})
    assert "bara i före: 1, bara i efter: 0" in report(read(before), read(after))


def test_runs_without_must_abstain_questions_compare(tmp_path: Path) -> None:
    """A run of topic switches (passrate --switches) has no must-abstain question, so its
    abstention recall is null."""
    runs = [_run(tmp_path / f"{n}.json", {"msb/z~byte": (True, False, "")}) for n in "ab"]
    for path in runs:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["summary"]["abstention_recall"] = None
        path.write_text(json.dumps(data), encoding="utf-8")
    out = report(read(runs[0]), read(runs[1]))
    assert "avstår rätt –, precision 25.0 %" in out and "ändrade frågor: +0 −0" in out


def test_a_file_that_is_no_run_is_named(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"summary": {}}', encoding="utf-8")
    with pytest.raises(SystemExit, match="bad.json: är inte ett resultat"):
        main([str(bad), str(bad)])
    with pytest.raises(SystemExit, match="saknas.json: baslinjen finns inte"):
        main([str(tmp_path / "saknas.json"), str(bad)])
