"""Training documents from public repository snapshots, named by repository, path, commit, sha256.

The project commits no document text. Documents that are not (yet) in ../shared are listed in
training/qa/snapshots.yaml: for each, the repository, commit and path it comes from, the
front matter the project gives it, and the sha256 of the Markdown file that results.
`python -m training.snapshots materialise` writes those files from a local mirror of each
repository (the work area's .mirror/<owner>+<name>/repo, as `fetch` leaves it) into
../snapshot-corpora/<folder>/, checking every file by sha256, so that training and
`training.qa check` read them like the shared documents.

`python -m training.snapshots draw` makes the list for regeringen.se's mirror
(civictechsweden/g0vse): a seeded random draw of pages per category, leaving out pages the
shared corpus already holds and pages on off-limits subjects.

`python -m training.snapshots add-giellalt` lists pages of GiellaLT's Swedish corpus
(giellalt/corpus-swe): its XML is converted to the project's Markdown when written.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shlex
import subprocess
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import yaml

from config.settings import REPOSITORY, SHARED_CORPORA, SNAPSHOT_CORPORA
from ingest.atomic import atomic_open
from training.qa import SNAPSHOTS_FILE as MANIFEST

MIRRORS = REPOSITORY.parent / ".mirror"
G0VSE = "civictechsweden/g0vse"
G0VSE_COMMIT = "b9e34cec61a3e35d81bde27a417a269945487a37"  # the shared regeringen pages' commit
# Subjects kept for independent checks (DEVELOPERS.md): no page naming them is drawn.
OFF_LIMITS = re.compile(
    r"Jordbruksverket|livsmedelsstrategi|Kiruna|Botkyrka|Statistiska centralbyrån|\bSCB\b"
    r"|Arvika|Mjölby|\bAle kommun|Eskilstuna|Vetlanda|Lindesberg|Huddinge|Sigtuna"
    r"|Sundsvall",
    re.IGNORECASE,
)
# The test split's publishers (training/qa/splits.yaml): a page whose title names one is about
# that body's work, so it is left out of training too.
TEST_PUBLISHERS = re.compile(
    r"Myndigheten för samhällsskydd|\bMSB\b|Naturvårdsverket|Boverket|Skatteverket|Sametinget"
    r"|Nacka|Krokom|Linköping|Örebro|Jämtland|Härjedalen",
    re.IGNORECASE,
)


class SnapshotError(Exception):
    """A snapshot document that cannot be written as listed; the message names it."""


@dataclass(frozen=True)
class Snapshot:
    id: str
    folder: str  # the publisher folder under snapshot-corpora/
    repo: str  # owner/name
    commit: str
    path: str
    sha256: str  # of the Markdown file written (front matter and text)
    title: str
    updated: str
    url: str
    kind: str = "webbsida"


def load_manifest(path: Path = MANIFEST) -> list[Snapshot]:
    if not path.is_file():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        return [Snapshot(**entry) for entry in raw.get("documents", [])]
    except TypeError as exc:
        raise SnapshotError(f"{path}: en post har fel fält: {exc}") from exc


def mirror_of(repo: str, mirrors: Path = MIRRORS) -> Path:
    return mirrors / repo.replace("/", "+") / "repo"


def source_text(snap: Snapshot, mirrors: Path = MIRRORS) -> str:
    """The file's text at the listed commit, from the local mirror."""
    return git_show(snap.repo, snap.commit, snap.path, mirrors, snap.id)


def git_show(repo: str, commit: str, path: str, mirrors: Path, label: str) -> str:
    missing = f"{repo}@{commit[:12]}:{path} saknas i spegeln"
    return git(repo, mirrors, ["show", f"{commit}:{path}"], label, missing)


def git(
    repo: str, mirrors: Path, args: list[str], label: str = "", failed: str | None = None
) -> str:
    """A git command's output in the repository's local mirror. SnapshotError names the label
    (a document, a path) and says to fetch a missing mirror, or what failed."""
    git_dir = mirror_of(repo, mirrors)
    prefix = f"{label}: " if label else ""
    if not git_dir.is_dir():
        raise SnapshotError(
            f"{prefix}ingen spegel av {repo} i {git_dir} (hämta den med fetch github:{repo})"
        )
    done = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True)
    if done.returncode != 0:
        why = failed or f"git {' '.join(args)}: {done.stderr.decode('utf-8', 'replace').strip()}"
        raise SnapshotError(prefix + why)
    return done.stdout.decode("utf-8")


