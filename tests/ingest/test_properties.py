"""Properties of chunking and incremental ingest on generated Markdown-ish Swedish documents."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.chunking import build_units_and_chunks, to_documents
from ingest.loaders import SourceDocument
from tests.markdown_strategies import GeneratedDoc, documents

CHUNKING = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _source(body: str, doc_id: str = "doc") -> SourceDocument:
    return SourceDocument(doc_id, "Dokument", "2024-01-01", "dokument", None, body, "")


@CHUNKING
@given(documents(), st.sampled_from([80, 300, 700]))
# Found by this property: a form feed inside a line made the chunker read the rest of the line
# as a heading (str.splitlines), so that text was in no unit.
@example(GeneratedDoc("Kommunen kommunen[^1]\x0c# kommunen.", ()), 80)
def test_units_cover_every_character_of_the_body_once(doc: GeneratedDoc, max_chars: int) -> None:
    """The units' spans are disjoint, in order, and cover every non-whitespace character of the
    body except those of heading lines (which go to the section trail), and nothing of those."""
    body = doc.body
    units = [u for chunk in build_units_and_chunks(body, max_chars) for u in chunk.units]
    covered: list[int] = []
    for before, after in zip(units, units[1:], strict=False):
        assert before.end <= after.start, (body[before.start : before.end], body[after.start :])
    for unit in units:
        assert 0 <= unit.start < unit.end <= len(body)
        covered += [i for i in range(unit.start, unit.end) if not body[i].isspace()]
    in_headings = {i for start, end in doc.headings for i in range(start, end)}
    expected = [i for i, ch in enumerate(body) if not ch.isspace() and i not in in_headings]
    missing = sorted(set(expected) - set(covered))
    extra = sorted(set(covered) - set(expected))
    assert not missing, f"lost: {[body[i] for i in missing]!r} in {body!r}"
    assert not extra, f"heading text in a unit: {[body[i] for i in extra]!r} in {body!r}"
    assert covered == expected  # in order, each once


@CHUNKING
@given(documents(), st.sampled_from([80, 700]))
def test_chunks_hold_their_units_verbatim(doc: GeneratedDoc, max_chars: int) -> None:
    """Every chunk spans exactly its units, chunks do not overlap, and every stored text is the
    verbatim body slice after its section prefix, in unit order."""
    body = doc.body
    chunks = build_units_and_chunks(body, max_chars)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.end <= after.start
    for chunk in chunks:
        assert chunk.units and chunk.start == chunk.units[0].start
        assert chunk.end == chunk.units[-1].end
    stored = to_documents(_source(body), max_chars)
    units = [d for d in stored if d.metadata["level"] == "unit"]
    assert [d.metadata["order"] for d in units] == list(range(len(units)))
    for d in stored:
        meta = d.metadata
        assert d.page_content[meta["prefix_len"] :] == body[meta["start"] : meta["end"]]
