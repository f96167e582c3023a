"""`policybot eval`: run eval sets against the bot, score them, compare with a baseline, gate.

The JSON written by --json is what --baseline reads:
{"summary": {...}, "per_tag": {...}, "items": [...], "settings": {...}, "created": ISO time,
 "files": [...], "corpus": [...], "invalid_citations": [...]}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evals import metrics
from evals.metrics import HIT_KS, ms, pct

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_SETS = Path(__file__).resolve().parent / "sets"
REPORT_SUFFIXES = {".html", ".htm", ".md", ".markdown"}
JSON_FORMAT = 1
WARM_UP_QUESTION = "Vad handlar dokumenten om?"


# -- the eval file format ------------------------------------------------------------------


class EvalFormatError(ValueError):
    """An eval file or item is malformed; the message names the file and the item."""


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    history: list[str] = field(default_factory=list)
    expect: list[str | list[str]] = field(default_factory=list)
    forbid: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    abstain: bool = False
    tags: list[str] = field(default_factory=list)
    file: str = ""


FIELDS = ("id", "question", "history", "expect", "forbid", "sources", "abstain", "tags")


def eval_files(paths: Iterable[str | Path] | None) -> list[Path]:
    """The YAML files to run: the given files, folders expanded; evals/sets/ when none."""
    paths = list(paths or []) or [DEFAULT_SETS]
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                raise EvalFormatError(f"{path}: mappen innehåller inga .yaml-filer")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise EvalFormatError(f"{path}: filen finns inte")
    return files


def load_items(paths: Iterable[str | Path] | str | Path) -> list[Item]:
    """Read and validate eval files (folders are expanded to their .yaml files).

    Raises EvalFormatError naming the file and the item for: invalid YAML, a file that is not a
    list, an item without id or question, unknown keys, values of the wrong type, empty strings
    and ids used twice (in any of the files).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    items: list[Item] = []
    seen: dict[str, str] = {}
    for path in eval_files(paths):
        for item in _load_file(path):
            if item.id in seen:
                where = "samma fil" if seen[item.id] == item.file else seen[item.id]
                raise EvalFormatError(
                    f"{item.file}: fråga {item.id!r}: id:t används redan ({where}); "
                    "varje id ska vara unikt"
                )
            seen[item.id] = item.file
            items.append(item)
    return items


def _load_file(path: Path) -> list[Item]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EvalFormatError(f"{path}: ogiltig YAML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFormatError(f"{path}: kan inte läsas: {exc}") from exc
    if data is None:
        raise EvalFormatError(f"{path}: filen är tom; den ska vara en lista med frågor")
    if not isinstance(data, list):
        raise EvalFormatError(
            f"{path}: filen ska vara en YAML-lista med frågor (- id: ...), inte {_kind(data)}"
        )
    return [_parse_item(raw, path, n) for n, raw in enumerate(data, start=1)]


def _parse_item(raw: Any, path: Path, n: int) -> Item:
    where = f"{path}: fråga nr {n}"
    if not isinstance(raw, dict):
        raise EvalFormatError(
            f"{where}: ska vara en mappning (id, question, ...), inte {_kind(raw)}"
        )
    if "id" in raw:
        ident = _text(raw["id"], f"{where}: id")
        where = f"{path}: fråga {ident!r}"
    else:
        raise EvalFormatError(f"{where}: saknar id")
    unknown = [str(k) for k in raw if k not in FIELDS]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, FIELDS, n=1)
            hints.append(f"{key!r}" + (f" (menade du {close[0]!r}?)" if close else ""))
        raise EvalFormatError(
            f"{where}: okänd nyckel {', '.join(hints)}; tillåtna är {', '.join(FIELDS)}"
        )
    if "question" not in raw or raw["question"] is None:
        raise EvalFormatError(f"{where}: saknar question")
    question = _text(raw["question"], f"{where}: question")
    abstain = raw.get("abstain", False)
    if abstain is None:
        abstain = False
    if not isinstance(abstain, bool):
        raise EvalFormatError(f"{where}: abstain ska vara true eller false, inte {abstain!r}")
    expect = [
        _expectation(e, f"{where}: expect[{i}]") for i, e in enumerate(_list(raw, "expect", where))
    ]
    lists = {
        key: [_text(v, f"{where}: {key}[{i}]") for i, v in enumerate(_list(raw, key, where))]
        for key in ("history", "forbid", "sources", "tags")
    }
    if abstain and (expect or lists["sources"]):
        raise EvalFormatError(
            f"{where}: abstain: true kan inte kombineras med expect eller sources "
            "(boten ska ju avstå); använd forbid för det som inte får stå i svaret"
        )
    return Item(
        id=ident,
        question=question,
        history=lists["history"],
        expect=expect,
        forbid=lists["forbid"],
        sources=lists["sources"],
        abstain=abstain,
        tags=list(dict.fromkeys(lists["tags"])),
        file=str(path),
    )


