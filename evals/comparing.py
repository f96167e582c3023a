"""Baselines: reading a previous result, comparing item by item, and the pass/fail gate."""

from __future__ import annotations

import json
from pathlib import Path

from evals.results import Comparison, EvalResult, Gate


class BaselineError(ValueError):
    """The baseline file cannot be read or is not an eval result."""


def load_baseline(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(f"{path}: baslinjen finns inte") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: kan inte läsa baslinjen: {exc}") from exc
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) and "passed" in i for i in items
    ):
        raise BaselineError(
            f"{path}: är inte ett resultat från `policybot eval --json` (saknar items med id)"
        )
    return data


def compare(result: EvalResult, baseline: dict, path: str | Path = "") -> Comparison:
    """Items that passed in the baseline and fail now, and the other way round."""
    before = {i["id"]: i for i in baseline.get("items", [])}
    now_ids = {r.item.id for r in result.items}
    failing, passing, added = [], [], []
    for r in result.items:
        prev = before.get(r.item.id)
        if prev is None:
            added.append(r.item.id)
        elif prev.get("passed") and not r.passed:
            failing.append(r.item.id)
        elif not prev.get("passed") and r.passed:
            passing.append(r.item.id)
    old_docs = {d.get("doc_id"): d.get("sha256") for d in baseline.get("corpus") or []}
    new_docs = {d["doc_id"]: d["sha256"] for d in result.corpus}
    changed = (
        sorted(d for d in old_docs.keys() | new_docs.keys() if old_docs.get(d) != new_docs.get(d))
        if old_docs
        else []
    )
    return Comparison(
        path=str(path),
        created=baseline.get("created"),
        summary=baseline.get("summary") or {},
        per_tag=baseline.get("per_tag") or {},
        newly_failing=failing,
        newly_passing=passing,
        added=added,
        removed=[i for i in before if i not in now_ids],
        changed_docs=changed,
        previous=before,
    )


def compare_sets(
    result: EvalResult, baseline: dict, path: str | Path = ""
) -> dict[str, Comparison]:
    """Each set of a combined result against the same set in the baseline (by name); a set the
    baseline does not have is compared with nothing, so all its items count as added."""
    before = {s.get("name", ""): s for s in baseline.get("sets") or [] if isinstance(s, dict)}
    empty = {"items": [], "created": baseline.get("created")}
    return {s.name: compare(s, before.get(s.name, empty), path) for s in result.sets}


def gate(
    result: EvalResult,
    comparison: Comparison | None,
    fail_under: float | None,
    allow_regressions: bool = False,
) -> Gate:
    """Fail when the pass rate (percent) is under fail_under, or when any item regressed."""
    s = result.summary
    # Integer arithmetic: 29 of 100 is exactly 29 %, not 28.999... under a limit of 29.
    below = fail_under is not None and s["passed"] * 100 < fail_under * s["items"]
    return Gate(
        fail_under=fail_under,
        allow_regressions=allow_regressions,
        below_threshold=below,
        regressions=list(comparison.newly_failing) if comparison else [],
    )
