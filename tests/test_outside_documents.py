"""Guard: no document from outside is committed except the municipality's own corpus/.

Other bodies' documents are data in ../shared/ (README, "Eval documents"). A document is a
file with YAML front matter; it is from outside when its `url:` names a real host. Made-up
fixtures use reserved names (example.org, RFC 2606), which this guard lets through.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import yaml

REPO = Path(__file__).resolve().parent.parent
# Hosts reserved for examples and tests (RFC 2606 / RFC 6761): a fixture's url points there.
RESERVED = ("example.org", "example.com", "example.net", "localhost")
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")
TEXT_SUFFIXES = (".md", ".txt", ".html", ".htm", ".markdown")


def committed_files(root: Path) -> list[Path]:
    """The files git tracks under root (every file when root is not a git work tree)."""
    run = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, text=True, check=False
    )
    if run.returncode == 0 and run.stdout:
        return [root / p for p in run.stdout.split("\0") if p]
    return [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


def outside_url(path: Path) -> str | None:
    """The front matter's url when it names a real host; None for anything else."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("---"):
        return None
    head, sep, _ = text[3:].partition("\n---")
    if not sep:
        return None
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError:
        return None
    url = meta.get("url") if isinstance(meta, dict) else None
    if not isinstance(url, str):
        return None
    host = (urlsplit(url.strip()).hostname or "").lower()
    if not host or host in RESERVED or host.endswith(RESERVED_SUFFIXES):
        return None
    if any(host.endswith("." + r) for r in RESERVED):
        return None
    return url


def violations(root: Path) -> list[str]:
    """Committed documents from outside anywhere but corpus/, and anything under an eval
    set's corpus/ or raw/ folder; each as 'path: why'."""
    found = []
    for path in sorted(committed_files(root)):
        rel = path.relative_to(root)
        parts = rel.parts
        if parts[0] == "evals" and ("corpus" in parts[:-1] or "raw" in parts[:-1]):
            found.append(f"{rel}: eval documents belong in ../shared/evals-corpora/")
            continue
        if parts[0] == "corpus" or path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        url = outside_url(path)
        if url:
            found.append(f"{rel}: a document from outside ({url}) belongs in ../shared/")
    return found


def test_no_document_from_outside_is_committed() -> None:
    assert violations(REPO) == []


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "corpus").mkdir(parents=True)
    (root / "tests" / "fixtures").mkdir(parents=True)
    (root / "corpus" / "plan.md").write_text(
        "---\nid: plan\ntitle: Plan\nurl: https://www.lulea.se/plan\n---\n\n# Plan\n",
        encoding="utf-8",
    )
    (root / "tests" / "fixtures" / "made-up.md").write_text(
        "---\nid: x\ntitle: X\nurl: https://example.org/x\n---\n\nText.\n", encoding="utf-8"
    )
    return root


def test_the_guard_lets_the_own_corpus_and_made_up_fixtures_through(tmp_path: Path) -> None:
    assert violations(_repo(tmp_path)) == []


def test_the_guard_finds_a_planted_copy(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    planted = root / "tests" / "fixtures" / "copied.md"
    planted.write_text(
        "---\nid: copied\ntitle: Riktlinje\nurl: https://github.com/some-agency/docs/blob/abc/"
        "riktlinje.md\n---\n\nText.\n",
        encoding="utf-8",
    )
    eval_copy = root / "evals" / "external" / "ny" / "corpus" / "doc.md"
    eval_copy.parent.mkdir(parents=True)
    eval_copy.write_text("Vilken text som helst.\n", encoding="utf-8")
    raw = root / "evals" / "external" / "ny" / "raw" / "source.txt"
    raw.parent.mkdir(parents=True)
    raw.write_text("Källtext.\n", encoding="utf-8")
    got = violations(root)
    assert len(got) == 3
    assert got[0].startswith(str(Path("evals/external/ny/corpus/doc.md")))
    assert got[1].startswith(str(Path("evals/external/ny/raw/source.txt")))
    assert got[2].startswith(str(Path("tests/fixtures/copied.md")))
    assert "github.com" in got[2]
