"""The answer judge's reranking of the hand score's best units (a fake judge; no model)."""

from __future__ import annotations

import numpy as np

from bot.candidates import Candidate
from bot.judge import judge_text, pair_text, rerank
from bot.retrieval import Record
from config.tuning import Tuning


class FakeJudge:
    """Logits looked up by the unit's text, recording what it was asked to read."""

    def __init__(self, logits: dict[str, float]) -> None:
        self.by_text, self.read = logits, []

    def logits(self, texts: list[str]) -> np.ndarray:
        self.read.append(texts)
        return np.asarray([self.by_text[t.split(" passage: ")[1]] for t in texts])


def _units(*scored: tuple[str, float]) -> list[Candidate]:
    out = []
    for n, (text, score) in enumerate(scored):
        unit = Record(id=f"d:{n}", content=text, meta={"doc_id": "d", "section": "S"})
        out.append(Candidate(record=unit, chunk=unit, score=score))
    return out


def test_the_judge_reorders_the_best_units_and_they_keep_the_hand_scores() -> None:
    ranked = _units(("A", 3.0), ("B", 2.8), ("C", 2.0), ("D", 1.0))
    judge = FakeJudge({"A": -2.0, "B": 4.0, "C": 0.0})
    out = rerank("Vad?", ranked, judge, Tuning(judge_weight=0.5, judge_top=3))
    # hand + 0.5 x logit: A 2.0, B 4.8, C 2.0; A and C tie and keep their hand order.
    assert [c.record.content for c in out] == ["B", "A", "C", "D"]
    # Only the order changes: the judged units take the hand scores they had, best first, so
    # the gaps that selection and abstention read are as before.
    assert [c.score for c in out] == [3.0, 2.8, 2.0, 1.0]
    assert out[0].judge == 4.0 and out[-1].judge is None
    assert judge.read == [[pair_text("Vad?", t) for t in ("A", "B", "C")]]


def test_a_unit_below_the_judged_ones_never_overtakes_them() -> None:
    ranked = _units(("A", 3.0), ("B", 2.9), ("C", 2.8))
    judge = FakeJudge({"A": -5.0, "B": 5.0})
    out = rerank("Vad?", ranked, judge, Tuning(judge_weight=1.0, judge_top=2))
    assert [c.record.content for c in out] == ["B", "A", "C"]
    assert out[2].score < out[1].score


def test_no_weight_reads_nothing() -> None:
    ranked = _units(("A", 3.0), ("B", 2.8))
    judge = FakeJudge({})
    assert rerank("Vad?", ranked, judge, Tuning()) == ranked
    assert judge.read == []


def test_the_judge_reads_the_unit_with_the_one_after_it() -> None:
    first, second = _units(("Avgiften är 500 kronor.", 1.0), ("Den betalas årligen.", 0.5))
    first.after = second.record
    assert judge_text(first) == "Avgiften är 500 kronor. Den betalas årligen."
