"""`policybot eval`: load the eval files and sets, run each against its bot, compare, report, gate.

The only module that wires loading, running, comparing and reporting together; it also holds
the Python API for eval sets with their own corpus (`run_set`, `settings_for_set`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config.settings import Settings
from evals.comparing import BaselineError, compare, compare_sets, gate, load_baseline
from evals.loading import (
    QUESTIONS_FILE,
    EvalSet,
    eval_set,
    find_targets,
    load_corpus,
    load_items,
    load_set,
)
from evals.report import HTML_SUFFIXES, MARKDOWN_SUFFIXES, write_report
from evals.results import EvalResult
from evals.running import combine, run_eval
from evals.schema import EvalFormatError, Item
from evals.summary import format_run
from evals.switches import switched

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EVALSETS_FOLDER = "evalsets"  # below the data directory: one index per eval set

BotFactory = Callable[[Settings], Any]


class SetupError(Exception):
    """A bot cannot be built for a run (corpus missing or empty, unknown provider)."""


def settings_for_set(settings: Settings, set_dir: Path) -> Settings:
    """The same settings, but indexing the set's own documents into its own data directory
    (<data_dir>/evalsets/<name>/), so a set never touches the configured corpus's index.

    Raises EvalFormatError when the folder is not a set or its documents are missing."""
    return _set_settings(settings, _eval_set(Path(set_dir), settings))


def settings_for_corpus(settings: Settings, name: str, corpus_dir: Path) -> Settings:
    """The settings run_items uses for a corpus folder indexed like a set named name."""
    return _set_settings(settings, EvalSet(name, Path(corpus_dir), Path(corpus_dir)))


def _set_settings(settings: Settings, found: EvalSet) -> Settings:
    name = found.name
    own = settings.for_index(Path(settings.data_dir) / EVALSETS_FOLDER / name, found.corpus_dir)
    if settings.chroma_host:
        # A Chroma server is shared by every data directory; the collection keeps sets apart.
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "set"
        own = own.model_copy(update={"collection": f"{settings.collection}-{slug}"})
    return own


def run_set(
    set_dir: Path,
    settings: Settings,
    *,
    bot_factory: BotFactory | None = None,
    progress: bool = False,
) -> EvalResult:
    """Run an eval set with its own corpus: index the corpus (incrementally) into the set's own
    data directory, build the bot on that index (bot_factory(set_settings), by default
    PolicyBot.from_settings), ask every question and score it against the set's corpus.

    Raises EvalFormatError for a folder that is not a set or a malformed questions.yaml, and
    SetupError when the corpus cannot be indexed.
    """
    found = _eval_set(Path(set_dir), settings)
    return _run_set(found, load_set(found), settings, bot_factory, progress)


def run_items(
    name: str,
    corpus_dir: Path,
    items: list[Item],
    settings: Settings,
    *,
    progress: bool = False,
    index: str | None = None,
) -> EvalResult:
    """Run items that live outside an eval set's folder (the training QA corpus) against the
    documents in corpus_dir, indexed like a set named name (or index, which several runs over
    the same documents share); ids are qualified as <name>/<id>."""
    the_set = EvalSet(name, Path(corpus_dir), Path(corpus_dir))
    qualified = [it.model_copy(update={"id": f"{name}/{it.id}"}) for it in items]
    return _run_set(the_set, qualified, settings, None, progress, index)


def _eval_set(set_dir: Path, settings: Settings) -> EvalSet:
    found = eval_set(set_dir, settings.evals_corpora_dir)
    if found is None:
        raise EvalFormatError(f"{set_dir}: ingen utvärderingsmängd (saknar {QUESTIONS_FILE})")
    return found


def _run_set(
    the_set: EvalSet,
    items: list[Item],
    settings: Settings,
    bot_factory: BotFactory | None,
    progress: bool,
    index: str | None = None,
) -> EvalResult:
    from ingest.indexer import CorpusError, ingest

    indexed = EvalSet(index, the_set.root, the_set.corpus_dir) if index else the_set
    set_settings = _set_settings(settings, indexed)
    try:
        report = ingest(set_settings, progress=progress)
    except CorpusError as exc:
        raise SetupError(f"{the_set.name}: {exc}") from exc
    for err in report.errors:
        print(f"Varning: {the_set.name}: kunde inte läsa {err.path}: {err.reason}", file=sys.stderr)
    bot = _build_bot(set_settings, bot_factory, progress)
    return _run(bot, items, set_settings.corpus_dir, progress, the_set.name)


def _build_bot(settings: Settings, bot_factory: BotFactory | None, progress: bool) -> Any:
    from ingest.embeddings import ProviderError
    from ingest.indexer import CorpusError

    if bot_factory is not None:
        return bot_factory(settings)
    from bot.service import PolicyBot

    try:
        return PolicyBot.from_settings(settings, progress=progress)
    except (CorpusError, ProviderError) as exc:
        raise SetupError(str(exc)) from exc


def _run(bot: Any, items: list[Item], corpus_dir: Path, progress: bool, name: str) -> EvalResult:
    """Ask and score; quotes are checked against the documents in corpus_dir."""
    corpus_docs, warnings = load_corpus(corpus_dir) if corpus_dir.is_dir() else ({}, [])
    for warning in warnings:
        print(f"Varning: {warning}", file=sys.stderr)
    result = run_eval(bot, items, corpus_docs, progress=progress, name=name)
    result.settings["corpus_dir"] = str(corpus_dir)
    return result


def indexed_corpus_dir(settings: Settings) -> Path:
    """The folder the index was built from (`policybot ingest --corpus` may differ from the
    setting), so quotes are checked against the documents the bot actually answers from."""
    from ingest.store import read_state

    recorded = read_state(settings).get("corpus_dir")
    if recorded and Path(recorded).is_dir():
        return Path(recorded)
    return Path(settings.corpus_dir)


def main(args: Any, settings: Settings) -> int:
    """`policybot eval [PATHS...] [--json OUT] [--report OUT.html|OUT.md] [--baseline PREV.json]
    [--fail-under PCT] [--allow-regressions] [--switches]`; returns the exit code.

    PATHS are eval files, folders of them (run against the configured corpus), eval sets with
    their own corpus, or folders of such sets (each run against its own index).
    """
    json_out = getattr(args, "json_out", None)
    report_out = getattr(args, "report", None)
    baseline_path = getattr(args, "baseline", None)
    fail_under = getattr(args, "fail_under", None)
    allow_regressions = bool(getattr(args, "allow_regressions", False))
    if getattr(args, "answerer", None):
        settings = settings.model_copy(update={"answerer": args.answerer})

    # Everything that can be wrong with the arguments is reported before the slow part.
    if fail_under is not None and not 0 <= fail_under <= 100:
        return _usage(f"--fail-under ska vara en procentsats 0–100, inte {fail_under:g}")
    if report_out and Path(report_out).suffix.lower() not in HTML_SUFFIXES + MARKDOWN_SUFFIXES:
        return _usage(f"--report ska sluta på .html eller .md: {report_out}")
    try:
        targets = find_targets(getattr(args, "files", None) or [], settings.evals_corpora_dir)
        items = load_items(targets.files) if targets.files else []
        set_items = [(s, load_set(s)) for s in targets.sets]
        if getattr(args, "switches", False):
            # A set whose questions all cite the same documents has no switch to ask.
            items = switched(items)
            set_items = [(s, its) for s, all_items in set_items if (its := switched(all_items))]
        baseline = load_baseline(baseline_path) if baseline_path else None
    except (EvalFormatError, BaselineError) as exc:
        return _usage(str(exc))
    for folder in targets.skipped:
        print(f"Obs: {folder} saknar {QUESTIONS_FILE} och körs inte", file=sys.stderr)
    if not items and not any(its for _, its in set_items):
        return _usage("inga frågor att utvärdera")

    progress = sys.stderr.isatty()
    parts: list[EvalResult] = []
    try:
        if items:
            bot = _build_bot(settings, None, progress)
            parts.append(_run(bot, items, indexed_corpus_dir(settings), True, ""))
        for the_set, its in set_items:
            parts.append(_run_set(the_set, its, settings, None, progress))
    except SetupError as exc:
        return _usage(str(exc))

    result = combine(parts) if targets.sets else parts[0]
    comparison = compare(result, baseline, baseline_path) if baseline is not None else None
    set_comparisons = (
        compare_sets(result, baseline, baseline_path) if baseline is not None else None
    )
    verdict = gate(result, comparison, fail_under, allow_regressions)

    # A verdict only means something when there was something to hold the run to.
    shown = verdict if (fail_under is not None or comparison is not None) else None
    sys.stdout.write(format_run(result, comparison, shown, set_comparisons))
    if json_out:
        texts = not getattr(args, "no_text", False)
        print(f"JSON: {result.write_json(json_out, comparison, verdict, texts=texts)}")
    if report_out:
        for written in write_report(report_out, result, comparison, shown, set_comparisons):
            print(f"Rapport: {written}")
    return EXIT_FAILED if verdict.failed else EXIT_OK


def _usage(message: str) -> int:
    print(f"Fel: {message}", file=sys.stderr)
    return EXIT_USAGE
