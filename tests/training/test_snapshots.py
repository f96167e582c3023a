"""Training documents written from repository snapshots: checked by sha256, never half-written."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from evals.loading import document_paths
from training.snapshots import (
    Snapshot,
    SnapshotError,
    digest,
    load_manifest,
    markdown,
    materialise,
)

PAGE = "# Uppdrag om laddinfrastruktur\n\nRegeringen ger Energimyndigheten i uppdrag att ...\n"


def _mirror(root: Path) -> tuple[Path, str]:
    """A real git repository laid out as fetch leaves a mirror: <root>/<owner>+<name>/repo."""
    work = root / "work"
    work.mkdir()
    (work / "regeringsuppdrag").mkdir()
    (work / "regeringsuppdrag" / "sida.md").write_text(PAGE, encoding="utf-8")

    def git(*args: str, cwd: Path = work) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "sida")
    commit = git("rev-parse", "HEAD")
    target = root / "mirrors" / "owner+name" / "repo"
    target.parent.mkdir(parents=True)
    git("clone", "-q", "--bare", str(work), str(target), cwd=root)
    return root / "mirrors", commit


def _snapshot(commit: str) -> Snapshot:
    snap = Snapshot(
        id="regeringen-202208-uppdrag-om-laddinfrastruktur-abc123",
        folder="regeringen",
        repo="owner/name",
        commit=commit,
        path="regeringsuppdrag/sida.md",
        sha256="",
        title="Uppdrag om laddinfrastruktur: ledtider",
        updated="2022-08-01",
        url="https://www.regeringen.se/regeringsuppdrag/2022/08/sida/",
    )
    return replace(snap, sha256=digest(markdown(snap, PAGE)))


def test_a_listed_page_is_written_with_its_front_matter_and_its_text_unchanged(tmp_path) -> None:
    mirrors, commit = _mirror(tmp_path)
    snap = _snapshot(commit)
    (path,) = materialise([snap], tmp_path / "out", mirrors)
    text = path.read_text(encoding="utf-8")
    assert path == tmp_path / "out" / "regeringen" / f"{snap.id}.md"
    assert text.endswith("---\n" + PAGE)
    assert "title: 'Uppdrag om laddinfrastruktur: ledtider'" in text  # a colon stays YAML-safe
    assert digest(text) == snap.sha256
    # What the shared documents' loader reads: the file is found by its id.
    assert document_paths(tmp_path / "none", tmp_path / "none", tmp_path / "out") == {snap.id: path}


def test_a_text_that_differs_from_the_listed_sha256_is_refused_and_nothing_is_written(
    tmp_path,
) -> None:
    mirrors, commit = _mirror(tmp_path)
    snap = replace(_snapshot(commit), sha256="0" * 64)
    with pytest.raises(SnapshotError, match=snap.id):
        materialise([snap], tmp_path / "out", mirrors)
    assert not list((tmp_path / "out").rglob("*.md"))


def test_a_missing_mirror_names_the_repository_to_fetch(tmp_path) -> None:
    snap = _snapshot("0" * 40)
    with pytest.raises(SnapshotError, match=r"fetch github:owner/name"):
        materialise([snap], tmp_path / "out", tmp_path / "no-mirrors")


def test_a_file_already_written_right_is_kept_without_the_mirror(tmp_path) -> None:
    mirrors, commit = _mirror(tmp_path)
    snap = _snapshot(commit)
    (path,) = materialise([snap], tmp_path / "out", mirrors)
    assert materialise([snap], tmp_path / "out", tmp_path / "no-mirrors") == [path]


def test_the_committed_list_names_each_page_once_with_its_commit_and_sha256() -> None:
    snaps = load_manifest()
    assert len(snaps) >= 100
    assert len({s.id for s in snaps}) == len(snaps)
    assert len({(s.repo, s.path) for s in snaps}) == len(snaps)
    for s in snaps:
        assert re.fullmatch(r"[0-9a-f]{40}", s.commit) and re.fullmatch(r"[0-9a-f]{64}", s.sha256)
        assert s.id.startswith(s.folder + "-") and s.url.startswith("https://")
    # A page of its own, never one of ../shared's under another name or the same name.
    shared = document_paths(snapshots=Path("/nonexistent"))
    assert not {s.id for s in snaps} & set(shared)
