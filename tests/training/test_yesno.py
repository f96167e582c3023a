"""Choosing the Ja thresholds: passes count, a Ja where the answer is Nej counts against."""

from __future__ import annotations

from training.yesno import choose, main, totals


def _row(values: list[float], passed: bool, wrong_ja: bool = False) -> dict:
    return {"group": "g", "id": "x", "values": values, "passed": passed, "wrong_ja": wrong_ja}


def test_a_wrong_ja_costs_a_pass_and_breaks_ties() -> None:
    strict, loose, looser = [0.95, 0.5, 0.7], [0.85, 0.5, 0.65], [0.75, 0.3, 0.55]
    rows = [_row(strict, True), _row(strict, False), _row(strict, False)]
    rows += [_row(loose, True), _row(loose, True), _row(loose, False)]
    # looser passes as many but says Ja to a question whose answer is Nej
    rows += [_row(looser, True), _row(looser, True), _row(looser, False, wrong_ja=True)]
    assert totals(rows)[tuple(looser)] == (3, 2, 1)
    assert choose(rows) == tuple(loose)
    rows += [_row(looser, True)]  # now one pass ahead, which the wrong Ja cancels
    assert choose(rows) == tuple(loose)


def test_choose_prints_the_table_and_the_choice(tmp_path, capsys) -> None:
    import json

    path = tmp_path / "grid.json"
    path.write_text(json.dumps([_row([0.85, 0.5, 0.65], True)]), encoding="utf-8")
    assert main(["choose", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 av 1 godkända" in out and "yes_dense 0.65" in out
