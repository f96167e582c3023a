"""The gold register of public bodies' own ties in evals/register/kommuner.yaml."""

from config.settings import REPOSITORY
from evals.loading import document_paths
from evals.registers import check, load
from ingest.loaders import load_file

REGISTER = REPOSITORY / "evals" / "register" / "kommuner.yaml"


def test_the_kommuner_register_holds_against_shared_documents_without_quotes() -> None:
    register = load(REGISTER)
    paths = document_paths()
    assert register.corpus is None and register.documents
    assert set(register.documents) <= set(paths)
    docs = {i: load_file(paths[i]) for i in register.documents}
    assert check(register, docs) == []
    refs = [c for r in register.rows for c in r.cells.values()] + [r.source for r in register.rows]
    refs += [c for r in register.rows for c in r.conflicts]
    assert all(ref.quote is None for ref in refs)
    assert {r.source.doc for r in register.rows} <= set(register.documents)


def test_the_kommuner_register_spans_owners_and_keeps_values_short() -> None:
    register = load(REGISTER)
    assert len({r.owner for r in register.rows}) >= 3
    assert 12 <= len(register.rows) <= 30
    for row in register.rows:
        purpose = row.cells.get("purpose")
        if purpose is not None:
            assert isinstance(purpose.value, str) and len(purpose.value.split()) <= 8, row.name
        since = row.cells.get("since")
        if since is not None:
            assert isinstance(since.value, str) and since.value.isdigit(), row.name
        status = row.cells.get("status")
        if status is not None:
            assert status.value in {"active", "dormant", "ended"}, row.name
