"""Topic switches: which questions are asked after which, and that nothing else changes."""

from __future__ import annotations

from evals.schema import Item
from evals.switches import SUFFIX, TAG, switched


def _item(id_: str, sources: list[str], file: str = "a.yaml", **kw) -> Item:
    return Item(id=id_, question=f"Fråga {id_}?", sources=sources, file=file, **kw)


def test_each_answerable_question_follows_one_about_other_documents() -> None:
    items = [
        _item("x1", ["x"]),
        _item("x2", ["x", "y"]),
        _item("y1", ["y"]),
        _item("z1", ["z"], expect=["2005"], tags=["ar"]),
        _item("fu", ["z"], history=["Fråga z1?"]),  # a follow-up keeps its own history
        _item("nej", [], abstain=True),  # nothing to pass as it would alone
        _item("w1", ["w"], file="b.yaml"),  # alone in its file: no unrelated question
    ]
    out = switched(items)
    by_id = {i.id.removesuffix(SUFFIX): i for i in out}
    assert set(by_id) == {"x1", "x2", "y1", "z1"}
    sources = {i.question: set(i.sources) for i in items}
    for orig in items:
        if orig.id not in by_id:
            continue
        got = by_id[orig.id]
        assert got.id == orig.id + SUFFIX and got.tags == [*orig.tags, TAG]
        (earlier,) = got.history
        assert not sources[earlier] & set(orig.sources)  # about other documents
        assert earlier != orig.question
        # What the answer must hold is the question's own.
        assert (got.question, got.expect, got.forbid, got.sources, got.abstain) == (
            orig.question,
            orig.expect,
            orig.forbid,
            orig.sources,
            orig.abstain,
        )
    # x2 cites x and y, so only z1 is unrelated to it.
    assert by_id["x2"].history == ["Fråga z1?"]


def test_the_draw_is_seeded() -> None:
    items = [_item(f"q{n}", [f"d{n}"]) for n in range(30)]
    assert switched(items) == switched(items)
    assert [i.history for i in switched(items, seed=1)] != [i.history for i in switched(items)]
