"""Training documents written from repository snapshots: checked by sha256, never half-written."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from evals.loading import document_paths
from training.giellalt import giellalt_markdown, giellalt_snapshot
from training.snapshots import (
    Snapshot,
    SnapshotError,
    digest,
    load_manifest,
    main,
    markdown,
    materialise,
)

PAGE = "# Uppdrag om laddinfrastruktur\n\nRegeringen ger Energimyndigheten i uppdrag att ...\n"


def _mirror(
    root: Path,
    files: dict[str, str] | None = None,
    repo: str = "owner/name",
) -> tuple[Path, str]:
    """A real git repository laid out as fetch leaves a mirror: <root>/<owner>+<name>/repo."""
    work = root / "work"
    for path, text in (files or {"regeringsuppdrag/sida.md": PAGE}).items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text, encoding="utf-8")

    def git(*args: str, cwd: Path = work) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "sida")
    commit = git("rev-parse", "HEAD")
    target = root / "mirrors" / repo.replace("/", "+") / "repo"
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
        # corpus-swe pages keep the address they were crawled from, some of them http://.
        assert s.id.startswith(s.folder + "-") and re.match(r"https?://", s.url)
    # A page of its own, never one of ../shared's under another name or the same name.
    shared = document_paths(snapshots=Path("/nonexistent"))
    assert not {s.id for s in snaps} & set(shared)


# An invented corpus-swe page: site furniture, a South Sami paragraph, a heading, a list whose
# one-word item the language guesser took for Norwegian, and the page's own date line.
GIELLALT_PATH = "converted/admin/exempelby/snorojning.html.xml"
GIELLALT_XML = """<document xml:lang="swe" id="no_id"><header><title>Snöröjning - Exempelby kommun\
</title><genre code="admin"/><wordcount>70</wordcount>\
<origFileName>https://www.exempelby.se/snorojning.html</origFileName></header>
<body>
<p>På exempelby.se använder vi kakor (cookies) för att webbplatsen ska fungera bra för dig.</p>
<p>Lyssna</p>
<p>Kommunen plogar gator och cykelvägar när det har fallit mer än åtta centimeter snö.</p>
<p xml:lang="sma">Daate lea akte teekste mij ij edtjh svienskengïelen gærjesne årrodh.</p>
<p type="title">Vem plogar din gata?</p>
<p>Enskilda vägar sköts av vägföreningen, inte av kommunen.</p>
<p>Kommunen plogar i den här ordningen:</p>
<list><p type="listitem">Gång- och cykelvägar vid skolor.</p>
<p type="listitem">Bussgator.</p>
<p type="listitem" xml:lang="nob">Bostadsgator.</p>
</list><p>Skriv ut</p>
<p>Senast ändrad: 3 februari 2021</p>
</body></document>
"""
GIELLALT_MARKDOWN = """---
id: exempelby-kommun-snorojning
title: Snöröjning
updated: '2021-02-03'
kind: webbsida
url: https://www.exempelby.se/snorojning.html
---
# Snöröjning

Kommunen plogar gator och cykelvägar när det har fallit mer än åtta centimeter snö.

## Vem plogar din gata?

Enskilda vägar sköts av vägföreningen, inte av kommunen.

Kommunen plogar i den här ordningen:

