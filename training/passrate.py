"""The bot's pass rate on a split of the QA corpus: every group asked of its own documents.

`python -m training.passrate --split test [--json OUT]` runs the real answerer, as `policybot
eval` does, on every group of the split in training/qa/splits.yaml: a QA file against its
publisher's folder in ../shared/corpora/, an eval set against its own documents. The embedding
model and the tuning are the settings' (POLICYBOT_EMBEDDING, POLICYBOT_TUNING_FILE), so the same
command measures each model. The figures of the model card and the closing notes come from here.
`--switches` asks each answerable question after an unrelated one instead (evals.switches).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from config.settings import DEFAULT_CORPUS, REPOSITORY, Settings
from evals.command import run_items, settings_for_corpus
from evals.loading import eval_set, load_items
from evals.results import EvalResult
from evals.running import combine
from evals.schema import Item
from evals.summary import format_run
from evals.switches import switched
from training.qa import (
    PUBLISHERS_FILE,
    QAItem,
    by_group,
    document_paths,
    folders_of,
    load_qa,
    splits,
)

# Eval sets asked of the Luleå corpus itself rather than of a corpus of their own.
LULEA_SETS = {"evals/sets": "lulea", "evals/holdout": "lulea-holdout"}


def group_target(name: str, settings: Settings) -> tuple[str, Path, list[Item]] | None:
    """(set name, corpus folder, items) of one group of splits.yaml; None without questions."""
    if name in LULEA_SETS:
        return LULEA_SETS[name], DEFAULT_CORPUS, load_items([REPOSITORY / name])
    if name.startswith("evals/"):
        found = eval_set(REPOSITORY / name, settings.evals_corpora_dir)
        if found is None:
            raise SystemExit(f"Fel: {name}: ingen utvärderingsmängd")
        return found.name, found.corpus_dir, load_items([found.questions])
    qas = _qa_groups().get(name)
    if not qas:
        return None
    folders = folders_of(qas, _documents(settings.evals_corpora_dir))
    if len(folders) != 1:
        raise SystemExit(f"Fel: {name}: frågornas dokument ligger i {len(folders)} mappar, inte 1")
    return name, folders.pop(), [qa.item for qa in qas]


def index_key(name: str, set_name: str, corpus: Path) -> str:
    """The index a group is asked of. Groups over the same documents share one, so a folder is
    embedded once per model, not once per group: regeringen-a ... -c over one publisher folder,
    Luleå's public and held-out sets over corpus/. An eval set keeps its own. The folder's parent
    is part of the key, since ../shared/corpora/regeringen and ../snapshot-corpora/regeringen
    are different documents under one publisher's name."""
    if name in LULEA_SETS:
        return LULEA_SETS["evals/sets"]
    if name.startswith("evals/"):
        return set_name
    return f"{corpus.name}@{corpus.parent.name}"


def indexed_settings(name: str, set_name: str, corpus: Path, settings: Settings) -> Settings:
    """The settings a group is indexed and asked with: its publisher's name, its shared index."""
    index = index_key(name, set_name, corpus)
    return settings_for_corpus(group_settings(name, settings), index, corpus)


# Read once per run: every group of a split is looked up in the same files.
@lru_cache(maxsize=1)
def _qa_groups() -> dict[str, list[QAItem]]:
    return by_group(load_qa())


@lru_cache(maxsize=2)
def _documents(evals_corpora: Path) -> dict[str, Path]:
    return document_paths(evals_corpora=evals_corpora)


def group_settings(name: str, settings: Settings) -> Settings:
    """The settings a deployment for the group's publisher would have: its own name."""
    owner = publishers().get(name)
    return settings.model_copy(update={"municipality": owner}) if owner else settings


def publishers() -> dict[str, str]:
    return yaml.safe_load(PUBLISHERS_FILE.read_text(encoding="utf-8")) or {}


def run_group(
    name: str, settings: Settings, progress: bool, owner: bool = True, switches: bool = False
) -> EvalResult | None:
    """One group's result, or None when it has no questions. owner=False asks as a deployment
    that never named its publisher would (for the ablation); switches=True asks each answerable
    question after an unrelated one instead (evals.switches)."""
    target = group_target(name, settings)
    if target is None:
        return None
    set_name, corpus, items = target
    if switches:
        items = switched(items)
        if not items:
            return None
    if owner:
        settings = group_settings(name, settings)
    index = index_key(name, set_name, corpus)
    return run_items(set_name, corpus, items, settings, progress=progress, index=index)


def asked_groups(
    split: str, settings: Settings, only: list[str] | None = None
) -> Iterator[tuple[str, str, list[Item], Any, float]]:
    """(group, set name, items, bot, start time) for every group of the split, each asked of
    its own freshly indexed documents under its publisher's name, as training collects them."""
    from bot.service import PolicyBot
    from ingest.indexer import ingest

    for name in split_names(split, only):
        target = group_target(name, settings)
        if target is None:
            continue
        set_name, corpus, items = target
        started = time.monotonic()
        set_settings = indexed_settings(name, set_name, corpus, settings)
        ingest(set_settings, progress=False)
        yield name, set_name, items, PolicyBot.from_settings(set_settings, progress=False), started


def split_names(split: str, only: list[str] | None = None) -> list[str]:
    names = [n for n, s in splits().items() if s == split]
    return [n for n in names if n in only] if only else names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.passrate",
        description="Botens andel godkända svar på en del av QA-korpusen.",
    )
    parser.add_argument("--split", choices=["train", "dev", "test"], default="test")
    parser.add_argument("--only", nargs="*", help="bara dessa grupper (namn i splits.yaml)")
    parser.add_argument("--data-dir", type=Path, help="datamapp för gruppernas index")
    parser.add_argument(
        "--no-owner", action="store_true", help="utan utgivarens namn (som utan site.yaml)"
    )
    parser.add_argument("--json", type=Path, help="skriv resultatet som JSON (utan svarstexter)")
    parser.add_argument(
        "--switches",
        action="store_true",
        help="ämnesbyten: varje fråga direkt efter en fråga om andra dokument (evals.switches)",
    )
    args = parser.parse_args(argv)

    settings = Settings()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    names = split_names(args.split, args.only)
    progress = sys.stderr.isatty()
    parts = [
        r
        for n in names
        if (r := run_group(n, settings, progress, not args.no_owner, args.switches)) is not None
    ]
    if not parts:
        print("Fel: inga frågor", file=sys.stderr)
        return 2
    result = combine(parts)
    sys.stdout.write(format_run(result))
    if args.json:
        print(f"JSON: {result.write_json(args.json, texts=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
