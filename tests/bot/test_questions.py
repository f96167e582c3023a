"""Question kinds and follow-up condensing (pure functions, no model)."""

from __future__ import annotations

import pytest

from bot.questions import analyse, question_kind
from bot.text import Vocabulary


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("När blev Luleå medlem i UBC?", "year"),
        ("Vilket år skrevs planen?", "year"),
        ("Hur många medlemmar har SERN?", "count"),
        ("Vilka vänorter har Luleå?", "list"),
        ("Samarbetar Luleå med Kina?", "yesno"),
        ("Är Zenica en vilande vänort?", "yesno"),
        ("Var ligger North Sweden European Office?", "where"),
        ("Varför är Luleå med i SERN?", "why"),
        ("Vem samordnar det internationella arbetet?", "name"),
        ("How many twin towns does Luleå have?", "count"),
        ("When did Luleå join UBC?", "year"),
        ("Vad är SEA20?", "what"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def test_followup_borrows_the_topic_of_the_previous_question() -> None:
    info = analyse("Vilka av dem är vilande?", ["Vilka vänorter har Luleå?"])
    assert info.followup
    assert "vänorter" in info.query and "vilande" in info.query
    assert "vänort" in info.context_stems


def test_followup_with_a_new_name_replaces_the_old_one() -> None:
    info = analyse("Och Kemi?", ["Är Zenica en aktiv vänort?"])
    assert info.followup
    assert "Kemi" in info.query and "Zenica" not in info.query
    assert info.kind == "yesno"


def test_self_contained_question_ignores_history() -> None:
    info = analyse("Hur många medlemmar har SERN?", ["Vilka vänorter har Luleå?"])
    assert not info.followup
    assert info.query == "Hur många medlemmar har SERN?"


def test_misspellings_are_corrected_and_missing_topics_listed() -> None:
    vocab = Vocabulary(["Luleå har sex vänorter: Zenica och Kemi.", "Medlem i nätverket SERN."])
    info = analyse("Vilka vänortr har Lulå?", vocabulary=vocab)
    assert "vänorter" in info.query and "luleå" in info.query.lower()
    assert info.missing == []
    near_miss = analyse("Vad är medlemsavgiften i SERN?", vocabulary=vocab)
    assert near_miss.missing == ["medlemsavgiften"]


def test_english_is_detected() -> None:
    assert analyse("Which twin towns does Luleå have?").english
    assert not analyse("Vilka vänorter har Luleå?").english
