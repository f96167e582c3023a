"""Whether a unit holds the figure a question asks for: amounts, shares, counts and sizes."""

from __future__ import annotations

import pytest

from bot.features import fits_text
from bot.questions import analyse

FITS = [
    # Billions, öre, pounds and units of power are measures.
    ("Hur mycket har regeringen satsat på vårdköer?", "Regeringen har satsat 18 miljarder kronor."),
    ("Hur mycket sänks elskatten?", "Elskatten sänks med 9,875 öre från årsskiftet."),
    ("Hur mycket går till luftförsvaret?", "Luftförsvaret får 70 miljoner pund."),
    ("Hur mycket större effektbehov skulle vi ha?", "Ett effektbehov på omkring 6,5 GW."),
    # A figure in words before a magnitude.
    ("Hur mycket pengar får myndigheten?", "Myndigheten får använda en miljon kronor."),
    ("Hur mycket pengar får myndigheten?", "Myndigheten tillförs åtta miljoner kronor per år."),
    ("Vad kostar paketet?", "Paketet kostar en miljard kronor."),
    # A part of something answers "hur mycket" and a share.
    ("Hur mycket minskar administrationen?", "Bördan minskar med en tredjedel."),
    ("Hur stor del av tillgångarna finns i Sverige?", "Mer än en fjärdedel finns i Sverige."),
    ("Hur stor andel är med i facket?", "Sju av tio arbetstagare är med i facket."),
    # A part of a whole, when the question asks for one.
    ("Hur många av regionerna erbjuder KUB?", "Endast hälften av landets regioner erbjuder KUB."),
    (
        "Hur många av konventionerna har landet anslutit sig till?",
        "Landet är part till sju av åtta.",
    ),
    # Rough numbers, and a figure joined to what it counts.
    ("Hur många företag var med?", "Ett fyrtiotal företag deltog."),
    ("Hur många år fyller arbetsmarknaden?", "Ministrarna deltog i 70-årsjubileet."),
    ("Hur många kvinnor har utsatts?", "Cirka hälften av alla kvinnor har utsatts."),
    # A size is a measure of what the question names.
    ("Hur stor måste en investering vara?", "Är investeringen större än 15 miljoner finns stöd."),
    ("Hur stor effekt får anläggningen ha?", "En anläggning om högst 1 500 kilowatt."),
]

MISSES = [
    # The figure counts something else, or there is none of the kind asked for.
    ("Hur många medlemmar har nätverket?", "Nätverket har fyra regioner."),
    ("Hur många medlemmar har nätverket?", "Hälften av regionerna är aktiva."),
    ("Vad kostar kursen?", "Kursen pågår i tre dagar och ger en tredjedel av poängen."),
    ("Hur mycket pengar får myndigheten?", "Myndigheten ska redovisa uppdraget i en rapport."),
    ("Hur stor måste en investering vara?", "Investeringen ska göras i länet."),
    ("Hur många år har samarbetet pågått?", "Samarbetet är en del av 2020-årets plan."),
]


@pytest.mark.parametrize(("question", "text"), FITS)
def test_the_figure_asked_for_is_recognised(question: str, text: str) -> None:
    assert fits_text(analyse(question), text, {})


@pytest.mark.parametrize(("question", "text"), MISSES)
def test_a_figure_of_another_kind_is_not(question: str, text: str) -> None:
    assert not fits_text(analyse(question), text, {})


BUDGET = """---
id: budget-vard
title: Satsningar på vården
updated: 2024-09-18
kind: webbsida
---

# Satsningar på vården

Under mandatperioden har regeringen satsat cirka 18 miljarder kronor på kortare vårdköer.

Regeringen vill också att fler ska söka sig till yrken inom vården.
"""


def test_an_amount_in_billions_is_answered_and_a_missing_one_is_not(bot_on_page) -> None:
    bot = bot_on_page("budget-vard", BUDGET)
    answer = bot.ask("Hur mycket har regeringen satsat på kortare vårdköer?")
    assert not answer.abstained and "18 miljarder kronor" in answer.answer, answer.answer
    # Billions count no nurses: a near miss.
    nurses = bot.ask("Hur många fler sjuksköterskor vill regeringen ska söka sig till vården?")
    assert nurses.abstained and nurses.abstain_code == "near-miss", nurses.answer
