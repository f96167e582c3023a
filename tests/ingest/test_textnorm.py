"""Tokens, stems and what ingest learns about the corpus: acronyms, outlines."""

from __future__ import annotations

import pytest

from ingest.swedish import DURATION
from ingest.textnorm import CorpusStats, find_acronyms, tokens


def test_acronyms_are_found_in_either_order() -> None:
    found = find_acronyms(
        [
            "Luleå är medlem i Union of the Baltic Cities (UBC).",
            "Föreningen är medlem i AEBR (Association of European Border Regions).",
            "Luleå kommun (LBR) is no acronym of its words.",
        ]
    )
    assert found["ubc"] == ("union", "baltic", "cities")
    assert found["aebr"] == ("association", "european", "border", "regions")
    assert "lbr" not in found


def test_the_outline_keeps_each_documents_sections_in_reading_order() -> None:
    stats = CorpusStats.build(
        ["a", "b", "c", "d"],
        ["d1", "d1", "d2", "d1"],
        sections=["Mål", "Mål > Delmål", "Annat", "Mål"],
    )
    assert stats.outlines == {"d1": ["Mål", "Mål > Delmål"], "d2": ["Annat"]}
    assert CorpusStats.from_json(stats.to_json()).outlines == stats.outlines


@pytest.mark.parametrize(
    "text",
    [
        "ses över var fjärde år",
        "stämmer av varje timme",
        "varannan vecka",
        "rapporteras dagligen",
        "daglig backup av databasen",
        "i månatliga rapporter",
        "bedöms vart 5:e år",
    ],
)
def test_frequencies_answer_how_often(text: str) -> None:
    assert DURATION.search(text)
    assert not DURATION.search("stämmer av mot servern")


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        # A number joined to a unit of time is a duration.
        ("kontrolleras under en 3-årscykel", True),
        ("enligt en femårsplan", True),
        ("gäller 24-timmarsregeln", True),
        ("beslutades i 2023-årsredovisningen", False),
        # A span of years is one; a news list dated by day spans no years.
        ("Planen gäller 2019–23.", True),
        ("Planen gäller 2019-2023.", True),
        ("- Nytt beslut om licensjakt på varg 2015-01-16", False),
        ("- Tre nya dalapiloter utsedda 2014-12-10", False),
    ],
)
def test_what_is_a_duration(text: str, duration: bool) -> None:
    assert bool(DURATION.search(text)) is duration


def test_a_soft_hyphen_does_not_split_a_word() -> None:
    # regeringen.se marks where a browser may break a long word; a reader sees one word.
    shy = "Till Justitie\u00addeparte\u00admentet av Rätts\u00admedicinal\u00adverket."
    assert tokens(shy) == tokens(shy.replace("\u00ad", ""))
    assert "rättsmedicinalverket" in tokens(shy)
