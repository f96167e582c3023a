"""Question kinds and follow-up condensing (pure functions, no model)."""

from __future__ import annotations

import pytest

from bot.questions import analyse, counted_words, question_kind, target_word
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
        ("Var hittar jag närmaste ombud?", "where"),
        ("Var Luleå tidigt ute med att skriva under?", "yesno"),
        ("Varför är Luleå med i SERN?", "why"),
        ("Vem samordnar det internationella arbetet?", "who"),
        ("How many twin towns does Luleå have?", "count"),
        ("When did Luleå join UBC?", "year"),
        ("Vad är SEA20?", "what"),
        # The opening phrase decides, not a cue word further on; a bare "Vilken" does not.
        ("När ändrades antalet sökträffar per sida?", "year"),
        ("Hur länge gäller beloppet?", "duration"),
        # "Hur lång tid" and a compound of "tid" ask a length of time; other lengths do not.
        ("Hur lång tid tar det att få svar?", "duration"),
        ("Hur lång handläggningstid har ansökan?", "duration"),
        ("Hur lång är uppsägningstiden?", "duration"),
        ("Hur långa texter får man skicka?", "what"),
        ("Och vem bestämmer antalet platser?", "who"),
        ("Vad är antalet medlemmar?", "count"),
        ("Vilken e-postadress har supporten?", "contact"),
        # A question word before a time noun asks when, however the question goes on.
        ("Vilka datum äger statsbesöket rum?", "year"),
        ("Vilket ikraftträdandedatum föreslås?", "year"),
        ("In which year was the label introduced?", "year"),
        ("Vart vänder jag mig om jag vill bli medborgare?", "where"),
        # English asks for a figure, a price or a deadline in words the Swedish cues lack.
        ("How large a share of marine litter is caused by packaging?", "count"),
        ("What share of world GDP does the region account for?", "count"),
        ("From what age must a child agree?", "count"),
        ("What is the monthly fee for home health care?", "amount"),
        ("What does a permit cost?", "amount"),
        ("By when must the agency report?", "year"),
        ("What is the deadline for the inquiry?", "year"),
        ("Until when will the education be extended?", "duration"),
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


def test_asking_what_something_new_is_starts_a_new_topic() -> None:
    # Short, without a name: the shortness that marks "Hur många?" as a follow-up.
    history = ["Vilka vänorter har Luleå?"]
    for question in (
        "Vad är en zoonos?",
        "Vad är ett förlagslån?",
        "What is a pawn loan?",
        "Vad är livränta?",  # one bare noun
        "Vad betyder koldioxidläckage?",
    ):
        info = analyse(question, history)
        assert not info.followup and info.query == question
    # Without an indefinite article the thing may be the earlier one.
    assert analyse("Vad är det?", history).followup
    assert analyse("Vad innebär avtalet?", history).followup


def test_an_article_or_a_relative_head_is_no_pronoun_pointing_back() -> None:
    history = ["Hur många medlemmar har SERN?"]
    for question in (
        "Vad ska den nya fordonsmärkningen visa?",  # den + adjective + definite noun
        "När ska de nya reglerna börja gälla?",
        "Vilken myndighet ska stänga av den som fuskar vid förarprov?",  # a relative clause
        "Is there any way to make the body burn off alcohol faster?",  # existential there
        "What will the bill that the government plans to submit be about?",
        "Vad sa ministrarna om it-brottslighet?",  # a compound is no English "it"
    ):
        info = analyse(question, history)
        assert not info.followup and info.query == question, question
    # A pronoun stays one: before a verb, or as the last word.
    assert analyse("När ska den vara klar?", history).followup
    assert analyse("När ska de lämna sin redovisning?", history).followup
    assert analyse("Hur många har undertecknat den?", history).followup
    assert analyse("Can they join?", history).followup
    # The article phrase points back when its noun was spoken of, or ends a compound in it.
    assert analyse("Vad innebär den nya lagen?", ["Vilken lag gäller för SERN?"]).followup
    assert analyse(
        "När antogs den ursprungliga deklarationen?", ["Vad är språkdeklarationen?"]
    ).followup


