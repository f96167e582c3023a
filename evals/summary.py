"""An eval run as text: the terminal summary, and the tables and labels the reports share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from evals.metrics import HIT_KS, STAGES, ms, pct
from evals.results import Comparison, EvalResult, Gate, ItemResult
from evals.schema import Item

SETS_HEADER = (
    "Mängd",
    "Frågor",
    "Godkända",
    "Andel",
    "Avstående precision",
    "Avstående recall",
    "Ordagranna citat",
    "Svarstid p50",
)
TOTAL = "Totalt"


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


def delta(now: float | None, before: float | None) -> str:
    """The change of a share in percentage points, signed; empty when either is unknown."""
    if now is None or before is None:
        return ""
    diff = 100 * (now - before)
    return "±0" if abs(diff) < 0.05 else f"{diff:+.1f}"


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
        ("Fel per steg", stage_counts(s.get("stages") or {})),
        *_path_rows(s),
    ]


PATH_LABELS = {
    "generative": "språkmodellen",
    "extractive-fallback": "extraktivt i stället",
    "extractive": "extraktivt (avstod)",
}


def _path_rows(s: Mapping) -> list[tuple[str, str]]:
    """How a generative answerer's answers were written, for a run with one."""
    if "answerers" not in s:
        return []
    paths = " · ".join(f"{PATH_LABELS.get(k, k)} {n}" for k, n in s["answerers"].items())
    first = f"{ms(s['first_p50_ms'])} / {ms(s['first_p95_ms'])}"
    return [
        ("Svaret skrevs av", paths),
        ("Svar där grinden strök meningar", str(s["gate_cut"])),
        ("Första text på skärmen p50 / p95", first),
        (
            "Språkmodellens första kontrollerade mening p50 / max",
            f"{ms(s.get('checked_first_p50_ms'))} / {ms(s.get('checked_first_max_ms'))}",
        ),
    ]


def stage_counts(stages: Mapping[str, int]) -> str:
    """ "svaret hämtades inte 3 · hämtat men inte valt 5", in the pipeline's order."""
    return " · ".join(f"{STAGES.get(k, k)} {n}" for k, n in stages.items()) or "–"


def stage_of(r: ItemResult) -> str:
    return STAGES.get(r.stage, r.stage)


def set_rows(result: EvalResult) -> list[list[str]]:
    """One row per set of a combined result (columns SETS_HEADER), then the total."""

    def row(name: str, s: dict) -> list[str]:
        return [
            name,
            str(s["items"]),
            str(s["passed"]),
            pct(s["pass_rate"]),
            pct(s["abstention_precision"]),
            pct(s["abstention_recall"]),
            pct(s["citation_validity"]),
            ms(s["latency_p50_ms"]),
        ]

    return [row(p.name or "(egna filer)", p.summary) for p in result.sets] + [
        row(TOTAL, result.summary)
    ]


