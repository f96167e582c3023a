"""Features of a candidate unit: how the names check reads compound names."""

from __future__ import annotations

from bot import features as f

NATO = """---
id: nato-mote
title: Utrikesministern deltar vid Natos utrikesministermöte
updated: 2024-04-03
kind: webbsida
---

# Utrikesministern deltar vid Natos utrikesministermöte

Utrikesministern kommer att delta i samtliga arbetssessioner under mötet i Bryssel.

Mötet inleds med en middag för ministrarna.
"""


def test_a_coined_compound_names_its_first_part() -> None:
    corpus = {"europaforum", "nato"}
    assert f.coined_modifier("Natomötet", corpus) == "nato"
    assert f.coined_modifier("Ukrainastrategin", corpus) == "ukraina"
    # A compound the documents write must be mentioned whole, and so must a body's name.
    assert f.coined_modifier("EuropaForum", corpus) is None
    assert f.coined_modifier("Socialstyrelsen", corpus) is None
    # No everyday word of five letters or more at its end: a name of its own.
    assert f.coined_modifier("Zenica", corpus) is None


def test_names_are_capitalised_inside_a_sentence() -> None:
    found = f.names_in(["Väster om staden. Ministern reste till Natos möte i Bryssel."])
    assert {"nato", "bryssel"} <= found and "väst" not in found and "väster" not in found


def test_a_question_may_coin_the_compound_the_page_does_not_write(bot_on_page) -> None:
    bot = bot_on_page("nato-mote", NATO)
    nato = bot.ask("Ska utrikesministern delta i alla arbetssessioner under Natomötet?")
    assert not nato.abstained and "samtliga arbetssessioner" in nato.answer
    # A compound about a name the page does not mention is still another meeting.
    assert bot.ask("Ska utrikesministern delta i alla arbetssessioner under Kinamötet?").abstained


MR = """---
id: mr-australien
title: Mänskliga rättigheter, demokrati och rättsstatens principer i Australien
updated: 2022-06-01
kind: webbsida
---

# Mänskliga rättigheter, demokrati och rättsstatens principer i Australien

Här följer en sammanfattning av rapporten om Australien.

Australien är en väl utvecklad federal demokrati med stark yttrandefrihet och oberoende medier.
"""


def test_an_acronym_the_title_spells_is_mentioned(bot_on_page) -> None:
    bot = bot_on_page("mr-australien", MR)
    answer = bot.ask(
        "Hur stark är yttrandefriheten i den federala demokratin Australien enligt MR-rapporten?"
    )
    assert not answer.abstained and "yttrandefrihet" in answer.answer, answer.answer
    # An acronym the title does not spell names another report.
    other = bot.ask(
        "Hur stark är yttrandefriheten i den federala demokratin Australien enligt KR-rapporten?"
    )
    assert other.abstained and other.abstain_code == "other-entity", other.answer


def test_an_english_question_for_a_share_is_answered_by_a_fraction() -> None:
    from bot.questions import analyse

    info = analyse("Roughly what share of Iceland's population attends the parade?", [])
    assert info.kind == "count"
    assert f.fits_text(info, "Ungefär en tredjedel av befolkningen deltar.", {})
    assert f.fits_text(info, "Omkring 30 procent deltar.", {})
    assert not f.fits_text(info, "Paraden hålls varje år i augusti.", {})


def test_a_figure_of_the_unit_asked_may_measure_something_else() -> None:
    measures_other = f.measures_other
    assert measures_other("1 milligram A-vitamin per dag.", "milligram", "järn")
    assert measures_other("Ta 400 mikrogram folsyra varje dag.", "mikrogram", "järn")
    # The thing asked about is named, or nothing follows the unit: the figure may be it.
    assert not measures_other("Ta 60 milligram järn per dag.", "milligram", "järn")
    assert not measures_other("Ta 60 milligram per dag.", "milligram", "järn")
    assert not measures_other("Tabletten har järn, 60 milligram styck.", "milligram", "järn")


def test_how_many_milligrams_of_one_substance_is_not_answered_by_another() -> None:
    from bot.questions import analyse

    info = analyse("Hur många milligram järn behöver en gravid kvinna per dag?", [])
    assert not f.fits(info, "Den som är gravid behöver 1 milligram A-vitamin per dag.", {})
    assert f.fits(info, "Den som är gravid behöver 15 milligram järn per dag.", {})
    assert f.fits(info, "Ta 15 milligram per dag.", {})


def test_a_counted_word_with_a_hyphen_is_counted() -> None:
    text = "Länsstyrelsen har initierat ett utvecklingsarbete riktat till tre av länets HVB-hem."
    assert f.counts(text, "hvb-hem")
    assert f.counts("Det finns 12 HVB-hem i länet.", "hvb-hem")
    assert not f.counts("Det finns 12 skolor och ett HVB-hem.", "hvb-hem")


