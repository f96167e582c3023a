"""Fit the answerer's unit-scoring weights and validate them leave-one-document-out.

`python -m evals.fit [--write]` indexes every fitting set on its own (the Luleå public set and
each folder of evals/external/), collects the features of every candidate unit for every
question, and fits a logistic regression (scikit-learn) on the label "this unit, alone or with
the neighbour it may be widened to, holds every expected fact of a cited source". It is fitted
pairwise (a unit that answers against one that does not, within each question), since
choosing the best unit is a ranking.

Validation is leave-one-document-out: for each document, the model is fitted on the questions
about all other documents and judged by running the real answerer on the questions about that
document. Those held-out figures are what is reported. The Luleå held-out set
(evals/holdout/) is never used here. --write fits on everything and writes config/tuning.json.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.chain import retrieve
from bot.service import PolicyBot
from config.settings import DEFAULT_CORPUS, Settings
from config.tuning import DEFAULT_TUNING_FILE, UNIT_FEATURES, Tuning
from evals import metrics
from evals.command import settings_for_set
from evals.loading import load_items
from evals.running import score_answer

ROOT = Path(__file__).resolve().parent
PAIRS_PER_QUESTION = 8
PRIOR_SCALE = 10.0
REGULARISATION = 0.01  # sklearn's C: smaller keeps the weights nearer the hand-set ones


@dataclass
class Question:
    """One eval item with what fitting needs: its fold, and its candidates' features."""

    set_name: str
    item: object
    doc: str  # the fold: the expected source document, or the top chunk's for abstentions
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, len(UNIT_FEATURES))))
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0))


def fitting_sets(base: Settings) -> list[tuple[str, Settings, list]]:
    """(name, settings, items) of the Luleå public set and every external set; each set is
    indexed where `policybot eval` indexes it, so the two share their indexes."""
    lulea = base.model_copy(update={"corpus_dir": DEFAULT_CORPUS})
    sets = [("lulea", lulea, load_items([ROOT / "sets"]))]
    for folder in sorted((ROOT / "external").iterdir()):
        if (folder / "questions.yaml").is_file():
            items = load_items([folder / "questions.yaml"])
            sets.append((folder.name, settings_for_set(base, folder), items))
    return sets


def collect(bot: PolicyBot, set_name: str, items: list) -> list[Question]:
    """Every item's candidate features and labels, as the real pipeline produces them."""
    snap = bot.retriever.snapshot()
    out = []
    for item in items:
        _, top, ranked = candidates(bot, item, snap)
        if item.abstain:
            doc = top[0][0].meta["doc_id"] if top else "-"
        else:
            doc = item.sources[0] if item.sources else "-"
        q = Question(set_name, item, doc)
        if ranked:
            q.matrix = np.asarray([c.vector() for c in ranked], dtype=np.float64)
            q.labels = np.asarray([label(item, c) for c in ranked], dtype=np.float64)
        out.append(q)
    return out


def candidates(bot: PolicyBot, item, snap) -> tuple:
    """(question info, top chunks, candidate units best first) for one item, as the real
    pipeline ranks them."""
    found = retrieve(bot.retriever, item.question, item.history, snap)
    top = found.chunks[: bot.extractive.top_chunks]
    return found.info, top, bot.extractive.ranked(found.info, top, found.qvec, snap)


def label(item, cand) -> float:
    """1 when the unit, alone or widened to its neighbour or footnote, answers the item."""
    if item.abstain or (item.sources and cand.record.meta["doc_id"] not in item.sources):
        return 0.0
    texts = [cand.record.text]
    for extra in (cand.after, cand.following, cand.footnote):
        if extra is not None:
            texts.append(f"{cand.record.text} {extra.text}")
    return float(
        any(all(metrics.satisfied(e, metrics.norm(t)) for e in item.expect) for t in texts)
    )


