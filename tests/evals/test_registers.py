"""The gold registers: their format, and that every reference they make holds."""

from pathlib import Path

import pytest

from config.settings import REPOSITORY
from evals.loading import document_paths
from evals.registers import check, load
from evals.schema import EvalFormatError
from ingest.headings import trail_at, trails
from ingest.loaders import SourceDocument, discover, load_file

REGISTERS = REPOSITORY / "evals" / "register"


def _doc(body: str, doc_id: str = "plan") -> SourceDocument:
    return SourceDocument(doc_id, "Plan", "2021-01-01", "plan", None, body, f"{doc_id}.md")


def test_trails_follow_heading_levels() -> None:
    body = "# Plan\n\nIntro.\n\n## Nätverk\n\n### UBC\n\nText om UBC.\n\n## Vänorter\n\nKemi.\n"
    assert [t for _, _, t in trails(body)] == [
        "Plan",
        "Plan > Nätverk",
        "Plan > Nätverk > UBC",
        "Plan > Vänorter",
    ]
    marks = trails(body)
    assert trail_at(marks, body.index("Text om UBC")) == "Plan > Nätverk > UBC"
    assert trail_at(marks, body.index("Kemi")) == "Plan > Vänorter"
    assert trail_at(marks, 0) == "Plan" and trail_at(trails("Inget rubrik."), 3) == ""


def test_the_luleå_register_holds_against_its_documents() -> None:
    register = load(REGISTERS / "lulea.yaml")
    docs = {d.doc_id: d for d in (load_file(p) for p in discover(REPOSITORY / "corpus"))}
    assert len(register.rows) >= 20
    assert check(register, docs) == []
    twins = {r.name: r.cells.get("status") for r in register.rows if r.type == "twin town"}
    assert len(twins) == 6
    assert {n for n, s in twins.items() if s and s.value == "dormant"} == {
        "Zenica",
        "Puerto Cabezas",
    }


def test_the_second_register_names_shared_documents_without_quoting_them() -> None:
    register = load(REGISTERS / "internationellt.yaml")
    paths = document_paths()
    assert register.documents and set(register.documents) <= set(paths)
    docs = {i: load_file(paths[i]) for i in register.documents}
    assert check(register, docs) == []
    refs = [c for r in register.rows for c in r.cells.values()] + [r.source for r in register.rows]
    assert all(ref.quote is None for ref in refs)


def test_a_wrong_quote_or_section_is_named(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        """rows:
  - name: UBC
    aliases: []
    owner: Luleå kommun
    type: network
    source: {doc: plan, section: "Plan > Nätverk > UBC"}
    cells:
      since: {value: "2003", doc: plan, section: "Plan > Nätverk > UBC", quote: "sedan 2004"}
      status: {value: active, doc: plan, section: "Plan > Vänorter", quote: "Text om UBC."}
      role: {value: x, doc: annan, section: "Plan"}
""",
        encoding="utf-8",
    )
    body = "# Plan\n\n## Nätverk\n\n### UBC\n\nText om UBC.\n\n## Vänorter\n\nKemi.\n"
    problems = check(load(tmp_path / "r.yaml"), {"plan": _doc(body)})
    assert problems == [
        "UBC / since: citatet står inte ordagrant i plan",
        "UBC / status: citatet står under 'Plan > Nätverk > UBC'",
        "UBC / role: dokumentet annan finns inte",
    ]


def test_a_bad_type_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "rows:\n  - {name: X, aliases: [], owner: Y, type: club, source: {doc: d, section: s},"
        " cells: {}}\n",
        encoding="utf-8",
    )
    with pytest.raises(EvalFormatError, match=r"bad\.yaml: rows\.0\.type"):
        load(path)