def markdown(snap: Snapshot, text: str) -> str:
    """The document as the shared regeringen pages are: the page's Markdown unchanged under a
    YAML front matter (id, title, updated, kind, url)."""
    head = {"id": snap.id, "title": snap.title, "updated": snap.updated, "kind": snap.kind}
    lines = [f"{k}: {_scalar(v)}" for k, v in head.items()] + [f"url: {snap.url}"]
    return "---\n" + "\n".join(lines) + "\n---\n" + text


def _scalar(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, width=10**6).strip().removesuffix("\n...")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def materialise(
    snaps: list[Snapshot], out: Path = SNAPSHOT_CORPORA, mirrors: Path = MIRRORS
) -> list[Path]:
    """Write every listed document under out/<folder>/<id>.md; a file already there with the
    right sha256 is kept. Raises SnapshotError naming the first document that does not match:
    nothing is written for it."""
    written = []
    for snap in snaps:
        target = out / snap.folder / f"{snap.id}.md"
        if target.is_file() and digest(target.read_text(encoding="utf-8")) == snap.sha256:
            written.append(target)
            continue
        # g0vse pages are Markdown already; corpus-swe's XML is converted (training/giellalt.py,
        # which builds on this module, hence imported here).
        from training.giellalt import CORPUS_SWE, giellalt_markdown

        convert = giellalt_markdown if snap.repo == CORPUS_SWE else markdown
        text = convert(snap, source_text(snap, mirrors))
        if digest(text) != snap.sha256:
            raise SnapshotError(
                f"{snap.id}: sha256 {digest(text)[:12]}… stämmer inte med "
                f"listans {snap.sha256[:12]}…"
            )
        with atomic_open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        written.append(target)
    return written


def draw(
    counts: dict[str, int],
    seed: int,
    listed: list[Snapshot],
    mirrors: Path = MIRRORS,
    commit: str = G0VSE_COMMIT,
    years: range = range(2019, 2026),
    size: tuple[int, int] = (1500, 15000),
) -> list[Snapshot]:
    """A seeded draw of g0vse pages per category, as the shared regeringen pages were drawn:
    pages of the given years and size, none the shared corpus holds, none on an off-limits
    subject, none titled with a test publisher's name and none already listed, in the order
    drawn."""
    listing = git(G0VSE, mirrors, ["ls-tree", "-r", "-l", commit])
    taken = _shared_regeringen_paths() | {s.path for s in listed if s.repo == G0VSE}
    rng = random.Random(seed)
    out: list[Snapshot] = []
    for category, n in counts.items():
        pool = []
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            parts = path.split("/")
            if parts[0] != category or len(parts) < 4 or not path.endswith(".md"):
                continue
            if not parts[1].isdigit() or int(parts[1]) not in years or path in taken:
                continue
            if size[0] <= int(meta.split()[3]) <= size[1]:
                pool.append(path)
        pool.sort()
        rng.shuffle(pool)
        chosen: list[Snapshot] = []
        for path in pool:
            if len(chosen) >= n:
                break
            snap = _g0vse_snapshot(path, commit, mirrors)
            if snap is not None:
                chosen.append(snap)
        out += chosen
    return out


def _shared_regeringen_paths() -> set[str]:
    sources = SHARED_CORPORA / "SOURCES-regeringen.md"
    if not sources.is_file():
        return set()
    return set(re.findall(r"`([a-z0-9-]+/\d{4}/\d{2}/[^`]+\.md)`", sources.read_text("utf-8")))


def _g0vse_snapshot(path: str, commit: str, mirrors: Path) -> Snapshot | None:
    parts = path.split("/")
    year, month, slug = parts[1], parts[2], parts[-1].removesuffix(".md")
    text = git_show(G0VSE, commit, path, mirrors, path)
    title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), "")
    if not title or OFF_LIMITS.search(text) or TEST_PUBLISHERS.search(title):
        return None
    short = slug[:45].rstrip("-")
    snap = Snapshot(
        id=f"regeringen-{year}{month}-{short}-{hashlib.sha1(path.encode()).hexdigest()[:6]}",
        folder="regeringen",
        repo=G0VSE,
        commit=commit,
        path=path,
        sha256="",
        title=title,
        updated=f"{year}-{month}-01",
        url=f"https://www.regeringen.se/{path.removesuffix('.md')}/",
    )
    return replace(snap, sha256=digest(markdown(snap, text)))