- Gång- och cykelvägar vid skolor.
- Bussgator.
- Bostadsgator.
"""


def _giellalt_mirror(root: Path, files: dict[str, str] | None = None) -> tuple[Path, str]:
    return _mirror(root, files or {GIELLALT_PATH: GIELLALT_XML}, "giellalt/corpus-swe")


def test_a_corpus_swe_page_becomes_markdown_with_its_swedish_text_unchanged(tmp_path) -> None:
    mirrors, commit = _giellalt_mirror(tmp_path)
    snap = giellalt_snapshot(GIELLALT_PATH, "exempelby-kommun", commit, mirrors)
    # Title without the site's name, the page's own date, its original address.
    assert (snap.id, snap.title, snap.updated) == (
        "exempelby-kommun-snorojning",
        "Snöröjning",
        "2021-02-03",
    )
    assert giellalt_markdown(snap, GIELLALT_XML) == GIELLALT_MARKDOWN
    assert snap.sha256 == digest(GIELLALT_MARKDOWN)


def test_materialise_converts_a_corpus_swe_page_and_checks_it_by_sha256(tmp_path) -> None:
    mirrors, commit = _giellalt_mirror(tmp_path)
    snap = giellalt_snapshot(GIELLALT_PATH, "exempelby-kommun", commit, mirrors)
    (path,) = materialise([snap], tmp_path / "out", mirrors)
    assert path == tmp_path / "out" / "exempelby-kommun" / "exempelby-kommun-snorojning.md"
    assert path.read_text(encoding="utf-8") == GIELLALT_MARKDOWN
    path.unlink()
    with pytest.raises(SnapshotError, match=snap.id):
        materialise([replace(snap, sha256="0" * 64)], tmp_path / "out", mirrors)
    assert not path.exists()


def test_add_giellalt_lists_pages_once_and_dates_an_undated_page_by_its_commit(
    tmp_path, capsys
) -> None:
    undated = GIELLALT_XML.replace("<p>Senast ändrad: 3 februari 2021</p>\n", "")
    short = GIELLALT_XML.replace("<title>Snöröjning", "<title>Sandning").split("<body>")[0]
    files = {
        GIELLALT_PATH: undated,
        "converted/admin/exempelby/sandning.html.xml": short
        + "<body><p>För kort.</p></body></document>",
    }
    mirrors, commit = _giellalt_mirror(tmp_path, files)
    out = tmp_path / "snapshots.yaml"
    argv = ["add-giellalt", "--folder", "exempelby-kommun", "--mirrors", str(mirrors)]
    argv += ["--out", str(out), "converted/admin/exempelby/", "--min-words", "20"]
    assert main(argv) == 0
    assert "hoppar över converted/admin/exempelby/sandning.html.xml" in capsys.readouterr().out
    (snap,) = load_manifest(out)
    assert (snap.repo, snap.path, snap.commit) == ("giellalt/corpus-swe", GIELLALT_PATH, commit)
    committed = subprocess.run(
        ["git", "--git-dir", str(mirrors / "giellalt+corpus-swe" / "repo"), "log", "-1"]
        + ["--format=%cs"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert snap.updated == committed
    text = out.read_text(encoding="utf-8")
    assert "# Added: `python -m training.snapshots add-giellalt --folder exempelby-kommun " in text
    # The same page again is refused, and the list stays as it was.
    assert main(argv[:-3] + [GIELLALT_PATH]) == 1
    assert "redan listad" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == text


def test_a_page_without_a_header_title_takes_the_heading_its_title_line_repeats(
    tmp_path, capsys
) -> None:
    # Some sites' pages open with the HTML title (the heading, then the site's name) as a plain
    # line, then the heading itself; the header's <title> is empty.
    xml = (
        GIELLALT_XML.replace("<title>Snöröjning - Exempelby kommun</title>", "<title/>")
        .replace(
            "<body>\n",
            "<body>\n<p>Vem plogar din gata? Så gör vi i vinter - Exempelby kommun - "
            "gator, parker, e-tjänster</p>\n"
            '<p type="title">Vem plogar din gata? Så gör vi i vinter</p>\n',
        )
        .replace('<p type="title">Vem plogar din gata?</p>\n', "")
    )
    files = {"converted/facta/exempelby/plogning.html.xml": xml}
    mirrors, commit = _giellalt_mirror(tmp_path, files)
    out = tmp_path / "snapshots.yaml"
    argv = ["add-giellalt", "--folder", "exempelby-kommun", "--mirrors", str(mirrors)]
    # A folder named without its closing slash stands for its files too.
    argv += ["--out", str(out), "--min-words", "20"]
    assert main(argv + ["converted/facta/exempelby"]) == 0
    (snap,) = load_manifest(out)
    # Nine words: longer than a heading taken alone may be, but the title line vouches for it.
    assert snap.title == "Vem plogar din gata? Så gör vi i vinter"
    text = giellalt_markdown(snap, xml)
    body = text.split("---\n", 2)[2]
    assert body.startswith("# Vem plogar din gata? Så gör vi i vinter\n\nKommunen plogar gator")
    assert "Exempelby kommun -" not in body and body.count("Vem plogar din gata?") == 1