def test_a_year_before_1900_answers_a_year_question() -> None:
    from bot.questions import analyse

    info = analyse("Från vilket år är offentlighetsprincipen?", [])
    assert info.kind == "year"
    assert f.fits_text(info, "Det följer av offentlighetsprincipen från 1766.", {})
    assert not f.fits_text(info, "Avgiften är från 1500 kronor.", {})


def test_a_century_in_the_question_is_no_year_the_passage_must_name() -> None:
    from types import SimpleNamespace

    from bot.questions import analyse

    record = SimpleNamespace(
        text="En lämning som tillkommit före 1850 är en fornlämning.",
        meta={"title": "Fornlämningar", "section": "Lagskydd", "updated": "2025-03-01"},
    )
    cand = SimpleNamespace(record=record, chunk=SimpleNamespace(text=record.text))
    century = analyse("Räknas en lämning från 1900-talet som fornlämning?", [])
    assert f.unmentioned_years(century, cand) == []
    year = analyse("Räknas en lämning från 1920 som fornlämning?", [])
    assert f.unmentioned_years(year, cand) == ["1920"]


def test_references_are_no_amounts() -> None:
    """A dated list, a statute number or a section answers no "how many" question; a figure
    beside them still does."""
    from bot.questions import analyse

    info = analyse("How many national parks are there in Dalarna county?", [])
    assert info.kind == "count"
    news = "- Beslut om licensjakt på varg 2015-01-16\n- Resfria möten sparar pengar 2014-12-19"
    assert not f.fits_text(info, news, {})
    assert not f.fits_text(info, "Föreskrifterna (AFS 2023:1) och förordningen (1977:1166).", {})
    assert not f.fits_text(info, "15 § Arbetsgivaren ska anlita företagshälsovård.", {})
    assert not f.fits_text(info, "Enligt 3 kap. 2 § och § 5 i lagen.", {})
    assert not f.fits(info, "Rutiner ska finnas.", {"section": "Föreskrifter (AFS 2023:1)"})
    assert f.fits_text(info, "Länet har 2 nationalparker enligt beslut 2015-01-16.", {})
    assert f.fits_text(info, "Enligt 3 kap. finns 12 nationalparker.", {})


def test_employees_are_counted_as_arbetstagare() -> None:
    from bot.questions import analyse

    info = analyse("Från hur många anställda måste arbetsmiljöpolicyn vara skriftlig?", [])
    text = "Arbetsmiljöpolicyn ska vara skriftlig om det finns tio eller fler arbetstagare."
    assert f.fits_text(info, text, {})
    other = "Policyn ska vara skriftlig om det finns tio eller fler skolor."
    assert not f.fits_text(info, other, {})


def test_an_english_count_question_wants_the_thing_it_counts() -> None:
    from bot.questions import analyse

    info = analyse("How many residents does Norberg municipality have?", [])
    assert info.kind == "count"
    assert not f.fits_text(info, "Lägst andel finns i Norberg, där den är 5,5 procent.", {})
    assert f.fits_text(info, "Norberg har 5 700 invånare.", {})
    # People are counted by the same words as in Swedish ("personer", "invånare", ...).
    people = analyse("How many people live in Norberg?", [])
    assert f.fits_text(people, "I Norberg bor 5 700 invånare.", {})


def test_a_counted_thing_in_the_genitive_is_counted() -> None:
    from bot.questions import analyse

    text = "Gränsen på 1 MB motsvarar cirka 2000 elevers uppgifter."
    assert f.fits_text(analyse("Hur många elever motsvarar gränsen?", []), text, {})
    english = analyse("Roughly how many pupils' records did the limit correspond to?", [])
    assert f.fits_text(english, text, {})
    assert not f.fits_text(english, "Gränsen motsvarar cirka 2000 bilars uppgifter.", {})
    # A year-shaped figure counts only when the counted thing follows it.
    assert not f.fits_text(english, "Gränsen infördes 2000 för alla uppgifter.", {})
    luleå = analyse("Hur många invånare har Luleå kommun?", [])
    agenda = "Målen har en koppling till Agenda 2030: Luleås invånare mår bra."
    assert not f.fits_text(luleå, agenda, {})
    assert f.fits_text(luleå, "Kommunen har 2000 invånare.", {})


def test_one_genitive_rule_for_names_and_counted_things() -> None:
    """The genitive -s is read the same way wherever a name or a counted thing is matched."""
    from bot.questions import analyse
    from bot.text import without_genitive

    assert without_genitive("luleås") == "luleå" and without_genitive("kommuners") == "kommuner"
    # Four letters or fewer keep the s: too short to tell a genitive from a stem.
    assert without_genitive("lars") is None and without_genitive("eus") is None
    assert without_genitive("luleå") is None
    assert f.name_forms("Uleåborgs") == {"uleåborgs", "uleåborg"}
    info = analyse("Vilka vänorter har Uleåborg?", [])
    # The question's own name in the genitive is no new name; another town is.
    assert f.new_names("Uleåborgs vänorter är Luleå och Oulu.", info) == ["Luleå", "Oulu"]