def _manifest_header(path: Path) -> str:
    # Entries are added to the list: its header keeps the command of every earlier addition.
    old = path.read_text("utf-8").split("documents:")[0] if path.is_file() else ""
    return old or (
        f"# Training documents from {G0VSE}@{G0VSE_COMMIT}.\n"
        "# Written to ../snapshot-corpora/ by "
        "`python -m training.snapshots materialise`; no text is committed.\n"
    )


def _write_manifest(snaps: list[Snapshot], path: Path, header: str) -> None:
    body = yaml.safe_dump(
        {"documents": [asdict(s) for s in snaps]}, allow_unicode=True, sort_keys=False, width=200
    )
    with atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write(header + body)


def main(argv: list[str] | None = None) -> int:
    # Imported here: training/giellalt.py builds on this module.
    from training.giellalt import CORPUS_SWE, MIN_WORDS, add_giellalt

    parser = argparse.ArgumentParser(
        prog="python -m training.snapshots",
        description="Träningsdokument ur publika förrådsögonblicksbilder (repository, sökväg, "
        "commit, sha256).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    mat = sub.add_parser(
        "materialise",
        help="skriv listans dokument ur lokala speglar, kontrollerade med sha256 "
        "(exempel: python -m training.snapshots materialise)",
    )
    mat.add_argument("--mirrors", type=Path, default=MIRRORS, help="mapp med speglarna")
    mat.add_argument("--out", type=Path, default=SNAPSHOT_CORPORA, help="mål (../snapshot-corpora)")
    dr = sub.add_parser(
        "draw",
        help="dra sidor ur regeringen.se-spegeln (exempel: python -m training.snapshots draw "
        "--seed 20261205 regeringsuppdrag=40 artiklar=20)",
    )
    dr.add_argument("counts", nargs="+", help="kategori=antal")
    dr.add_argument("--seed", type=int, required=True)
    dr.add_argument("--mirrors", type=Path, default=MIRRORS)
    dr.add_argument("--out", type=Path, default=MANIFEST)
    gi = sub.add_parser(
        "add-giellalt",
        help="lägg till sidor ur GiellaLT:s svenska korpus (giellalt/corpus-swe) vid spegelns "
        "HEAD; en sökväg som slutar på / betyder alla XML-filer under den (exempel: python -m "
        "training.snapshots add-giellalt --folder stromsunds-kommun converted/admin/stromsund/)",
    )
    gi.add_argument("paths", nargs="+", metavar="SÖKVÄG", help="fil eller mapp i förrådet")
    gi.add_argument("--folder", required=True, help="utgivarens mapp under snapshot-corpora/")
    gi.add_argument("--title", help="titel för en enda fil vars XML saknar en (t.ex. en pdf)")
    gi.add_argument(
        "--min-words", type=int, default=MIN_WORDS, help="färre ord svensk text: hoppas över"
    )
    gi.add_argument("--mirrors", type=Path, default=MIRRORS)
    gi.add_argument("--out", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)
    try:
        if args.command == "materialise":
            paths = materialise(load_manifest(), args.out, args.mirrors)
            print(f"{len(paths)} dokument i {args.out}")
        elif args.command == "add-giellalt":
            listed = load_manifest(args.out)
            snaps, skipped = add_giellalt(
                args.paths, args.folder, listed, args.mirrors, args.title, args.min_words
            )
            for path, words in skipped.items():
                print(f"hoppar över {path}: {words} ord svensk text (under {args.min_words})")
            if snaps:
                command = ["python", "-m", "training.snapshots", "add-giellalt"]
                command += ["--folder", args.folder]
                if args.title:
                    command += ["--title", args.title]
                if args.min_words != MIN_WORDS:
                    command += [f"--min-words={args.min_words}"]
                header = _manifest_header(args.out) + (
                    f"# Added: `{shlex.join(command + args.paths)}` ({len(snaps)} pages from "
                    f"{CORPUS_SWE}@{snaps[0].commit}).\n"
                )
                _write_manifest(listed + snaps, args.out, header)
            print(f"{len(snaps)} nya sidor i {args.out}")
        else:
            counts = {c.split("=")[0]: int(c.split("=")[1]) for c in args.counts}
            listed = load_manifest(args.out)
            snaps = draw(counts, args.seed, listed, args.mirrors)
            header = _manifest_header(args.out) + (
                f"# Drawn: `python -m training.snapshots draw --seed {args.seed} "
                f"{' '.join(args.counts)}` ({len(snaps)} pages).\n"
            )
            _write_manifest(listed + snaps, args.out, header)
            print(f"{len(snaps)} nya sidor i {args.out}")
    except SnapshotError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
