"""The matching rules and metrics, on hand-made Answer objects (no model, no index)."""

from __future__ import annotations

import pytest

from bot.answerer import ABSTAIN_TEXT, Answer, Citation
from bot.service import QuestionError
from evals import metrics
from evals.running import run_eval, score_answer
from evals.schema import Item

BODIES = {
    "ubc": "Luleå är medlem i Union of the Baltic Cities sedan 2003.\n\n"
    "Nätverket har 710 000 invånare.",
    "plan": "Vänorter: Kemi, Tromsø och Murmansk.",
}


def cite(doc_id: str, quote: str, n: int = 1) -> Citation:
    return Citation(
        n=n, doc_id=doc_id, title=doc_id, section="", quote=quote, updated="2021", url=None
    )


def answer(text: str, *doc_ids: str, abstained: bool = False, retrieved=None) -> Answer:
    cites = [cite(d, BODIES.get(d, "x")[:20], n) for n, d in enumerate(doc_ids, start=1)]
    return Answer(
        answer=text,
        abstained=abstained,
        citations=cites,
        latency_ms=10.0,
        retrieved=retrieved or [],
    )


def abstain_answer() -> Answer:
    return Answer(answer=ABSTAIN_TEXT, abstained=True, latency_ms=5.0)


def item(**kw) -> Item:
    kw.setdefault("id", "x")
    kw.setdefault("question", "Fråga?")
    return Item(**kw)


def reasons(it: Item, ans: Answer) -> list[str]:
    return score_answer(it, ans, BODIES).reasons


def test_expect_is_case_and_whitespace_insensitive():
    it = item(expect=["710 000", "union of the BALTIC cities"])
    assert reasons(it, answer("Det bor 710000 invånare i Union of the Baltic Cities.")) == []
    assert reasons(item(expect=["710000"]), answer("Det bor 710\u00a0000 där.")) == []
    assert reasons(item(expect=["Tromsø"]), answer("tromsø")) == []
    # A soft hyphen (U+00AD) is invisible: the quoted word is the word expected.
    shy = answer("Uppdraget går till Rätts\u00admedicinal\u00adverket.")
    assert reasons(item(expect=["Rättsmedicinalverket"]), shy) == []


def test_missing_expectation_is_named():
    got = reasons(item(expect=["2003", "Gdansk"]), answer("Sedan 2003."))
    assert got == ['saknar "Gdansk"']


def test_alternatives_any_one_will_do():
    it = item(expect=[["Bodö", "Bodø"], "Murmansk"])
    assert reasons(it, answer("Från Bodø till Murmansk.")) == []
    assert reasons(it, answer("Från Bodö till Murmansk.")) == []
    assert reasons(it, answer("Från Narvik till Murmansk.")) == ['saknar något av "Bodö" / "Bodø"']


def test_forbidden_string_fails_even_when_expectations_hold():
    it = item(expect=["2003"], forbid=["1995", "Ja."])
    assert reasons(it, answer("Ja. Sedan 2003, inte 1995.")) == [
        'förbjudet "1995"',
        'förbjudet "Ja."',
    ]
    assert reasons(it, answer("Sedan 2003.")) == []


def test_a_forbidden_word_is_a_word_of_its_own():
    # A yes/no item forbids the polarity it must not take: "ja" inside "bevilja", "följa" or
    # "påbörjas" is no answer "ja", but a leading "Ja," is.
    no = item(forbid=["ja"])
    assert reasons(no, answer("Nej. Länsstyrelsen kan bevilja tillstånd och följa upp.")) == []
    assert reasons(no, answer("Innan investeringen påbörjas.")) == []
    assert reasons(no, answer("Jag vet inte.")) == []
    assert reasons(no, answer("Ja, det får du.")) == ['förbjudet "ja"']
    # A list item forbidden is found inflected, and whatever the whitespace, but not as the
    # tail of another word.
    part = item(forbid=["protein", "710 000"])
    assert reasons(part, answer("Proteinerna och 710000 invånare.")) == [
        'förbjudet "protein"',
        'förbjudet "710 000"',
    ]
    assert reasons(item(forbid=["turism"]), answer("Ekoturism i fjällen.")) == []


def test_an_expected_yes_or_no_is_said_as_a_word():
    # "ja" inside "bärighetshöjande" answers no yes/no question, nor does the name "Jan"; a
    # fact keeps matching inside a longer word ("Rättsmedicinalverkets").
    yes = item(expect=["ja", "totalförsvarets"])
    assert reasons(yes, answer("Ja. Totalförsvarets behov ska beaktas.")) == []
    assert reasons(yes, answer("Bärighetshöjande åtgärder för totalförsvarets behov.")) == [
        'saknar "ja"'
    ]
    assert reasons(item(expect=[["ja", "yes"]]), answer("Yes, it does.")) == []
    assert reasons(item(forbid=["ja"]), answer("Nej. Jan Eliasson sa det.")) == []
    assert reasons(item(expect=["Rättsmedicinalverket"]), answer("Rättsmedicinalverkets")) == []


def test_sources_need_one_citation_from_the_list():
    it = item(expect=["2003"], sources=["ubc", "other"])
    assert reasons(it, answer("Sedan 2003.", "plan", "ubc")) == []
    got = reasons(it, answer("Sedan 2003.", "plan"))
    assert len(got) == 1 and got[0].startswith("ingen källa från [ubc, other]")
    assert "plan" in got[0]
    assert "inga källor" in reasons(it, answer("Sedan 2003."))[0]
    # No sources listed: any citation, or none, is fine.
    assert reasons(item(expect=["2003"]), answer("Sedan 2003.")) == []


