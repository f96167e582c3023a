"""Properties of chunking and incremental ingest on generated Markdown-ish Swedish documents."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from config.settings import Settings
from ingest.chunking import build_units_and_chunks, to_documents
from ingest.indexer import ingest
from ingest.loaders import SourceDocument
from ingest.store import make_vector_store
from tests.bot.fakes import HashingEmbeddings
from tests.markdown_strategies import GeneratedDoc, documents

# deadline=None: the machine is shared, and a slow example is not a failure here.
CHUNKING = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


@settings(CHUNKING, max_examples=60)
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


# -- incremental ingest ------------------------------------------------------------------------

NAMES = ["plan", "sida", "beslut", "bilaga"]
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.sampled_from(NAMES), documents(max_blocks=6)),
        st.tuples(st.just("remove"), st.sampled_from(NAMES)),
        st.tuples(st.just("ingest")),
    ),
    min_size=1,
    max_size=10,
)


def _write(corpus: Path, name: str, doc: GeneratedDoc) -> None:
    front = f"---\ntitle: {name.capitalize()}\nupdated: 2024-01-01\nkind: dokument\n---\n"
    (corpus / f"{name}.md").write_text(front + doc.body, encoding="utf-8", newline="")


def _stored(settings: Settings) -> list[tuple[str, str, str]]:
    """(id, text, metadata as JSON) of everything in the store, sorted."""
    got = make_vector_store(settings, HashingEmbeddings()).get(include=["documents", "metadatas"])
    rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    return sorted((i, t, json.dumps(m, sort_keys=True)) for i, t, m in rows)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(st.sampled_from(NAMES), documents(max_blocks=6)), OPERATIONS)
def test_incremental_ingest_equals_a_clean_ingest(first, operations) -> None:
    """Any sequence of writes (adds and changes), removals and ingests, then a last ingest,
    leaves the store exactly as a clean ingest of the final corpus does (same ids, texts and
    metadata; none volatile, as the front matter fixes title and date). Real Chroma and record
    manager in temporary folders, but the fake hashing embedding of tests/bot/fakes.py, so that
    many sequences run quickly."""
    with tempfile.TemporaryDirectory(prefix="policybot-prop-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir()
        incremental = Settings(data_dir=root / "incremental", corpus_dir=corpus)
        clean = Settings(data_dir=root / "clean", corpus_dir=corpus)
        _write(corpus, *first)
        for op in [("ingest",), *operations]:
            files = sorted(corpus.iterdir())
            if op[0] == "write":
                _write(corpus, op[1], op[2])
            elif op[0] == "remove" and len(files) > 1:  # an empty corpus is refused
                (corpus / f"{op[1]}.md").unlink(missing_ok=True)
            elif op[0] == "ingest":
                assert not ingest(
                    incremental, embeddings=HashingEmbeddings(), progress=False
                ).errors
        ingest(incremental, embeddings=HashingEmbeddings(), progress=False)
        ingest(clean, embeddings=HashingEmbeddings(), progress=False)
        got, want = _stored(incremental), _stored(clean)
        assert got == want
        texts = [(t, m) for _, t, m in got]
        assert len(texts) == len(set(texts))  # no record twice
