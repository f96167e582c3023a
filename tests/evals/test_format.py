"""The eval file format: what load_items accepts, and the errors it gives for what it does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import DEFAULT_CORPUS
from evals.loading import DEFAULT_SETS, load_corpus, load_items
from evals.schema import EvalFormatError, Item

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, text: str, name: str = "set.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_item_and_defaults(tmp_path):
    path = write(
        tmp_path,
        """
- id: ubc-medlem-sedan
  question: Sedan när är Luleå med i Union of the Baltic Cities?
  history: []
  expect: ["2003", [Bodö, Bodø]]
  forbid: ["1995"]
  sources: [internationella-organisationer, plan-internationellt-arbete]
  abstain: false
  tags: [medlemskap]
- id: kort
  question: Bara en fråga?
""",
    )
    first, second = load_items([path])
    assert first.expect == ["2003", ["Bodö", "Bodø"]]
    assert first.sources == ["internationella-organisationer", "plan-internationellt-arbete"]
    assert first.file == str(path)
    assert (second.history, second.expect, second.forbid, second.sources, second.tags) == (
        [],
        [],
        [],
        [],
        [],
    )
    assert second.abstain is False


def test_unquoted_years_and_dates_are_taken_as_written(tmp_path):
    path = write(tmp_path, "- id: a\n  question: När?\n  expect: [2003, 2019-04-23]\n")
    assert load_items(path)[0].expect == ["2003", "2019-04-23"]


def test_folders_expand_to_their_yaml_files(tmp_path):
    write(tmp_path, "- id: a\n  question: A?\n", "a.yaml")
    write(tmp_path, "- id: b\n  question: B?\n", "b.yml")
    write(tmp_path, "not an eval set", "notes.txt")
    assert [i.id for i in load_items([tmp_path])] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("- id: a\n  expect: [x]\n", ["fråga 'a'", "saknar question"]),
        ("- id: a\n  question: ''\n", ["fråga 'a'", "question", "tom"]),
        ("- question: Vad?\n", ["fråga nr 1", "saknar id"]),
        ("- id: a\n  question: Q?\n  expects: [x]\n", ["fråga 'a'", "'expects'", "'expect'"]),
        ("- id: a\n  question: Q?\n  expect: 2003\n", ["fråga 'a'", "expect ska vara en lista"]),
        ("- id: a\n  question: Q?\n  expect: [{x: 1}]\n", ["fråga 'a'", "expect[0]", "sträng"]),
        ("- id: a\n  question: Q?\n  expect: [[]]\n", ["expect[0]", "alternativ"]),
        ("- id: a\n  question: Q?\n  forbid: [1.5]\n", ["forbid[0]", "citattecken"]),
        ("- id: a\n  question: Q?\n  abstain: ja\n", ["fråga 'a'", "abstain"]),
        ("- id: a\n  question: Q?\n  abstain: true\n  expect: [x]\n", ["fråga 'a'", "abstain"]),
        ("- id: a\n  question: Q?\n  tags: medlemskap\n", ["tags ska vara en lista"]),
        ("- id: a\n  question: Q?\n  history: [[a]]\n", ["history[0]"]),
        ("id: a\nquestion: Q?\n", ["YAML-lista"]),
        ("", ["tom"]),
        ("- id: a\n  question: [unclosed\n", ["ogiltig YAML"]),
        ("- just a string\n", ["fråga nr 1", "mappning"]),
    ],
)
def test_malformed_items_name_file_and_item(tmp_path, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(EvalFormatError) as err:
        load_items([path])
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_duplicate_ids_are_rejected_across_files(tmp_path):
    a = write(tmp_path, "- id: same\n  question: A?\n", "a.yaml")
    b = write(tmp_path, "- id: other\n  question: B?\n- id: same\n  question: C?\n", "b.yaml")
    with pytest.raises(EvalFormatError) as err:
        load_items([a, b])
    assert "'same'" in str(err.value)
    assert str(a) in str(err.value) and str(b) in str(err.value)
    with pytest.raises(EvalFormatError, match="samma fil"):
        load_items([write(tmp_path, "- id: s\n  question: A?\n- id: s\n  question: B?\n")])


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(EvalFormatError, match="finns inte"):
        load_items([tmp_path / "nope.yaml"])


def test_shipped_eval_sets_are_valid_and_cite_real_documents():
    items = load_items([])  # no files: evals/sets/
    assert {Path(i.file).parent for i in items} == {DEFAULT_SETS}
    assert len(items) >= 100
    assert any(i.abstain for i in items) and any(i.history for i in items)
    docs, warnings = load_corpus(DEFAULT_CORPUS)
    assert not warnings
    unknown = {s for i in items for s in i.sources} - set(docs)
    assert not unknown, f"eval sets cite documents that are not in the corpus: {unknown}"


def test_fixture_eval_set_is_valid():
    items = load_items([FIXTURES / "evals.yaml"])
    docs, _ = load_corpus(FIXTURES / "corpus")
    assert {s for i in items for s in i.sources} <= set(docs)


def test_schema_reports_every_problem_of_an_item_with_its_location(tmp_path):
    path = write(tmp_path, "- id: a\n  question: Q?\n  expect: [[Bodö, 1.5]]\n  tags: x\n")
    with pytest.raises(EvalFormatError) as err:
        load_items([path])
    message = str(err.value)
    assert message.startswith(f"{path}: fråga 'a': ")
    assert "expect[0][1]: ska vara en sträng" in message
    assert "tags ska vara en lista" in message


def test_file_is_set_by_the_loader_not_by_the_yaml(tmp_path):
    path = write(tmp_path, "- id: a\n  question: Q?\n  file: other.yaml\n")
    with pytest.raises(EvalFormatError, match="okänd nyckel 'file'"):
        load_items([path])
    # Built in Python, an item may hold what a file may not (tests ask empty questions).
    assert Item(id="a", question="").question == ""
    with pytest.raises(ValidationError):
        Item(id="a", question="Q?", expects=["x"])
    assert Item(id="a", question="Q?", tags=["x", "x"]).tags == ["x"]
