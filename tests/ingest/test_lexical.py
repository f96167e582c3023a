"""The lexical index that ingest saves beside the store: round trip, atomic save, pruning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.lexical import LexicalIndex, prune
from ingest.textnorm import CorpusStats, index_stems, stem

CHUNKS = [
    {"key": "plan#0", "content": "Vänorter\nLuleå har sex vänorter.", "doc_id": "plan"},
    {"key": "plan#1", "content": "Nätverk\nLuleå är medlem i UBC.", "doc_id": "plan"},
    {
        "key": "sida#0",
        "content": "Union of the Baltic Cities (UBC) samlar städer.",
        "doc_id": "sida",
    },
]
for c in CHUNKS:
    c["text"] = c["content"].split("\n", 1)[-1]


def _index(generation: str = "g1") -> LexicalIndex:
    vectors = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    units = [c["text"] for c in CHUNKS]
    ids = {c["key"]: [f"id-{c['key']}"] for c in CHUNKS}
    return LexicalIndex.build(generation, CHUNKS, units, vectors, ids)


def test_saved_index_loads_with_the_same_scores_and_statistics(tmp_path: Path) -> None:
    built = _index()
    built.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, "g1")
    assert loaded is not None
    assert loaded.chunk_keys == built.chunk_keys == ["plan#0", "plan#1", "sida#0"]
    query = index_stems("vänorter Luleå")
    np.testing.assert_allclose(loaded.scores(query), built.scores(query))
    assert loaded.scores(query).argmax() == 0
    assert loaded.stats == built.stats
    assert loaded.record_ids == built.record_ids == {c["key"]: [f"id-{c['key']}"] for c in CHUNKS}
    assert loaded.stats.aliases == {"ubc": ("union", "baltic", "cities")}
    q = np.ones(8, dtype=np.float32)
    assert loaded.dense_stats(q) == pytest.approx(built.dense_stats(q))


def test_statistics_round_trip_through_json() -> None:
    stats = CorpusStats.build(
        [c["content"] for c in CHUNKS],
        [c["doc_id"] for c in CHUNKS],
        [c["text"] for c in CHUNKS],
        [c["text"] for c in CHUNKS],
    )
    assert CorpusStats.from_json(stats.to_json()) == stats
    assert stats.n_units == 3 and stats.unit_df[stem("luleå")] == 2


def test_a_missing_or_other_format_index_is_none_and_pruning_keeps_the_current(
    tmp_path: Path,
) -> None:
    assert LexicalIndex.load(tmp_path, "g1") is None
    _index("g1").save(tmp_path)
    _index("g2").save(tmp_path)
    (tmp_path / "g2" / "index.json").write_text('{"format": 0}', "utf-8")
    assert LexicalIndex.load(tmp_path, "g2") is None
    prune(tmp_path, keep="g1")
    assert [p.name for p in tmp_path.iterdir()] == ["g1"]


def test_a_failed_save_leaves_no_half_written_folder(tmp_path: Path, monkeypatch) -> None:
    index = _index("g3")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", fail)
    with pytest.raises(OSError):
        index.save(tmp_path)
    assert list(tmp_path.iterdir()) == []
