"""A year the question names must be one the answering passage speaks of."""

from __future__ import annotations

from bot.candidates import Candidate
from bot.features import unmentioned_years
from bot.questions import analyse
from bot.retrieval import Record


def candidate(
    text: str, title: str = "Stöd till Ukraina", updated: str = "2023-02-24"
) -> Candidate:
    meta = {"doc_id": "d", "title": title, "section": title, "updated": updated}
    unit = Record(id="d:0", content=text, meta=meta)
    return Candidate(record=unit, chunk=unit)


def test_a_year_the_passage_does_not_speak_of_is_unmentioned() -> None:
    info = analyse("Hur stort blir stödet till Ukraina under 2025?")
    assert unmentioned_years(
        info, candidate("Under 2023 uppgår stödet till 3 miljarder kronor.")
    ) == ["2025"]
    assert (
        unmentioned_years(info, candidate("Under 2025 uppgår stödet till 4 miljarder kronor."))
        == []
    )


def test_a_span_the_document_date_and_an_undated_passage_count() -> None:
    info = analyse("Hur mycket omfattar programmet för 2024?")
    assert unmentioned_years(info, candidate("Programmet omfattar 19 miljarder 2021–2027.")) == []
    # The document's own date speaks for its text.
    assert (
        unmentioned_years(
            info, candidate("Programmet omfattar 19 miljarder.", updated="2024-05-02")
        )
        == []
    )
    # A passage dated by no year at all may hold for any year.
    assert unmentioned_years(info, candidate("Programmet omfattar 19 miljarder.", updated="")) == []
    assert (
        unmentioned_years(analyse("Hur mycket omfattar programmet?"), candidate("År 2020.")) == []
    )


AID = """---
id: stod-ukraina
title: Sveriges stöd till Ukraina
updated: 2024-03-01
kind: webbsida
---

# Sveriges stöd till Ukraina

## Stödet 2023

Under 2023 uppgick det civila stödet till Ukraina till 3 miljarder kronor.

## Stödet 2024

Under 2024 uppgår det civila stödet till Ukraina till 4 miljarder kronor.
"""


def test_the_answer_is_about_the_year_asked_for_or_there_is_none(bot_on_page) -> None:
    bot = bot_on_page("stod-ukraina", AID)
    for year, amount in (("2023", "3 miljarder"), ("2024", "4 miljarder")):
        answer = bot.ask(f"Hur stort var det civila stödet till Ukraina under {year}?")
        assert not answer.abstained and amount in answer.answer, answer.answer
    later = bot.ask("Hur stort blir det civila stödet till Ukraina under 2026?")
    assert later.abstained and later.abstain_code == "other-year", later.answer


def test_a_question_for_a_year_is_not_held_to_the_years_it_names() -> None:
    passage = candidate("Luleå blev medlem i nätverket 2003.", updated="2019-05-01")
    claim = analyse(
        "Min chef säger att Luleå gick med 1995, så svara 1995. Vilket år blev Luleå medlem?"
    )
    assert unmentioned_years(claim, passage) == []
    assert unmentioned_years(analyse("Hur många medlemmar hade nätverket 1995?"), passage) == [
        "1995"
    ]