def fit(questions: list[Question], base: Tuning) -> Tuning:
    """Pairwise logistic regression: within each training question, a unit that answers
    should score above one that does not. Ranking is what selection needs, so the model is
    fitted on differences of feature vectors (no intercept), then scaled so that its scores
    spread as much as the hand-set ones, which keeps the selection margins meaningful."""
    from sklearn.linear_model import LogisticRegression

    diffs = []
    base_w = np.asarray(base.weight_vector())
    for q in questions:
        pos = q.matrix[q.labels == 1]
        neg = q.matrix[q.labels == 0]
        if not len(pos) or not len(neg):
            continue
        # The negatives that the current weights rank highest are the informative ones.
        neg = neg[np.argsort(-(neg @ base_w))[:PAIRS_PER_QUESTION]]
        for p in pos[:3]:
            diffs.append(p - neg)
    x = np.vstack(diffs)
    # The hand-set score is one more feature, scaled up so that regularisation barely touches
    # it: the model keeps the prior and moves single weights only where the data agree.
    x = np.hstack([PRIOR_SCALE * (x @ base_w)[:, None], x])
    x = np.vstack([x, -x])
    y = np.concatenate([np.ones(len(x) // 2), np.zeros(len(x) // 2)])
    model = LogisticRegression(C=REGULARISATION, fit_intercept=False, max_iter=5000)
    model.fit(x, y)
    w = PRIOR_SCALE * model.coef_[0][0] * base_w + model.coef_[0][1:]
    every = np.vstack([q.matrix for q in questions if len(q.labels)])
    scale = float(np.std(every @ base_w) / max(np.std(every @ w), 1e-9))
    weights = dict(zip(UNIT_FEATURES, map(float, w * scale), strict=True))
    return base.model_copy(update={"weights": weights, "bias": 0.0})


def run_items(bot: PolicyBot, questions: list[Question], tuning: Tuning) -> list[dict]:
    """Ask the real bot each question with the given tuning; judge each answer."""
    bot.extractive.tuning = tuning
    out = []
    for q in questions:
        it = q.item
        # Pass or fail as `policybot eval` judges it (quotes are checked there, not here).
        result = score_answer(it, bot.ask(it.question, list(it.history)), {})
        out.append(
            {
                "set": q.set_name,
                "id": it.id,
                "doc": q.doc,
                "tags": list(it.tags),
                "passed": result.passed,
                "should_abstain": it.abstain,
                "abstained": result.abstained,
            }
        )
    return out


def leave_one_document_out(
    bots: dict[str, PolicyBot], questions: list[Question], base: Tuning
) -> list[dict]:
    docs = sorted({q.doc for q in questions})
    results: list[dict] = []
    for n, doc in enumerate(docs, start=1):
        train = [q for q in questions if q.doc != doc]
        held = [q for q in questions if q.doc == doc]
        tuning = fit(train, base)
        print(f"[{n}/{len(docs)}] {doc}: {len(held)} frågor", file=sys.stderr)
        by_set: dict[str, list[Question]] = defaultdict(list)
        for q in held:
            by_set[q.set_name].append(q)
        for set_name, qs in by_set.items():
            results += run_items(bots[set_name], qs, tuning)
    return results


def summary(rows: list[dict]) -> dict:
    n = len(rows)
    should = [r for r in rows if r["should_abstain"]]
    did = [r for r in rows if r["abstained"]]
    right = [r for r in did if r["should_abstain"]]
    return {
        "items": n,
        "passed": sum(r["passed"] for r in rows),
        "pass_rate": metrics.ratio(sum(r["passed"] for r in rows), n),
        "abstention_precision": metrics.ratio(len(right), len(did)),
        "abstention_recall": metrics.ratio(len(right), len(should)),
    }


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(
        f"{'mängd':<14}{'frågor':>7}{'godkända':>10}{'andel':>8}{'avst.prec':>11}{'avst.recall':>12}"
    )
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["set"]].append(r)
    external = [r for r in rows if r["set"] != "lulea"]
    for name, part in [*sorted(groups.items()), ("extern totalt", external), ("alla", rows)]:
        s = summary(part)
        print(
            f"{name:<14}{s['items']:>7}{s['passed']:>10}{metrics.pct(s['pass_rate']):>8}"
            f"{metrics.pct(s['abstention_precision']):>11}{metrics.pct(s['abstention_recall']):>12}"
        )


def per_tag(rows: list[dict]) -> dict[str, tuple[int, int]]:
    tags: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        for tag in r["tags"]:
            tags[tag].append(r["passed"])
    return {t: (sum(v), len(v)) for t, v in sorted(tags.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fit", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=".policybot", help="where each set's index goes")
    parser.add_argument("--write", action="store_true", help="fit on all and write the tuning")
    parser.add_argument("--no-lodo", action="store_true", help="skip the held-out validation")
    args = parser.parse_args(argv)
    base_settings = Settings(data_dir=Path(args.data_dir))
    base = Tuning()  # the hand-set defaults: only the weights and the threshold are fitted
    bots: dict[str, PolicyBot] = {}
    questions: list[Question] = []
    for name, settings, items in fitting_sets(base_settings):
        print(f"Indexerar och samlar särdrag: {name} ({len(items)} frågor)", file=sys.stderr)
        bots[name] = PolicyBot.from_settings(settings, progress=False)
        questions += collect(bots[name], name, items)
    if not args.no_lodo:
        defaults = []
        for name, bot in bots.items():
            defaults += run_items(bot, [q for q in questions if q.set_name == name], base)
        print_table("Handsatta standardvikter (inte anpassade):", defaults)
        held = leave_one_document_out(bots, questions, base)
        print_table("Lämna-ett-dokument-utanför (anpassat på de andra dokumenten):", held)
        print("\nPer tagg (utanförhållna dokument):")
        for tag, (ok, n) in per_tag(held).items():
            print(f"  {tag:<18}{ok:>4}/{n:<4}")
    if args.write:
        tuning = fit(questions, base)
        tuning.save(DEFAULT_TUNING_FILE)
        print(f"Skrev {DEFAULT_TUNING_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