def test_abstain_items():
    it = item(abstain=True, forbid=["grader"])
    assert reasons(it, abstain_answer()) == []
    assert reasons(it, answer("Det blir 20 grader.")) == ["borde ha avstått", 'förbjudet "grader"']
    # Forbidden text counts even in an abstention.
    assert reasons(item(abstain=True, forbid=["framgår"]), abstain_answer()) == [
        'förbjudet "framgår"'
    ]


def test_wrong_abstention_is_one_reason():
    it = item(expect=["2003", "Gdansk"], sources=["ubc"])
    assert reasons(it, abstain_answer()) == ["avstod felaktigt"]


def test_hit_rank_needs_expected_source_with_all_facts():
    retrieved = [
        {"doc_id": "web", "text": "Luleå gick med 2003 i Union of the Baltic Cities."},
        {"doc_id": "plan", "text": "UBC bildades 1991."},
        {"doc_id": "plan", "text": "Luleå är med i UBC sedan 2003, bildat i Gdansk 1991."},
    ]
    assert metrics.hit_rank(["2003"], ["plan"], retrieved) == 3
    assert metrics.hit_rank(["2003"], [], retrieved) == 1
    assert metrics.hit_rank(["2003"], ["plan", "web"], retrieved) == 1
    assert metrics.hit_rank([["1991", "1992"], "gdansk"], ["plan"], retrieved) == 3
    assert metrics.hit_rank(["2004"], ["plan"], retrieved) is None
    # The looser measure: facts may be spread over chunks and sources.
    assert metrics.cover_rank(["2003", "1991"], retrieved) == 2
    assert metrics.cover_rank(["2004"], retrieved) is None


def test_quote_must_be_verbatim():
    assert metrics.quote_problem("sedan 2003.", "ubc", BODIES) is None
    assert "blanksteg" in metrics.quote_problem("sedan  2003.", "ubc", BODIES)
    assert "ordagrant" in metrics.quote_problem("sedan 2004.", "ubc", BODIES)
    assert "finns inte i korpusen" in metrics.quote_problem("x", "nope", BODIES)


def test_percentile():
    assert metrics.percentile([], 50) is None
    assert metrics.percentile([10.0], 95) == 10.0
    assert metrics.percentile([1, 2, 3, 4], 50) == 2.5
    assert metrics.percentile(range(1, 101), 95) == pytest.approx(95.05)


class CannedBot:
    """Returns prepared answers by question; raises for an invalid question like PolicyBot."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        if question == "":
            raise QuestionError("Frågan är tom.")
        return self.answers[question]


def test_run_eval_aggregates_metrics():
    good = Answer(
        answer="Sedan 2003. [1]",
        abstained=False,
        citations=[cite("ubc", "Luleå är medlem i Union of the Baltic Cities sedan 2003.")],
        latency_ms=100.0,
        retrieved=[{"doc_id": "ubc", "text": BODIES["ubc"]}],
    )
    invented = Answer(
        answer="Kemi. [1]",
        abstained=False,
        citations=[cite("plan", "Vänorter: Kemi och Oslo.")],
        latency_ms=300.0,
        retrieved=[{"doc_id": "ubc", "text": "x"}, {"doc_id": "plan", "text": BODIES["plan"]}],
    )
    items = [
        item(id="a", question="q-a", expect=["2003"], sources=["ubc"], tags=["ar"]),
        item(id="b", question="q-b", expect=["Kemi"], sources=["plan"], tags=["lista"]),
        item(id="c", question="q-c", abstain=True, tags=["utanfor"]),
        item(id="d", question="q-d", expect=["Kemi"], tags=["lista"]),
        item(id="e", question="", expect=["x"], tags=["lista"]),
    ]
    bot = CannedBot(
        {"q-a": good, "q-b": invented, "q-c": abstain_answer(), "q-d": abstain_answer()}
    )
    result = run_eval(bot, items, BODIES, warm_up=False)
    by_id = {r.item.id: r for r in result.items}
    assert [r.passed for r in result.items] == [True, True, True, False, False]
    assert by_id["d"].reasons == ["avstod felaktigt"]
    assert by_id["e"].reasons[0].startswith("ogiltig fråga")
    s = result.summary
    assert (s["items"], s["passed"], s["pass_rate"]) == (5, 3, 0.6)
    # Abstained on c (right) and d (wrong): precision 1/2; the one that should, did: recall 1.
    assert s["abstention_precision"] == 0.5
    assert s["abstention_recall"] == 1.0
    # Hit@k over the four answerable items: a at rank 1, b at rank 2, d and e none.
    assert s["hit_at"] == {"1": 0.25, "3": 0.5, "5": 0.5}
    assert (s["citations"], s["citations_valid"]) == (2, 1)
    assert result.invalid_citations[0]["id"] == "b"
    # Latencies 5, 5, 100, 300 (the invalid question has none).
    assert s["latency_p50_ms"] == 52.5
    assert s["latency_p95_ms"] == 270.0
    assert result.per_tag["lista"] == {"items": 3, "passed": 1, "pass_rate": pytest.approx(1 / 3)}
    data = result.to_dict()
    assert set(data["items"][0]) >= {
        "id", "question", "history", "passed", "reasons", "answer", "abstained",
        "citations", "latency_ms", "tags", "hit_rank",
    }  # fmt: skip
