"""Gold registers (evals/register/): their format, and a check of every reference they make.

A gold register lists the memberships, networks, partnerships, agreements and twin towns a
corpus names as its owner's own, with the cells the documents fill (FORMAT.md beside them).
check() confirms that every document exists, every section is a real heading trail and every
quote is verbatim inside its section, so that the register builder is scored against facts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from evals.schema import EvalFormatError
from ingest.headings import trail_at, trails
from ingest.loaders import SourceDocument

CellName = Literal["since", "status", "purpose", "members", "role"]


class Ref(BaseModel):
    """Where a value stands: a document, its heading trail, and (quoted files) its words."""

    model_config = ConfigDict(extra="forbid")

    doc: str
    section: str
    quote: str | None = None


class Cell(Ref):
    value: str | list[str]


class Conflict(Cell):
    cell: CellName


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    aliases: list[str]
    owner: str
    type: Literal["organisation", "network", "twin town", "agreement", "partnership"]
    source: Ref
    cells: dict[CellName, Cell]
    conflicts: list[Conflict] = []
    note: str | None = None


class GoldRegister(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corpus: str | None = None  # a folder of the repository
    documents: list[str] | None = None  # or document ids in ../shared/corpora/
    rows: list[Row]


def load(path: Path) -> GoldRegister:
    """The gold register in path; EvalFormatError names the file and what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return GoldRegister.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise EvalFormatError(f"{path}: kan inte läsas: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise EvalFormatError(f"{path}: {where}: {first['msg']}") from exc


def check(register: GoldRegister, documents: dict[str, SourceDocument]) -> list[str]:
    """Every problem with the register's references, each naming the row and the cell."""
    problems = []
    marks = {doc_id: trails(doc.body) for doc_id, doc in documents.items()}
    for row in register.rows:
        refs: list[tuple[str, Ref]] = [("källa", row.source)]
        refs += [(name, cell) for name, cell in row.cells.items()]
        refs += [(f"konflikt {c.cell}", c) for c in row.conflicts]
        for label, ref in refs:
            where = f"{row.name} / {label}"
            doc = documents.get(ref.doc)
            if doc is None:
                problems.append(f"{where}: dokumentet {ref.doc} finns inte")
                continue
            if ref.section not in {t for _, _, t in marks[ref.doc]}:
                problems.append(f"{where}: {ref.doc} har inget avsnitt {ref.section!r}")
            if ref.quote is None:
                continue
            at = doc.body.find(ref.quote)
            if at < 0:
                problems.append(f"{where}: citatet står inte ordagrant i {ref.doc}")
            elif (found := trail_at(marks[ref.doc], at)) != ref.section:
                problems.append(f"{where}: citatet står under {found!r}")
    return problems
