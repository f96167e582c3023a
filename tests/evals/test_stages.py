"""The stage at fault for a failing answer: retrieval, choice, abstention or composition."""

from evals.metrics import STAGES, stage

UNIT = "Luleå är medlem i Eurocities sedan 2005."


def test_a_must_abstain_question_that_was_answered():
    assert stage([], True, False, None, [UNIT]) == "answered"


def test_not_retrieved_when_no_chunk_holds_the_facts():
    assert stage(["2005"], False, True, None, []) == "not-retrieved"


def test_retrieved_but_another_unit_chosen():
    other = "Luleå har fyra vänorter."
    assert stage(["2005"], False, False, 3, [other]) == "not-chosen"
    assert stage(["2005"], False, True, 3, [other]) == "not-chosen"


def test_the_right_unit_but_the_bot_abstained():
    assert stage(["2005"], False, True, 1, [UNIT]) == "abstained"
    # No unit weighed at all (question words missing from the corpus): the abstention's fault.
    assert stage(["2005"], False, True, 1, []) == "abstained"


def test_the_right_unit_composed_wrong():
    assert stage(["2005", "Eurocities"], False, False, 2, [UNIT]) == "composed"
    # A yes/no word is the composer's to add, not the unit's to hold.
    assert stage(["ja", [["2005", "år 2005"]][0]], False, False, 1, [UNIT]) == "composed"


def test_every_stage_has_swedish_words():
    assert set(STAGES) == {"not-retrieved", "not-chosen", "abstained", "composed", "answered"}
    assert all(STAGES.values())
