"""Property: every citation quotes its document verbatim, for generated documents and questions.

The extractive answerer runs over a snapshot of generated documents with the fake hashing
embedding of tests/bot/fakes.py (a unit test: no model, no store).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.bot.fakes import ask, snapshot
from tests.markdown_strategies import WORDS, documents

# The kinds of question the answerer tells apart, each with slots for words.
TEMPLATES = [
    "Vad är {0}?",
    "Vad är {0} {1}?",
    "Vilka {0} har {1}?",
    "Vilka {0} finns i {1} {2}?",
    "Har {0} {1}?",
    "Har {0} någon {1} {2}?",
    "När {0} {1}?",
    "När började {0} med {1}?",
    "Hur många {0} har {1}?",
    "Vem ansvarar för {0}?",
    "Berätta om {0} och {1}.",
    "{0} {1} {2}",
]
RANDOM_WORDS = ["Kina", "Austin", "budget", "skola", "Zenica", "vänort", "xyzzy", "2035", "UBC"]


@st.composite
def corpus_and_question(draw):
    """One to three documents, and a question (with an optional history) from their words."""
    bodies = [d.body for d in draw(st.lists(documents(max_blocks=8), min_size=1, max_size=3))]
    own = sorted({w for body in bodies for w in re.findall(r"\w{2,}", body)})
    word = st.one_of(st.sampled_from(own), st.sampled_from(RANDOM_WORDS), st.sampled_from(WORDS))
    template = draw(st.sampled_from(TEMPLATES))
    question = template.format(*(draw(word) for _ in range(3)))
    history = draw(
        st.lists(
            st.builds(lambda t, a, b: t.format(a, b, a), st.sampled_from(TEMPLATES), word, word),
            max_size=2,
        )
    )
    return bodies, question, history


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_question())
# A reference to a footnote the document never defines ("[^2]"): the fetch of its footnote
# units finds none, which must not fail the answer.
@example(
    (
        ["# Plan\n\nKommunen har en plan.\n\n[^1]: Kommunen kommunen[^1] kommunen[^2]."],
        "Vad är Kommunen?",
        [],
    )
)
def test_every_citation_quotes_its_document_verbatim(case) -> None:
    bodies, question, history = case
    _, answer = ask(snapshot(*bodies), question, history)
    event("abstained" if answer.abstained else f"answered, {len(answer.citations)} citation(s)")
    assert answer.abstained == (not answer.citations), answer.answer
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        body = bodies[int(citation.doc_id.removeprefix("doc"))]
        assert citation.quote.strip(), answer.answer
        assert citation.quote in body, (citation.quote, body)
        assert f"[{citation.n}]" in answer.answer
