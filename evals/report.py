"""The eval report: self-contained HTML from a Jinja2 template, or Markdown with SVG charts.

Both hold the summary, a bar chart of the pass rate per tag (inline SVG), the comparison with
the baseline and every failing item with its question, answer, citations and reasons; a run
over several eval sets gets the table of sets and a section per set. The templates autoescape,
so every piece of text from questions, answers and documents is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from evals.markdown import render_markdown
from evals.metrics import ms, pct
from evals.results import Comparison, EvalResult, Gate, ItemResult
from evals.summary import SETS_HEADER, cards, delta, expected, set_rows, stage_of, where

GOOD, FAIR, POOR, UNKNOWN = "#2e7d32", "#e0a100", "#c62828", "#9e9e9e"
HTML_SUFFIXES, MARKDOWN_SUFFIXES = (".html", ".htm"), (".md", ".markdown")
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

_env = Environment(
    loader=PackageLoader("evals", "templates"),
    autoescape=True,  # every template, whatever its name: the SVG chart is markup too
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass
class Section:
    """What the report shows of one eval set."""

    result: EvalResult
    comparison: Comparison | None
    chart: Markup
    failing: list[ItemResult]  # the newly failing first
    newly: set[str]


def write_report(
    path: str | Path,
    result: EvalResult,
    comparison: Comparison | None = None,
    verdict: Gate | None = None,
    set_comparisons: Mapping[str, Comparison] | None = None,
) -> list[Path]:
    """Write the report in the format the suffix names (.html/.htm or .md/.markdown).

    set_comparisons holds, for a run over several sets, each set's comparison by set name.
    Returns the files written: the report, and for Markdown the chart(s) beside it (.svg).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    secs = sections(result, comparison, set_comparisons)
    if suffix in HTML_SUFFIXES:
        path.write_text(render_html(result, comparison, verdict, secs), encoding="utf-8")
        return [path]
    if suffix in MARKDOWN_SUFFIXES:
        charts = []
        for n, sec in enumerate(secs):
            tail = f"-{sec.result.name or n}" if result.sets else ""
            svg = path.with_name(f"{path.stem}{tail}.svg")
            svg.write_text(XML_DECLARATION + str(sec.chart), encoding="utf-8")
            charts.append(svg)
        text = render_markdown(result, comparison, verdict, secs, [c.name for c in charts])
        path.write_text(text, encoding="utf-8")
        return [path, *charts]
    raise ValueError(f"Unknown report format {path.suffix!r}; use .html or .md")


def sections(
    result: EvalResult,
    comparison: Comparison | None,
    set_comparisons: Mapping[str, Comparison] | None = None,
) -> list[Section]:
    """One section per set of a combined result, or the one result itself."""
    if result.sets:
        pairs = [(p, (set_comparisons or {}).get(p.name)) for p in result.sets]
    else:
        pairs = [(result, comparison)]
    out = []
    for part, cmp in pairs:
        new = set(cmp.newly_failing) if cmp else set()
        failing = part.failing
        out.append(
            Section(
                result=part,
                comparison=cmp,
                chart=Markup(pass_rate_chart(part, cmp, chart_id=f"chart-{len(out)}")),
                failing=[r for r in failing if r.item.id in new]
                + [r for r in failing if r.item.id not in new],
                newly=new,
            )
        )
    return out


def render_html(
    result: EvalResult,
    comparison: Comparison | None,
    verdict: Gate | None,
    secs: list[Section],
) -> str:
    return _env.get_template("report.html.j2").render(
        result=result,
        comparison=comparison,
        verdict=verdict,
        sections=secs,
        sets_header=SETS_HEADER,
        set_rows=set_rows(result) if result.sets else [],
        **helpers(),
    )


def helpers() -> dict:
    """Functions the templates call."""
    return {
        "pct": pct,
        "ms": ms,
        "delta": delta,
        "cards": cards,
        "where": where,
        "expected": expected,
        "stage_of": stage_of,
        "basename": lambda p: Path(p).name,
        "question_map": lambda result: {r.item.id: r.item.question for r in result.items},
        # A value never wraps before its unit.
        "nowrap": lambda s: s.replace(" %", "\u00a0%").replace(" ms", "\u00a0ms"),
    }


# -- the chart -----------------------------------------------------------------------------


def _color(rate: float | None) -> str:
    if rate is None:
        return UNKNOWN
    return GOOD if rate >= 0.8 else FAIR if rate >= 0.5 else POOR


def pass_rate_chart(
    result: EvalResult, comparison: Comparison | None = None, chart_id: str = "chart-title"
) -> str:
    """Horizontal bars of the pass rate per tag, weakest first, the total on top; a black tick
    marks each tag's rate in the baseline. chart_id keeps ids unique when a page has several."""
    rows = [("Totalt", result.summary["items"], result.summary["pass_rate"])]
    before = {"Totalt": comparison.summary.get("pass_rate")} if comparison else {}
    tags = sorted(
        result.per_tag.items(), key=lambda kv: (kv[1]["pass_rate"] or 0.0, kv[0].casefold())
    )
    for tag, t in tags:
        rows.append((tag, t["items"], t["pass_rate"]))
        if comparison and tag in comparison.per_tag:
            before[tag] = comparison.per_tag[tag].get("pass_rate")

    label_w, bar_w, value_w, row_h, top = 200, 480, 70, 26, 34
    x0 = label_w + 10
    chart = {
        "id": chart_id,
        "width": label_w + bar_w + value_w + 20,
        "height": top + row_h * len(rows) + (30 if comparison else 12),
        "top": top,
        "bottom": top + row_h * len(rows),
        "label_w": label_w,
        "bar_w": bar_w,
        "x0": x0,
        "value_x": x0 + bar_w + 8,
        "grid": [{"x": f"{x0 + bar_w * p / 100:.1f}", "label": p} for p in (0, 25, 50, 75, 100)],
        "legend_y": top + row_h * len(rows) + 20 if comparison else None,
        "rows": [],
    }
    for i, (label, n, rate) in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        prev = before.get(label)
        chart["rows"].append(
            {
                "name": f"{label} ({n})",
                "rate": rate,
                "prev": prev,
                "text_y": f"{cy + 4:.1f}",
                "bar_y": f"{cy - 8:.1f}",
                "w": f"{bar_w * (rate or 0.0):.1f}",
                "color": _color(rate),
                "tick": None if prev is None else f"{x0 + bar_w * prev:.1f}",
                "tick_y1": f"{cy - 11:.1f}",
                "tick_y2": f"{cy + 11:.1f}",
            }
        )
    return _env.get_template("chart.svg.j2").render(c=chart, pct=pct)