def format_run(
    result: EvalResult,
    comparison: Comparison | None = None,
    verdict: Gate | None = None,
    set_comparisons: Mapping[str, Comparison] | None = None,
) -> str:
    """The summary of a run: one set as format_summary; several sets each with its summary,
    then the table of sets with the total, the changes against the baseline and the verdict."""
    if not result.sets:
        return format_summary(result, comparison, verdict)
    set_comparisons = set_comparisons or {}
    out = []
    for part in result.sets:
        title = f"Mängd {part.name}" if part.name else "Egna filer"
        out += [f"== {title} ==", format_summary(part, set_comparisons.get(part.name))]
    out += [
        f"== Alla mängder ({len(result.sets)}) ==",
        table(set_rows(result), SETS_HEADER, right=range(1, len(SETS_HEADER))),
        "",
    ]
    if comparison:
        out += _comparison_lines(comparison)
    if verdict:
        out += verdict.messages(result)
    return "\n".join(out).rstrip() + "\n"


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
            f"({delta(s['pass_rate'], comparison.summary.get('pass_rate'))} p.e.)"
        )
        for r in rows[1:]:
            r.append("")
    out += [table(rows, header), ""]

    tag_header = ["Tagg", "Frågor", "Godkända", "Andel"]
    tag_rows = []
    for tag, t in result.per_tag.items():
        row = [tag, str(t["items"]), str(t["passed"]), pct(t["pass_rate"])]
        if comparison:
            row.append(delta(t["pass_rate"], (comparison.per_tag.get(tag) or {}).get("pass_rate")))
        tag_rows.append(row)
    if comparison:
        tag_header.append("Ändring (p.e.)")
    out += [table(tag_rows, tag_header, right={1, 2, 3, 4}), ""]

    failing = result.failing
    if failing:
        out.append(f"Underkända ({len(failing)}):")
        out += [f"  {r.item.id}: [{stage_of(r)}] {'; '.join(r.reasons)}" for r in failing]
        out.append("")
    invalid = result.invalid_citations
    if invalid:
        out.append(f"Citat som inte är ordagranna ({len(invalid)}):")
        out += [
            f"  {c['id']} [{c['n']}] {c['doc_id']}: {c.get('problem')}: ”{clip(c['quote'], 80)}”"
            for c in invalid
        ]
        out.append("  Har korpusen ändrats utan att `policybot ingest` körts?")
        out.append("")
    if comparison:
        out += _comparison_lines(comparison)
    if verdict:
        out += verdict.messages(result)
    return "\n".join(out).rstrip() + "\n"


def _comparison_lines(comparison: Comparison) -> list[str]:
    c = comparison
    out = [f"Jämfört med baslinjen {c.path} ({c.created or 'okänt datum'}):"]
    out.append(f"  Nya fel ({len(c.newly_failing)}): {_ids(c.newly_failing)}")
    out.append(f"  Nya godkända ({len(c.newly_passing)}): {_ids(c.newly_passing)}")
    if c.added:
        out.append(f"  Nya frågor ({len(c.added)}): {_ids(c.added)}")
    if c.removed:
        out.append(f"  Borttagna frågor ({len(c.removed)}): {_ids(c.removed)}")
    if c.changed_docs:
        out.append(f"  Ändrade dokument: {', '.join(c.changed_docs)}")
    out.append("")
    return out


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "inga"


def clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def cards(result: EvalResult) -> list[tuple[str, str, str]]:
    """(title, big value, detail) for the headline metrics of the reports."""
    s = result.summary
    return [
        ("Godkända", pct(s["pass_rate"]), f"{s['passed']} av {s['items']} frågor"),
        (
            "Träff@" + "/".join(map(str, HIT_KS)),
            " / ".join(pct(s["hit_at"][str(k)], 0) for k in HIT_KS),
            f"rätt källa med fakta bland hämtade avsnitt ({s['hit_items']} frågor); "
            f"alla fakta i topp 5: {pct(s['cover_at_5'], 0)}",
        ),
        (
            "Ordagranna citat",
            pct(s["citation_validity"]),
            f"{s['citations_valid']} av {s['citations']} citat finns ordagrant i korpusen",
        ),
        (
            "Avstående P / R",
            f"{pct(s['abstention_precision'], 0)} / {pct(s['abstention_recall'], 0)}",
            f"avstod {s['abstained']} gånger, {s['abstained_correctly']} rätt; "
            f"{s['should_abstain']} frågor ska avstås",
        ),
        (
            "Svarstid p50 / p95",
            f"{ms(s['latency_p50_ms'])} / {ms(s['latency_p95_ms'])}",
            "per fråga, utan modell-laddning",
        ),
    ]


def where(c: dict) -> str:
    """A citation's document, date and section, as the answer cards show them."""
    text = f"{c.get('title') or c.get('doc_id')} ({c.get('updated', '')})"
    if c.get("section"):
        text += f", avsnitt ”{c['section']}”"
    return text


def expected(item: Item) -> str:
    """What an item expects, in words."""
    if item.abstain:
        return "avstå"
    return "; ".join(e if isinstance(e, str) else " eller ".join(e) for e in item.expect) or "–"
