"""Lists given by sub-headings (hand-made documents, fake embedding, no model)."""

from __future__ import annotations

from bot.outline import sub_headings
from tests.bot.fakes import ask, filler, snapshot

PRINCIPLES = """# Klarspråk

## Varför klarspråk?

Myndigheter ska skriva klarspråk enligt språklagen.

## Tips på hur du skriver klarspråk

Med hjälp av dessa tre principer kan du skriva bra texter på klarspråk.

### 1. Utgå från läsaren

Texten ska utgå från läsarens behov.

### 2. Börja med det viktigaste

Det viktigaste kommer först.

### 3. Skriv enkla meningar

Korta meningar är lättare att läsa.
"""


def test_the_outline_knows_which_headings_stand_under_which() -> None:
    outline = ["A", "A > B", "A > B > x", "A > C", "D"]
    tree = sub_headings(outline)
    assert tree["A"] == ["B", "C"]
    assert tree["A > B"] == ["x"]
    assert list(tree) == ["A", "A > B"]


def test_principles_given_as_sub_headings_answer_which_principles() -> None:
    _, answer = ask(snapshot(PRINCIPLES + filler()), "Vilka principer gäller för klarspråk?")
    assert not answer.abstained, answer.answer
    for item in ("Utgå från läsaren", "Börja med det viktigaste", "Skriv enkla meningar"):
        assert item in answer.answer, answer.answer
    quotes = [c.quote for c in answer.citations]
    assert "1. Utgå från läsaren" in quotes
    assert answer.citations[0].quote.startswith("Med hjälp av dessa tre principer")


def test_a_question_for_one_thing_gets_no_heading_list() -> None:
    _, answer = ask(snapshot(PRINCIPLES + filler()), "Vilken lag kräver klarspråk?")
    assert "Börja med det viktigaste" not in answer.answer, answer.answer
