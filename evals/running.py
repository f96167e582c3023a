"""Asking the bot every eval item and scoring the answers; combining the results of sets."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from evals import metrics
from evals.metrics import HIT_KS
from evals.results import EvalResult, ItemResult
from evals.schema import Item

WARM_UP_QUESTION = "Vad handlar dokumenten om?"


def _bodies(corpus_docs: Mapping[str, Any]) -> dict[str, str]:
    """doc_id -> body, from SourceDocuments or plain strings."""
    return {d: doc if isinstance(doc, str) else doc.body for d, doc in corpus_docs.items()}


def run_eval(
    bot: Any,
    items: Sequence[Item],
    corpus_docs: Mapping[str, Any],
    progress: bool = False,
    warm_up: bool = True,
    name: str = "",
) -> EvalResult:
    """Ask the bot every item (bot.ask(question, history) -> Answer) and score the answers.

    corpus_docs maps doc_id to its SourceDocument (or its body text); quotes are checked to be
    verbatim substrings of the cited document's body. warm_up asks one throwaway question
    first so that model loading is not counted as the first item's latency. name is the eval
    set's name ("" for plain eval files).
    """
    from bot.service import QuestionError

    bodies = _bodies(corpus_docs)
    if warm_up:
        # Models and the corpus snapshot load lazily on the first question; that is start-up
        # time, not the latency of an answer.
        with contextlib.suppress(Exception):
            bot.ask(WARM_UP_QUESTION, [])
    iterator: Iterable[Item] = items
    if progress:
        from tqdm import tqdm

        label = f"Utvärderar {name}" if name else "Utvärderar"
        iterator = tqdm(items, desc=label, unit="fråga", file=sys.stderr)
    results = []
    settings = getattr(bot, "settings", None)
    streams = getattr(settings, "answerer", "extractive") != "extractive"
    for item in iterator:
        try:
            if streams:
                answer, first_ms = _ask_streaming(bot, item)
            else:
                answer, first_ms = bot.ask(item.question, list(item.history)), None
        except QuestionError as exc:
            results.append(_errored(item, f"ogiltig fråga: {exc}"))
            continue
        except Exception as exc:  # one crashing item must not lose the whole run's report
            results.append(_errored(item, f"fel i boten: {type(exc).__name__}: {exc}"))
            continue
        result = score_answer(item, answer, bodies)
        result.first_ms = first_ms
        results.append(result)
    return EvalResult(
        items=results,
        summary=summarize(results),
        per_tag=per_tag(results),
        settings=settings_dict(settings) if settings is not None else {},
        files=list(dict.fromkeys(i.file for i in items)),
        corpus=corpus_fingerprint(corpus_docs),
        created=now(),
        name=name,
    )


def _ask_streaming(bot: Any, item: Item) -> tuple[Any, float]:
    """The answer, and the milliseconds until the first text a resident would see: the first
    sentence that passed the gate, or the whole answer when none is streamed."""
    started = time.perf_counter()
    first = None
    for event in bot.ask_stream(item.question, list(item.history)):
        first = first or (time.perf_counter() - started) * 1000
        answer = event
    return answer, first


def combine(results: Sequence[EvalResult]) -> EvalResult:
    """Several sets' results as one: every item, metrics over all of them, documents named
    <set>/<doc_id> so that sets may reuse document ids; the parts stay in `sets`."""
    items = [r for result in results for r in result.items]
    corpus = [
        {**d, "doc_id": f"{result.name}/{d['doc_id']}" if result.name else d["doc_id"]}
        for result in results
        for d in result.corpus
    ]
    first = results[0].settings if results else {}
    return EvalResult(
        items=items,
        summary=summarize(items),
        per_tag=per_tag(items),
        settings={k: v for k, v in first.items() if k not in ("data_dir", "corpus_dir")},
        files=[f for result in results for f in result.files],
        corpus=corpus,
        created=now(),
        sets=list(results),
    )


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _errored(item: Item, message: str) -> ItemResult:
    return ItemResult(item=item, passed=False, reasons=[message], error=message)


def score_answer(item: Item, answer: Any, bodies: Mapping[str, str]) -> ItemResult:
    """Judge one Answer against its item: reasons, retrieval ranks, citation validity."""
    citations = []
    for c in answer.citations:
        cited = asdict(c)
        problem = metrics.quote_problem(c.quote, c.doc_id, bodies)
        cited["valid"] = problem is None
        if problem:
            cited["problem"] = problem
        citations.append(cited)
    reasons = metrics.judge(
        expect=item.expect,
        forbid=item.forbid,
        sources=item.sources,
        should_abstain=item.abstain,
        answer_text=answer.answer,
        abstained=answer.abstained,
        cited_doc_ids=[c.doc_id for c in answer.citations],
    )
    retrieved = list(answer.retrieved or [])
    cover = None if item.abstain else metrics.cover_rank(item.expect, retrieved)
    return ItemResult(
        item=item,
        passed=not reasons,
        reasons=reasons,
        answer=answer.answer,
        abstained=answer.abstained,
        citations=citations,
        latency_ms=answer.latency_ms,
        query=getattr(answer, "query", "") or "",
        abstain_reason=getattr(answer, "abstain_reason", "") or "",
        retrieved=[str(r.get("doc_id", "")) for r in retrieved],
        hit_rank=None if item.abstain else metrics.hit_rank(item.expect, item.sources, retrieved),
        cover_rank=cover,
        answerer=getattr(answer, "answerer", ""),
        gate=list(getattr(answer, "gate", []) or []),
        stage=""
        if not reasons
        else metrics.stage(
            item.expect, item.abstain, answer.abstained, cover, getattr(answer, "considered", [])
        ),
    )


def summarize(results: Sequence[ItemResult]) -> dict:
    n = len(results)
    passed = sum(r.passed for r in results)
    answerable = [r for r in results if not r.item.abstain]
    cits = [c for r in results for c in r.citations]
    valid = sum(bool(c.get("valid")) for c in cits)
    should = [r for r in results if r.item.abstain]
    did = [r for r in results if r.abstained]
    both = sum(r.item.abstain for r in did)
    latencies = [r.latency_ms for r in results if r.latency_ms is not None]
    return {
        "items": n,
        "passed": passed,
        "failed": n - passed,
        "pass_rate": metrics.ratio(passed, n),
        "errors": sum(r.error is not None for r in results),
        # Failures by the pipeline stage at fault, in the order of the pipeline.
        "stages": {
            key: count
            for key in metrics.STAGES
            if (count := sum(r.stage == key for r in results if not r.passed))
        },
        "hit_items": len(answerable),
        "hit_at": {
            str(k): metrics.ratio(
                sum(r.hit_rank is not None and r.hit_rank <= k for r in answerable),
                len(answerable),
            )
            for k in HIT_KS
        },
        "cover_at_5": metrics.ratio(
            sum(r.cover_rank is not None and r.cover_rank <= 5 for r in answerable),
            len(answerable),
        ),
        "citations": len(cits),
        "citations_valid": valid,
        "citation_validity": metrics.ratio(valid, len(cits)),
        "should_abstain": len(should),
        "abstained": len(did),
        "abstained_correctly": both,
        "abstention_precision": metrics.ratio(both, len(did)),
        "abstention_recall": metrics.ratio(both, len(should)),
        "latency_p50_ms": _round(metrics.percentile(latencies, 50)),
        "latency_p95_ms": _round(metrics.percentile(latencies, 95)),
        **_paths(results),
    }


def _paths(results: Sequence[ItemResult]) -> dict:
    """For a generative answerer: answers by path, answers the gate cut sentences from, and
    the time to the first text on screen. Nothing for an extractive run."""
    paths = [r.answerer for r in results if r.answerer]
    if not paths or set(paths) == {"extractive"}:
        return {}
    firsts = [r.first_ms for r in results if r.first_ms is not None]
    # For an answer the model wrote, the first event is its first checked sentence.
    checked = [r.first_ms for r in results if r.first_ms is not None and r.answerer == "generative"]
    return {
        "answerers": {p: paths.count(p) for p in sorted(set(paths))},
        "gate_cut": sum(r.answerer == "generative" and bool(r.gate) for r in results),
        "first_p50_ms": _round(metrics.percentile(firsts, 50)),
        "first_p95_ms": _round(metrics.percentile(firsts, 95)),
        "checked_first_p50_ms": _round(metrics.percentile(checked, 50)),
        "checked_first_max_ms": _round(max(checked)) if checked else None,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def per_tag(results: Sequence[ItemResult]) -> dict:
    tags: dict[str, list[ItemResult]] = {}
    for r in results:
        for tag in r.item.tags or ["(utan tagg)"]:
            tags.setdefault(tag, []).append(r)
    return {
        tag: {
            "items": len(rs),
            "passed": sum(r.passed for r in rs),
            "pass_rate": metrics.ratio(sum(r.passed for r in rs), len(rs)),
        }
        for tag, rs in sorted(tags.items())
    }


def settings_dict(settings: Any) -> dict:
    """What the run was configured with (never secrets such as the API key)."""
    keys = ("embedding", "answerer", "top_k", "chunk_max_chars", "collection", "chroma_host")
    out = {k: getattr(settings, k, None) for k in keys}
    out["data_dir"] = str(getattr(settings, "data_dir", ""))
    out["corpus_dir"] = str(getattr(settings, "corpus_dir", ""))
    return out


def corpus_fingerprint(corpus_docs: Mapping[str, Any]) -> list[dict]:
    out = []
    for doc_id, doc in sorted(corpus_docs.items()):
        plain = isinstance(doc, str)  # a bare body (str.title is a method, not a title)
        body = doc if plain else doc.body
        out.append(
            {
                "doc_id": doc_id,
                "title": doc_id if plain else doc.title,
                "updated": "" if plain else doc.updated,
                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()[:16],
            }
        )
    return out
