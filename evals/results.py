"""What an eval run produces: item and set results, the baseline comparison and the gate.

The JSON written by --json is what --baseline reads:
{"summary": {...}, "per_tag": {...}, "items": [...], "settings": {...}, "created": ISO time,
 "files": [...], "corpus": [...], "invalid_citations": [...], "baseline": ..., "gate": ...}
A run over several eval sets adds "sets": [{"name", "summary", "items", ...}, ...]; its top-level
summary, items (ids qualified as <set>/<id>) and corpus (doc ids as <set>/<doc_id>) cover all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from evals.metrics import pct
from evals.schema import Item

JSON_FORMAT = 1


@dataclass
class ItemResult:
    item: Item
    passed: bool
    reasons: list[str]
    answer: str = ""
    abstained: bool = False
    citations: list[dict] = field(default_factory=list)  # Citation fields + valid, problem
    latency_ms: float | None = None
    query: str = ""
    abstain_reason: str = ""  # which of the answerer's checks abstained
    retrieved: list[str] = field(default_factory=list)  # doc ids of the chunks looked at
    hit_rank: int | None = None
    cover_rank: int | None = None
    error: str | None = None
    stage: str = ""  # for a failure, the pipeline stage at fault (a key of metrics.STAGES)
    # Which path wrote the answer (bot.compose.Answer.answerer), the gate's reasons, and how
    # long until the first text was on screen (a generative answer's first checked sentence).
    answerer: str = ""
    gate: list[str] = field(default_factory=list)
    first_ms: float | None = None

    def to_dict(self) -> dict:
        it = self.item
        return {
            "id": it.id,
            "question": it.question,
            "history": it.history,
            "passed": self.passed,
            "reasons": self.reasons,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": self.citations,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "tags": it.tags,
            "hit_rank": self.hit_rank,
            "cover_rank": self.cover_rank,
            "expect": it.expect,
            "forbid": it.forbid,
            "sources": it.sources,
            "should_abstain": it.abstain,
            "query": self.query,
            "abstain_reason": self.abstain_reason,
            "retrieved": self.retrieved,
            "error": self.error,
            "stage": self.stage,
            "file": it.file,
            "answerer": self.answerer,
            **({"gate": self.gate} if self.gate else {}),
            **({"first_ms": round(self.first_ms, 1)} if self.first_ms is not None else {}),
        }


@dataclass
class Comparison:
    """An eval result against a baseline: which items changed verdict, which documents changed."""

    path: str
    created: str | None
    summary: dict
    per_tag: dict
    newly_failing: list[str]
    newly_passing: list[str]
    added: list[str]
    removed: list[str]
    changed_docs: list[str]
    previous: dict[str, dict]  # id -> the baseline's item

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "created": self.created,
            "pass_rate": self.summary.get("pass_rate"),
            "newly_failing": self.newly_failing,
            "newly_passing": self.newly_passing,
            "added": self.added,
            "removed": self.removed,
            "changed_docs": self.changed_docs,
        }


@dataclass
class EvalResult:
    """One eval set's results; or, with `sets`, the combination of several sets' results.

    name is the set's name for a set with its own corpus ("" for plain YAML files run against
    the configured corpus); its item ids are then qualified as <name>/<id>.
    """

    items: list[ItemResult]
    summary: dict
    per_tag: dict
    settings: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    corpus: list[dict] = field(default_factory=list)
    created: str = ""
    name: str = ""
    sets: list[EvalResult] = field(default_factory=list)

    @property
    def failing(self) -> list[ItemResult]:
        return [r for r in self.items if not r.passed]

    @property
    def invalid_citations(self) -> list[dict]:
        return [
            {"id": r.item.id, **c} for r in self.items for c in r.citations if not c.get("valid")
        ]

    def to_dict(self, comparison: Comparison | None = None, verdict: Gate | None = None) -> dict:
        data = {
            "format": JSON_FORMAT,
            "created": self.created,
            "summary": self.summary,
            "per_tag": self.per_tag,
            "items": [r.to_dict() for r in self.items],
            "invalid_citations": self.invalid_citations,
            "settings": self.settings,
            "files": self.files,
            "corpus": self.corpus,
            "baseline": comparison.to_dict() if comparison else None,
            "gate": verdict.to_dict() if verdict else None,
        }
        if self.name:
            data["name"] = self.name
        if self.sets:
            data["sets"] = [s.to_dict() for s in self.sets]
        return data

    def write_json(
        self,
        path: str | Path,
        comparison: Comparison | None = None,
        verdict: Gate | None = None,
        texts: bool = True,
    ) -> Path:
        """The result as JSON, the file --baseline reads. Without texts, the answers and the
        citations' quotes are left out: they are the documents' own words, and a baseline over
        documents the project does not commit must not carry them into the repository."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.to_dict(comparison, verdict)
        if not texts:
            _strip_texts(data)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path


@dataclass
class Gate:
    """The verdict: under the pass-rate limit, or items that regressed since the baseline."""

    fail_under: float | None
    allow_regressions: bool
    below_threshold: bool
    regressions: list[str]

    @property
    def failed(self) -> bool:
        return self.below_threshold or (bool(self.regressions) and not self.allow_regressions)

    def messages(self, result: EvalResult) -> list[str]:
        out = []
        pass_rate = result.summary["pass_rate"]
        if self.fail_under is not None:
            verdict = "under" if self.below_threshold else "inte under"
            out.append(
                f"Andelen godkända {pct(pass_rate)} är {verdict} gränsen {self.fail_under:g} %."
            )
        if self.regressions:
            note = " (tillåts med --allow-regressions)" if self.allow_regressions else ""
            out.append(
                f"{len(self.regressions)} fråga(or) har försämrats sedan baslinjen{note}: "
                + ", ".join(self.regressions)
            )
        out.append("Resultat: UNDERKÄNT" if self.failed else "Resultat: GODKÄNT")
        return out

    def to_dict(self) -> dict:
        return {
            "fail_under": self.fail_under,
            "allow_regressions": self.allow_regressions,
            "below_threshold": self.below_threshold,
            "regressions": self.regressions,
            "failed": self.failed,
        }


def _strip_texts(data: dict) -> None:
    """Drop every answer and quote from a result's dict (its sets' too), in place."""
    for item in data.get("items", []):
        item.pop("answer", None)
        for citation in item.get("citations", []):
            citation.pop("quote", None)
    for citation in data.get("invalid_citations", []):
        citation.pop("quote", None)
    for part in data.get("sets", []):
        _strip_texts(part)