def test_det_after_a_preposition_points_back_unless_a_noun_phrase_follows() -> None:
    history = ["I vilken graviditetsvecka görs rutinultraljudet?"]
    for question in ("Måste man betala för det?", "Hur stor del av det får betalas ut?"):
        info = analyse(question, history)
        assert info.followup and "rutinultraljudet" in info.query, question
    earlier = ["Hur många medlemmar har SERN?"]
    for question in (
        "Vilka aktörer ska samarbeta enligt anvisningarna för det civila försvaret?",
        "Vilka frågor lyftes på det nordisk-baltiska kulturministermötet?",
        "Vilka typer av samebyar finns det?",  # a closing "det" after a verb is no object
        "Vad händer om det regnar på midsommar?",  # "om det" opens a condition
    ):
        info = analyse(question, earlier)
        assert not info.followup and info.query == question, question


def test_a_followup_with_no_words_of_its_own_asks_about_the_previous_topic() -> None:
    """'Varför inte?' has nothing to search for but the conversation's topic."""
    info = analyse("Varför inte?", ["Bör man ta ett nytt antikroppsprov efter behandlingen?"])
    assert info.followup and info.kind == "why"
    assert "antikroppsprov" in info.focus_stems and info.context_stems == []
    # A follow-up with words of its own keeps them as its focus, the topic as context.
    info = analyse("Vilka av dem är vilande?", ["Vilka vänorter har Luleå?"])
    assert "vänort" in info.context_stems and "vänort" not in info.focus_stems


def test_the_english_pronoun_i_is_no_name() -> None:
    assert analyse("What should I check if I cannot see any courses in Stimma?").names == ["stimma"]
    # Without a name of its own, an English question with "it" is a follow-up.
    assert analyse("Do I need to pay for it?", ["How do I apply for a permit?"]).followup
    # A capital I inside a name stays part of it.
    assert "i" in analyse("Vem tar över som Coreper I-ambassadör?").names


def test_an_english_that_after_a_noun_phrase_is_no_pointer() -> None:
    """'a household that already exists' opens a relative clause; 'Is that true?' points back."""
    earlier = ["Vilka vänorter har Luleå?"]
    question = "How does the system react if I try to register a household that already exists?"
    assert not analyse(question, earlier).followup
    assert analyse("Is that true?", earlier).followup


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


@pytest.mark.parametrize(
    ("question", "target"),
    [
        ("Vem är ordförande i styrgruppen?", "ordförande"),
        # Right after "vad"/"vem" comes the verb, which documents often word differently; a
        # question about cost is checked for money instead (see features.fits).
        ("Vad kostar medlemskapet?", None),
        ("Vem bestämmer kompetensnivån?", None),
        ("Vilket datum gäller avtalet?", None),
        ("Hur stor budget hade projektet?", "budget"),
        ("Vilken sorts förening är Bottenviksbågen?", "förening"),
        ("Hur många medlemmar har SERN?", "medlemmar"),
    ],
)
def test_target_word_is_what_the_question_asks_about(question: str, target: str | None) -> None:
    assert target_word(question) == target


def test_counted_words() -> None:
    assert counted_words("hur många svenska medlemmar finns i SERN") == ["svenska", "medlemmar"]
    assert counted_words("Hur många har undertecknat den?") == []
    # A passive verb after "hur många" counts people or cases, not a thing it names.
    assert counted_words("Hur många drabbas av anafylaxi per år?") == []
    assert counted_words("Hur många glas vatten?") == ["glas", "vatten"]
    # An English question counts in the Swedish words the documents use; a word the table
    # lacks leaves it wanting any figure.
    assert counted_words("How many residents does Norberg have?", english=True) == ["invånare"]
    assert counted_words("How many national parks are there?", english=True) == []


def test_missing_target_is_detected() -> None:
    vocab = Vocabulary(["Den politiska styrgruppen sammanträder kvartalsvis."])
    info = analyse("Vem är ordförande i den politiska styrgruppen?", vocabulary=vocab)
    assert info.target == "ordförande" and info.target_missing


def test_acronyms_defined_in_the_corpus_are_expanded() -> None:
    vocab = Vocabulary(["Luleå är med i Union of the Baltic Cities (UBC) sedan 2003."])
    assert vocab.aliases == {"ubc": ("union", "baltic", "cities")}
    info = analyse("Sedan när är Luleå med i UBC?", vocabulary=vocab)
    assert "Union Baltic Cities" in info.query
    # A multi-word name is one topic when counting what the corpus lacks.
    assert len(info.name_groups) == 2  # "Luleå", "UBC"