def _kind(value: Any) -> str:
    return {dict: "en mappning", list: "en lista", str: "en sträng"}.get(
        type(value), f"{type(value).__name__} ({value!r})"
    )


def _list(raw: dict, key: str, where: str) -> list:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise EvalFormatError(
            f"{where}: {key} ska vara en lista, t.ex. {key}: [...], inte {_kind(value)}"
        )
    return value


def _text(value: Any, where: str) -> str:
    """A non-empty string. Integers and dates are taken as written (YAML reads 2003 and
    2019-04-23 as numbers and dates); anything else must be quoted."""
    if isinstance(value, bool) or not isinstance(value, str | int | dt.date):
        raise EvalFormatError(
            f"{where}: ska vara en sträng, inte {_kind(value)}; sätt citattecken runt värdet"
        )
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if not text.strip():
        raise EvalFormatError(f"{where}: får inte vara tom")
    return text


def _expectation(value: Any, where: str) -> str | list[str]:
    if isinstance(value, list):
        if not value:
            raise EvalFormatError(f"{where}: en lista med alternativ får inte vara tom")
        return [_text(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return _text(value, where)


# -- running -------------------------------------------------------------------------------


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
    retrieved: list[str] = field(default_factory=list)  # doc ids of the chunks looked at
    hit_rank: int | None = None
    cover_rank: int | None = None
    error: str | None = None

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
            "retrieved": self.retrieved,
            "error": self.error,
            "file": it.file,
        }


@dataclass
class EvalResult:
    items: list[ItemResult]
    summary: dict
    per_tag: dict
    settings: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    corpus: list[dict] = field(default_factory=list)
    created: str = ""

    @property
    def failing(self) -> list[ItemResult]:
        return [r for r in self.items if not r.passed]

    @property
    def invalid_citations(self) -> list[dict]:
        return [
            {"id": r.item.id, **c} for r in self.items for c in r.citations if not c.get("valid")
        ]

    def to_dict(self, comparison: Comparison | None = None, verdict: Gate | None = None) -> dict:
        return {
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

    def write_json(
        self, path: str | Path, comparison: Comparison | None = None, verdict: Gate | None = None
    ) -> Path:
        """The result as JSON, the file --baseline reads."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.to_dict(comparison, verdict)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path


def _bodies(corpus_docs: Mapping[str, Any]) -> dict[str, str]:
    """doc_id -> body, from SourceDocuments or plain strings."""
    return {d: doc if isinstance(doc, str) else doc.body for d, doc in corpus_docs.items()}


def run_eval(
    bot: Any,
    items: Sequence[Item],
    corpus_docs: Mapping[str, Any],
    progress: bool = False,
    warm_up: bool = True,
) -> EvalResult:
    """Ask the bot every item (bot.ask(question, history) -> Answer) and score the answers.

    corpus_docs maps doc_id to its SourceDocument (or its body text); quotes are checked to be
    verbatim substrings of the cited document's body. warm_up asks one throwaway question
    first so that model loading is not counted as the first item's latency.
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

        iterator = tqdm(items, desc="Utvärderar", unit="fråga", file=sys.stderr)
    results = []
    for item in iterator:
        try:
            answer = bot.ask(item.question, list(item.history))
        except QuestionError as exc:
            results.append(_errored(item, f"ogiltig fråga: {exc}"))
            continue
        except Exception as exc:  # one crashing item must not lose the whole run's report
            results.append(_errored(item, f"fel i boten: {type(exc).__name__}: {exc}"))
            continue
        results.append(score_answer(item, answer, bodies))
    settings = getattr(bot, "settings", None)
    return EvalResult(
        items=results,
        summary=summarize(results),
        per_tag=per_tag(results),
        settings=settings_dict(settings) if settings is not None else {},
        files=list(dict.fromkeys(i.file for i in items)),
        corpus=corpus_fingerprint(corpus_docs),
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


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
    return ItemResult(
        item=item,
        passed=not reasons,
        reasons=reasons,
        answer=answer.answer,
        abstained=answer.abstained,
        citations=citations,
        latency_ms=answer.latency_ms,
        query=getattr(answer, "query", "") or "",
        retrieved=[str(r.get("doc_id", "")) for r in retrieved],
        hit_rank=None if item.abstain else metrics.hit_rank(item.expect, item.sources, retrieved),
        cover_rank=None if item.abstain else metrics.cover_rank(item.expect, retrieved),
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


def load_corpus(corpus_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """doc_id -> SourceDocument for every readable file; messages for the ones that are not."""
    from ingest.loaders import LoadError, discover, load_file

    docs: dict[str, Any] = {}
    warnings: list[str] = []
    for path in discover(corpus_dir):
        try:
            doc = load_file(path)
        except LoadError as exc:
            warnings.append(str(exc))
            continue
        docs.setdefault(doc.doc_id, doc)
    return docs, warnings


def indexed_corpus_dir(settings: Any) -> Path:
    """The folder the index was built from (`policybot ingest --corpus` may differ from the
    setting), so quotes are checked against the documents the bot actually answers from."""
    from ingest.store import read_state

    recorded = read_state(settings).get("corpus_dir")
    if recorded and Path(recorded).is_dir():
        return Path(recorded)
    return Path(settings.corpus_dir)


# -- baseline and gate ---------------------------------------------------------------------


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


@dataclass
class Comparison:
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


@dataclass
class Gate:
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


# -- the summary table ---------------------------------------------------------------------


def table(rows: Sequence[Sequence[str]], header: Sequence[str], right: Iterable[int] = ()) -> str:
    """A plain-text table with aligned columns; columns in `right` are right-aligned."""
    right = set(right)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _of(part: int, whole: int, share: float | None) -> str:
    return f"{part} av {whole} ({pct(share)})"


def metric_rows(result: EvalResult) -> list[tuple[str, str]]:
    """The headline metrics as (name, value), shared by the terminal table and the reports."""
    s = result.summary
    hits = " / ".join(pct(s["hit_at"][str(k)]) for k in HIT_KS)
    return [
        ("Godkända", _of(s["passed"], s["items"], s["pass_rate"])),
        (f"Träff@{'/@'.join(map(str, HIT_KS))} (rätt källa)", f"{hits}  ({s['hit_items']} frågor)"),
        ("Alla fakta i topp 5", pct(s["cover_at_5"])),
        (
            "Ordagranna citat",
            _of(s["citations_valid"], s["citations"], s["citation_validity"]),
        ),
        (
            "Avstående precision",
            f"{pct(s['abstention_precision'])}  ({s['abstained_correctly']} av {s['abstained']})",
        ),
        (
            "Avstående recall",
            f"{pct(s['abstention_recall'])}  ({s['abstained_correctly']} av {s['should_abstain']})",
        ),
        ("Svarstid p50 / p95", f"{ms(s['latency_p50_ms'])} / {ms(s['latency_p95_ms'])}"),
    ]


def _delta(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    diff = 100 * (now - before)
    return "±0" if abs(diff) < 0.05 else f"{diff:+.1f}"


def format_summary(
    result: EvalResult, comparison: Comparison | None = None, verdict: Gate | None = None
) -> str:
    s = result.summary
    out = [
        f"Utvärdering: {s['items']} frågor från {len(result.files)} fil(er); "
        f"embedding {result.settings.get('embedding', '?')}, "
        f"svar {result.settings.get('answerer', '?')}",
        "",
    ]
    rows = [list(r) for r in metric_rows(result)]
    header = ["Mått", "Värde"]
    if comparison:
        header.append("Baslinje")
        rows[0].append(
            f"{pct(comparison.summary.get('pass_rate'))} "
            f"({_delta(s['pass_rate'], comparison.summary.get('pass_rate'))} p.e.)"
        )
        for r in rows[1:]:
            r.append("")
    out += [table(rows, header), ""]

    tag_header = ["Tagg", "Frågor", "Godkända", "Andel"]
    tag_rows = []
    for tag, t in result.per_tag.items():
        row = [tag, str(t["items"]), str(t["passed"]), pct(t["pass_rate"])]
        if comparison:
            row.append(_delta(t["pass_rate"], (comparison.per_tag.get(tag) or {}).get("pass_rate")))
        tag_rows.append(row)
    if comparison:
        tag_header.append("Ändring (p.e.)")
    out += [table(tag_rows, tag_header, right={1, 2, 3, 4}), ""]

    failing = result.failing
    if failing:
        out.append(f"Underkända ({len(failing)}):")
        out += [f"  {r.item.id}: {'; '.join(r.reasons)}" for r in failing]
        out.append("")
    invalid = result.invalid_citations
    if invalid:
        out.append(f"Citat som inte är ordagranna ({len(invalid)}):")
        out += [
            f"  {c['id']} [{c['n']}] {c['doc_id']}: {c.get('problem')}: ”{_clip(c['quote'], 80)}”"
            for c in invalid
        ]
        out.append("  Har korpusen ändrats utan att `policybot ingest` körts?")
        out.append("")
    if comparison:
        out.append(
            f"Jämfört med baslinjen {comparison.path} ({comparison.created or 'okänt datum'}):"
        )
        out.append(f"  Nya fel ({len(comparison.newly_failing)}): {_ids(comparison.newly_failing)}")
        out.append(
            f"  Nya godkända ({len(comparison.newly_passing)}): {_ids(comparison.newly_passing)}"
        )
        if comparison.added:
            out.append(f"  Nya frågor ({len(comparison.added)}): {_ids(comparison.added)}")
        if comparison.removed:
            out.append(
                f"  Borttagna frågor ({len(comparison.removed)}): {_ids(comparison.removed)}"
            )
        if comparison.changed_docs:
            out.append(f"  Ändrade dokument: {', '.join(comparison.changed_docs)}")
        out.append("")
    if verdict:
        out += verdict.messages(result)
    return "\n".join(out).rstrip() + "\n"


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "inga"


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- the command ---------------------------------------------------------------------------


def main(args: Any, settings: Any) -> int:
    """`policybot eval [FILES...] [--json OUT] [--report OUT.html|OUT.md] [--baseline PREV.json]
    [--fail-under PCT] [--allow-regressions]`; returns the exit code."""
    files = getattr(args, "files", None) or []
    json_out = getattr(args, "json_out", None)
    report_out = getattr(args, "report", None)
    baseline_path = getattr(args, "baseline", None)
    fail_under = getattr(args, "fail_under", None)
    allow_regressions = bool(getattr(args, "allow_regressions", False))

    # Everything that can be wrong with the arguments is reported before the slow part.
    if fail_under is not None and not 0 <= fail_under <= 100:
        return _usage(f"--fail-under ska vara en procentsats 0–100, inte {fail_under:g}")
    if report_out and Path(report_out).suffix.lower() not in REPORT_SUFFIXES:
        return _usage(f"--report ska sluta på .html eller .md: {report_out}")
    try:
        items = load_items(files)
        baseline = load_baseline(baseline_path) if baseline_path else None
    except (EvalFormatError, BaselineError) as exc:
        return _usage(str(exc))
    if not items:
        return _usage("inga frågor att utvärdera")

    from bot.service import PolicyBot
    from ingest.embeddings import ProviderError
    from ingest.indexer import CorpusError

    try:
        bot = PolicyBot.from_settings(settings, progress=sys.stderr.isatty())
    except (CorpusError, ProviderError) as exc:
        return _usage(str(exc))
    corpus_dir = indexed_corpus_dir(settings)
    corpus_docs, warnings = load_corpus(corpus_dir) if corpus_dir.is_dir() else ({}, [])
    for warning in warnings:
        print(f"Varning: {warning}", file=sys.stderr)

    result = run_eval(bot, items, corpus_docs, progress=True)
    result.settings["corpus_dir"] = str(corpus_dir)
    comparison = compare(result, baseline, baseline_path) if baseline is not None else None
    verdict = gate(result, comparison, fail_under, allow_regressions)

    # A verdict only means something when there was something to hold the run to.
    shown = verdict if (fail_under is not None or comparison is not None) else None
    sys.stdout.write(format_summary(result, comparison, shown))
    if json_out:
        print(f"JSON: {result.write_json(json_out, comparison, verdict)}")
    if report_out:
        from evals.report import write_report

        for written in write_report(report_out, result, comparison, shown):
            print(f"Rapport: {written}")
    return EXIT_FAILED if verdict.failed else EXIT_OK


def _usage(message: str) -> int:
    print(f"Fel: {message}", file=sys.stderr)
    return EXIT_USAGE
