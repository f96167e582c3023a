"""The hand-written QA corpus: loading, checking against the shared documents, and splits.

`python -m training.qa check [FILES]` checks every rule of training/qa/FORMAT.md and exits 1 on
a violation; `python -m training.qa stats` prints documents, publishers, questions by kind and
split. The documents are data in ../shared (never committed); items name them by id.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evals.loading import document_paths
from evals.schema import EvalFormatError, Item

QA_DIR = Path(__file__).resolve().parent / "qa"
SPLITS_FILE = QA_DIR / "splits.yaml"
PUBLISHERS_FILE = QA_DIR / "publishers.yaml"  # each QA file's publisher, as it names itself
SNAPSHOTS_FILE = QA_DIR / "snapshots.yaml"  # pages read from repository snapshots (snapshots.py)
YES_NO = {"ja", "nej"}


@dataclass(frozen=True)
class QAItem:
    """One question: the eval item (question, expect, sources, tags, ...), the verbatim quotes
    that answer it, and for must-abstain items the near-miss documents (sources in the file)."""

    item: Item
    quotes: tuple[str, ...]
    near: tuple[str, ...]
    group: str  # the file it came from (a publisher, or a part of one) or the eval set's name

    @property
    def documents(self) -> tuple[str, ...]:
        return tuple(self.item.sources) or self.near


def load_qa_file(path: Path) -> list[QAItem]:
    """Items of one QA file; raises EvalFormatError naming the file and the item."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EvalFormatError(f"{path}: kan inte läsas: {exc}") from exc
    if not isinstance(raw, list):
        raise EvalFormatError(f"{path}: filen ska vara en YAML-lista med frågor")
    out = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise EvalFormatError(f"{path}: fråga nr {number} ska vara en mappning")
        entry = dict(entry)
        quotes = entry.pop("quotes", None) or []
        near = entry.pop("sources", None) if entry.get("abstain") else None
        if not isinstance(quotes, list) or not all(isinstance(q, str) for q in quotes):
            raise EvalFormatError(f"{path}: fråga {entry.get('id')!r}: quotes ska vara en lista")
        item = Item.from_yaml(entry, str(path), number)
        out.append(QAItem(item, tuple(quotes), tuple(near or ()), path.stem))
    return out


def qa_files(paths: list[Path] | None = None) -> list[Path]:
    if paths:
        return [f for p in paths for f in (sorted(p.glob("*.yaml")) if p.is_dir() else [p])]
    lists = (SPLITS_FILE, PUBLISHERS_FILE, SNAPSHOTS_FILE)
    return sorted(p for p in QA_DIR.glob("*.yaml") if p not in lists)


def load_qa(paths: list[Path] | None = None) -> list[QAItem]:
    """Every item of the QA files; ids must be unique across them."""
    items: list[QAItem] = []
    seen: dict[str, str] = {}
    for path in qa_files(paths):
        for qa in load_qa_file(path):
            if qa.item.id in seen:
                raise EvalFormatError(f"{path}: id {qa.item.id!r} finns redan i {seen[qa.item.id]}")
            seen[qa.item.id] = str(path)
            items.append(qa)
    return items


def by_group(items: list[QAItem]) -> dict[str, list[QAItem]]:
    """The items of each QA file (group), in file order."""
    out: dict[str, list[QAItem]] = {}
    for qa in items:
        out.setdefault(qa.group, []).append(qa)
    return out


def folders_of(items: list[QAItem], docs: dict[str, Path]) -> set[Path]:
    """The publisher folders holding the documents the items ask about."""
    return {docs[d].parent for qa in items for d in qa.documents if d in docs}


def problems(qa: QAItem, texts: dict[str, str], unread: frozenset[str] = frozenset()) -> list[str]:
    """Every rule of FORMAT.md the item breaks, given doc id -> file text.

    `unread` are documents known by reference (repository, commit, sha256) whose text is not
    on this machine: only the rules that need no text are checked for items citing them."""
    it = qa.item
    out = []
    for doc in qa.documents:
        if doc not in texts and doc not in unread:
            out.append(f"dokumentet {doc!r} finns inte i ../shared")
    if it.abstain:
        if qa.quotes or it.expect:
            out.append("abstain-frågor har varken quotes eller expect")
        return out
    if not qa.quotes:
        out.append("saknar quotes")
    if not it.expect:
        out.append("saknar expect")
    lines = [ln for doc in it.sources for ln in texts.get(doc, "").splitlines()]
    for quote in [] if unread & set(it.sources) else qa.quotes:
        if not quote.strip() or not any(quote in ln for ln in lines):
            out.append(f"citatet finns inte ordagrant på en rad i källan: {quote[:80]!r}")
    joined = "\n".join(qa.quotes).casefold()
    for group in it.expect:
        options = group if isinstance(group, list) else [group]
        if not any(o.casefold() in joined or o.casefold().strip(".,!") in YES_NO for o in options):
            out.append(f"expect {group!r} står inte i något citat")
    return out


def read_texts(docs: dict[str, Path]) -> dict[str, str]:
    return {doc: path.read_text(encoding="utf-8") for doc, path in docs.items()}


def splits(path: Path = SPLITS_FILE) -> dict[str, str]:
    """group -> split ('train', 'dev' or 'test')."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for split, groups in data.items():
        for group in groups:
            if group in out:
                raise ValueError(f"{path}: {group} står i både {out[group]} och {split}")
            out[group] = split
    return out


def _check(args: argparse.Namespace) -> int:
    try:
        items = load_qa(args.files or None)
    except EvalFormatError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    texts = read_texts(document_paths())
    bad = 0
    for qa in items:
        for problem in problems(qa, texts):
            bad += 1
            print(f"{qa.item.file}: {qa.item.id}: {problem}")
    print(f"{len(items)} frågor, {bad} fel", file=sys.stderr)
    return 1 if bad else 0


def _stats(args: argparse.Namespace) -> int:
    items = load_qa(args.files or None)
    which = splits()
    by_split: Counter[str] = Counter()
    docs: dict[str, set[str]] = {}
    tags: Counter[str] = Counter()
    for qa in items:
        split = which.get(qa.group, "?")
        by_split[split] += 1
        docs.setdefault(split, set()).update(qa.documents)
        tags.update(qa.item.tags)
    print(f"{len(items)} frågor i {len({q.group for q in items})} filer")
    for split in sorted(by_split):
        print(f"  {split}: {by_split[split]} frågor, {len(docs[split])} dokument")
    print("Frågetyper: " + ", ".join(f"{t} {n}" for t, n in tags.most_common()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.qa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("check", _check), ("stats", _stats)):
        p = sub.add_parser(name)
        p.add_argument("files", nargs="*", type=Path)
        p.set_defaults(func=func)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