def test_a_missing_verb_weighs_less_than_a_missing_noun() -> None:
    vocab = Vocabulary(["Den politiska styrgruppen sammanträder kvartalsvis."])
    verb = analyse("Hur ofta träffas den politiska styrgruppen?", vocabulary=vocab)
    noun = analyse("Hur stor budget har den politiska styrgruppen?", vocabulary=vocab)
    assert verb.missing == ["träffas"]
    assert noun.missing == ["budget"]
    assert verb.missing_share < noun.missing_share


def test_an_acronym_spells_a_title_with_institution_compounds() -> None:
    from bot.text import abbreviates

    assert abbreviates("VGR", "Riktlinjer för webboptimering – Västra Götalandsregionen")
    assert abbreviates("SKR", "Sveriges Kommuner och Regioner")
    assert not abbreviates("VGR", "Riktlinjer för Region Skåne")
    assert not abbreviates("Kemi", "Kommunens Ekonomiska Mål och Insatser")  # not all capitals


def test_an_acronym_spells_a_name_that_capitalises_its_first_word_only() -> None:
    from bot.text import spells_name

    title = "Mänskliga rättigheter, demokrati och rättsstatens principer i Australien"
    assert spells_name("MR", title)
    assert spells_name("MSB", "Myndigheten för samhällsskydd och beredskap")
    # The run starts at a capitalised word, and the letters must follow each other.
    assert not spells_name("DR", title)
    assert not spells_name("MD", title)
    assert not spells_name("Mr", title)
    # In running prose every sentence opens with a capital: a very common first word names
    # nothing ("En utredning" is no "EU"), a rare one may ("Europeiska unionen").
    assert spells_name("EU", "En utredning visar det.")
    assert not spells_name("EU", "En utredning visar det.", prose=True)
    assert spells_name("EU", "Landet är kandidatland till Europeiska unionen.", prose=True)


def test_a_preposition_before_the_question_word_is_no_yes_no_question() -> None:
    assert question_kind("Genom vad sker samarbetet med Bodö?") != "yesno"
    assert question_kind("Med vilka städer samarbetar kommunen?") == "list"
    assert question_kind("Samarbetar kommunen med Kina?") == "yesno"
    assert question_kind("Tillsammans med vilka skrev ministern brevet?") == "list"
    assert question_kind("According to the minister, what will change?") != "yesno"


def test_a_preamble_does_not_decide_the_kind_of_question() -> None:
    """The question is the last sentence: a statement before it only sets the scene."""
    assert question_kind("Jag får pension. Måste jag göra något för att få stödet?") == "yesno"
    assert question_kind("Regionen pekar ut några stadsdelar. Vilka är de?") == "list"
    assert question_kind("Vad står t.ex. EU för?") == "what"  # an abbreviation ends nothing


def test_a_country_is_mentioned_by_its_adjective_and_a_genitive_by_its_name() -> None:
    from bot.features import name_forms

    assert "svensk" in name_forms("Sverige")
    assert "luleå" in name_forms("Luleås")


def test_what_a_definition_question_asks_about_is_its_head_noun() -> None:
    assert analyse("Vad menas med en bibliografi i Libris söktjänst?").defines == "bibliografi"
    assert analyse("Vad är Union of the Baltic Cities?").defines == "Union of the Baltic Cities"
    assert analyse("Vad innebär lagen för systemet?").defines == "lagen för systemet"


def test_what_a_code_stands_for_may_say_where() -> None:
    info = analyse("Vad står kba för i ett schemanamn?")
    assert info.defines == "kba" and info.spells_out


def test_a_figure_clause_inside_the_question_does_not_decide_its_kind() -> None:
    from bot.questions import question_kind

    # Another question word opens these: the figure phrase is a clause inside them.
    assert question_kind("Till vilken myndighet ska de redovisa hur mycket el de köpt?") == "list"
    assert question_kind("Vilka egenskaper avgör hur stor risken för skador är?") == "list"
    assert question_kind("Av vilka skäl kan arrendatorn deponera beloppet?") == "list"
    # Within the opening phrase the figure word decides.
    assert question_kind("Från hur många anställda måste policyn vara skriftlig?") == "count"
    assert question_kind("Vilket belopp gäller för ansökan?") == "amount"
    assert question_kind("Och hur mycket kostar det?") == "amount"
