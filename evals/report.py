"""The eval report: self-contained HTML, or Markdown with the chart as an SVG file beside it.

Both hold the summary, a bar chart of the pass rate per tag (inline SVG), the comparison with
the baseline and every failing item with its question, answer, citations and reasons. Every
piece of text from questions, answers and documents is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from evals.metrics import HIT_KS, ms, pct

if TYPE_CHECKING:
    from evals.runner import Comparison, EvalResult, Gate, ItemResult

GOOD, FAIR, POOR = "#2e7d32", "#e0a100", "#c62828"


def write_report(
    path: str | Path,
    result: EvalResult,
    comparison: Comparison | None = None,
    verdict: Gate | None = None,
) -> list[Path]:
    """Write the report in the format the suffix names (.html/.htm or .md/.markdown).

    Returns the files written: the report, and for Markdown the chart beside it (OUT.svg).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = pass_rate_chart(result, comparison)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(render_html(result, comparison, verdict, chart), encoding="utf-8")
        return [path]
    if suffix in (".md", ".markdown"):
        svg_path = path.with_suffix(".svg")
        svg_path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + chart, encoding="utf-8")
        path.write_text(
            render_markdown(result, comparison, verdict, svg_path.name), encoding="utf-8"
        )
        return [path, svg_path]
    raise ValueError(f"Unknown report format {path.suffix!r}; use .html or .md")


# -- the chart -----------------------------------------------------------------------------


def _color(rate: float | None) -> str:
    if rate is None:
        return "#9e9e9e"
    return GOOD if rate >= 0.8 else FAIR if rate >= 0.5 else POOR


def pass_rate_chart(result: EvalResult, comparison: Comparison | None = None) -> str:
    """Horizontal bars of the pass rate per tag, weakest first, the total on top; a black tick
    marks each tag's rate in the baseline."""
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
    width = label_w + bar_w + value_w + 20
    height = top + row_h * len(rows) + (30 if comparison else 12)
    x0 = label_w + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">',
        '<title id="chart-title">Andel godkända per tagg</title>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for pct_mark in (0, 25, 50, 75, 100):
        x = x0 + bar_w * pct_mark / 100
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{top + row_h * len(rows)}" '
            'stroke="#e0e0e0" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{top - 14}" text-anchor="middle" fill="#757575" '
            f'font-size="11">{pct_mark} %</text>'
        )
    for i, (label, n, rate) in enumerate(rows):
        y = top + i * row_h
        cy = y + row_h / 2
        weight = ' font-weight="bold"' if i == 0 else ""
        name = escape(f"{label} ({n})")
        out.append(
            f'<text x="{label_w}" y="{cy + 4:.1f}" text-anchor="end" fill="#212121"{weight}>'
            f"{name}</text>"
        )
        out.append(f'<rect x="{x0}" y="{cy - 8:.1f}" width="{bar_w}" height="16" fill="#f5f5f5"/>')
        w = bar_w * (rate or 0.0)
        out.append(
            f'<rect x="{x0}" y="{cy - 8:.1f}" width="{w:.1f}" height="16" '
            f'fill="{_color(rate)}"><title>{name}: {escape(pct(rate))}</title></rect>'
        )
        out.append(
            f'<text x="{x0 + bar_w + 8}" y="{cy + 4:.1f}" fill="#212121"{weight}>'
            f"{escape(pct(rate, 0))}</text>"
        )
        prev = before.get(label)
        if prev is not None:
            bx = x0 + bar_w * prev
            out.append(
                f'<line x1="{bx:.1f}" y1="{cy - 11:.1f}" x2="{bx:.1f}" y2="{cy + 11:.1f}" '
                f'stroke="#000000" stroke-width="2"><title>baslinjen: {escape(pct(prev))}'
                "</title></line>"
            )
    if comparison:
        y = top + row_h * len(rows) + 20
        out.append(
            f'<line x1="{x0}" y1="{y - 10}" x2="{x0}" y2="{y + 2}" stroke="#000" stroke-width="2"/>'
        )
        out.append(
            f'<text x="{x0 + 8}" y="{y}" fill="#616161" font-size="11">= andel i baslinjen</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# -- shared pieces -------------------------------------------------------------------------


def _cards(result: EvalResult) -> list[tuple[str, str, str]]:
    """(title, big value, detail) for the headline metrics."""
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


def _ordered_failing(result: EvalResult, comparison: Comparison | None) -> list[ItemResult]:
    """Failing items, the newly failing ones first."""
    new = set(comparison.newly_failing) if comparison else set()
    failing = result.failing
    return [r for r in failing if r.item.id in new] + [r for r in failing if r.item.id not in new]


def _delta(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    diff = 100 * (now - before)
    return "±0" if abs(diff) < 0.05 else f"{diff:+.1f}"


def _where(c: dict) -> str:
    where = f"{c.get('title') or c.get('doc_id')} ({c.get('updated', '')})"
    if c.get("section"):
        where += f", avsnitt ”{c['section']}”"
    return where


# -- HTML ----------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#fafafa;
color:#212121;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 12px;border-bottom:1px solid
#e0e0e0;padding-bottom:4px}
.meta{color:#616161;font-size:14px;margin:0}
.verdict{margin:18px 0;padding:12px 16px;border-radius:6px;font-weight:600}
.verdict.ok{background:#e8f5e9;border-left:6px solid #2e7d32}
.verdict.fail{background:#ffebee;border-left:6px solid #c62828}
.verdict p{margin:2px 0;font-weight:400}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px}
.card{background:#fff;border:1px solid #e0e0e0;border-radius:8px;padding:12px 14px}
.card h3{margin:0;font-size:13px;color:#616161;font-weight:600;text-transform:uppercase;
letter-spacing:.03em}
.card .big{font-size:23px;font-weight:700;margin:4px 0}
.card .small{font-size:12px;color:#757575}
table{border-collapse:collapse;background:#fff;font-size:14px}
th,td{border:1px solid #e0e0e0;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.item{background:#fff;border:1px solid #e0e0e0;border-left:6px solid #c62828;border-radius:6px;
padding:12px 16px;margin:0 0 14px}
.item h3{margin:0 0 6px;font-size:16px}.item h3 code{font-size:15px}
.tag{display:inline-block;background:#eceff1;border-radius:10px;padding:0 8px;margin-right:4px;
font-size:12px;color:#455a64}
.new{background:#c62828;color:#fff;border-radius:10px;padding:0 8px;font-size:12px}
.reason{display:inline-block;background:#ffebee;color:#b71c1c;border-radius:4px;padding:1px 8px;
margin:2px 4px 2px 0;font-size:13px}
.label{font-size:12px;color:#757575;text-transform:uppercase;letter-spacing:.03em;margin-top:8px}
.answer{white-space:pre-wrap;background:#f5f5f5;border-radius:4px;padding:8px 10px;margin:2px 0}
.cite{margin:4px 0 8px}.cite blockquote{margin:2px 0 0 0;padding:4px 10px;border-left:3px solid
#90a4ae;white-space:pre-wrap;color:#37474f;background:#fafafa}
.bad{color:#b71c1c;font-weight:600}
details{margin:6px 0}summary{cursor:pointer;color:#455a64}
ul.ids{margin:4px 0}
.ok-text{color:#2e7d32}.fail-text{color:#c62828}
"""


def render_html(
    result: EvalResult,
    comparison: Comparison | None,
    verdict: Gate | None,
    chart_svg: str,
) -> str:
    s = result.summary
    st = result.settings
    out = [
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Utvärdering av policybot</title>",
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>",
        "<h1>Utvärdering av policybot</h1>",
        f'<p class="meta">{escape(result.created)} · {s["items"]} frågor från '
        f"{len(result.files)} fil(er) · embedding {escape(str(st.get('embedding', '?')))} · "
        f"svar {escape(str(st.get('answerer', '?')))} · korpus "
        f"{escape(str(st.get('corpus_dir', '?')))}</p>",
    ]
    if verdict:
        css = "fail" if verdict.failed else "ok"
        messages = verdict.messages(result)
        out.append(f'<div class="verdict {css}">{escape(messages[-1])}')
        out += [f"<p>{escape(m)}</p>" for m in messages[:-1]]
        out.append("</div>")

    out.append('<h2>Sammanfattning</h2>\n<div class="cards">')
    for title, big, small in _cards(result):
        big = (
            escape(big).replace(" %", "\u00a0%").replace(" ms", "\u00a0ms")
        )  # a value never wraps before its unit
        out.append(
            f'<div class="card"><h3>{escape(title)}</h3><div class="big">{big}</div>'
            f'<div class="small">{escape(small)}</div></div>'
        )
    out.append("</div>")

    if comparison:
        out.append(_html_comparison(result, comparison))

    out.append("<h2>Andel godkända per tagg</h2>")
    out.append(f'<figure style="margin:0">{chart_svg}</figure>')
    out.append(_html_tag_table(result, comparison))

    invalid = result.invalid_citations
    if invalid:
        out.append(f'<h2 class="fail-text">Citat som inte är ordagranna ({len(invalid)})</h2>')
        out.append(
            "<p>Varje citat ska finnas ordagrant i dokumentet. Har korpusen ändrats utan att "
            "<code>policybot ingest</code> körts?</p>"
        )
        out.append("<table><tr><th>Fråga</th><th>Dokument</th><th>Problem</th><th>Citat</th></tr>")
        for c in invalid:
            out.append(
                f'<tr><td><a href="#item-{escape(c["id"])}">{escape(c["id"])}</a></td>'
                f"<td>{escape(c['doc_id'])}</td><td>{escape(str(c.get('problem', '')))}</td>"
                f"<td>{escape(c['quote'])}</td></tr>"
            )
        out.append("</table>")

    failing = _ordered_failing(result, comparison)
    out.append(f"<h2>Underkända frågor ({len(failing)})</h2>")
    if not failing:
        out.append('<p class="ok-text">Alla frågor är godkända.</p>')
    new = set(comparison.newly_failing) if comparison else set()
    for r in failing:
        prev = comparison.previous.get(r.item.id) if comparison else None
        out.append(_html_item(r, r.item.id in new, prev))

    out.append(_html_corpus(result, comparison))
    out.append(_html_all_items(result))
    out.append("</main>\n</body>\n</html>\n")
    return "\n".join(out)


def _html_ids(ids: Sequence[str], result: EvalResult, link: bool) -> str:
    if not ids:
        return "<p>Inga.</p>"
    questions = {r.item.id: r.item.question for r in result.items}
    lis = []
    for i in ids:
        name = f'<a href="#item-{escape(i)}">{escape(i)}</a>' if link else escape(i)
        lis.append(f"<li><code>{name}</code> – {escape(questions.get(i, ''))}</li>")
    return '<ul class="ids">' + "".join(lis) + "</ul>"


def _html_comparison(result: EvalResult, c: Comparison) -> str:
    out = [
        "<h2>Jämfört med baslinjen</h2>",
        f"<p>Baslinje <code>{escape(c.path)}</code> ({escape(c.created or 'okänt datum')}): "
        f"{escape(pct(c.summary.get('pass_rate')))} godkända, nu "
        f"{escape(pct(result.summary['pass_rate']))} "
        f"({escape(_delta(result.summary['pass_rate'], c.summary.get('pass_rate')))} "
        "procentenheter).</p>",
    ]
    if c.changed_docs:
        out.append(
            "<p>Ändrade dokument sedan baslinjen: "
            + ", ".join(f"<code>{escape(d)}</code>" for d in c.changed_docs)
            + "</p>"
        )
    out.append(f'<h3 class="fail-text">Nya fel ({len(c.newly_failing)})</h3>')
    out.append(_html_ids(c.newly_failing, result, link=True))
    out.append(f'<h3 class="ok-text">Nya godkända ({len(c.newly_passing)})</h3>')
    out.append(_html_ids(c.newly_passing, result, link=False))
    if c.added:
        out.append(f"<h3>Nya frågor ({len(c.added)})</h3>" + _html_ids(c.added, result, False))
    if c.removed:
        out.append(
            f"<h3>Borttagna frågor ({len(c.removed)})</h3><p>"
            + ", ".join(f"<code>{escape(i)}</code>" for i in c.removed)
            + "</p>"
        )
    return "\n".join(out)


def _html_tag_table(result: EvalResult, comparison: Comparison | None) -> str:
    head = "<tr><th>Tagg</th><th>Frågor</th><th>Godkända</th><th>Andel</th>"
    head += "<th>Ändring (p.e.)</th></tr>" if comparison else "</tr>"
    rows = [f"<details><summary>Tabell per tagg</summary><table>{head}"]
    for tag, t in result.per_tag.items():
        row = (
            f"<tr><td>{escape(tag)}</td><td class=num>{t['items']}</td>"
            f"<td class=num>{t['passed']}</td><td class=num>{escape(pct(t['pass_rate']))}</td>"
        )
        if comparison:
            prev = (comparison.per_tag.get(tag) or {}).get("pass_rate")
            row += f"<td class=num>{escape(_delta(t['pass_rate'], prev))}</td>"
        rows.append(row + "</tr>")
    rows.append("</table></details>")
    return "\n".join(rows)


def _html_citations(citations: list[dict]) -> str:
    if not citations:
        return "<div>Inga källor.</div>"
    out = []
    for c in citations:
        bad = (
            ""
            if c.get("valid", True)
            else f' <span class="bad">{escape(c.get("problem", ""))}</span>'
        )
        url = f' <a href="{escape(c["url"])}">{escape(c["url"])}</a>' if c.get("url") else ""
        out.append(
            f'<div class="cite"><b>[{escape(str(c.get("n", "")))}]</b> {escape(_where(c))} '
            f"<code>{escape(str(c.get('doc_id', '')))}</code>{url}{bad}"
            f"<blockquote>{escape(str(c.get('quote', '')))}</blockquote></div>"
        )
    return "\n".join(out)


def _html_item(r: ItemResult, newly: bool, prev: dict | None) -> str:
    it = r.item
    tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in it.tags)
    badge = ' <span class="new">ny sedan baslinjen</span>' if newly else ""
    out = [
        f'<div class="item" id="item-{escape(it.id)}">',
        f"<h3><code>{escape(it.id)}</code>{badge}</h3>",
        f"<div>{tags} <span class=small style='color:#9e9e9e;font-size:12px'>"
        f"{escape(Path(it.file).name)}</span></div>",
        '<div class="label">Fråga</div>',
        f"<div>{escape(it.question)}</div>",
    ]
    if it.history:
        out.append('<div class="label">Tidigare frågor i samtalet</div>')
        out.append("<ol>" + "".join(f"<li>{escape(h)}</li>" for h in it.history) + "</ol>")
    out.append('<div class="label">Varför underkänd</div><div>')
    out += [f'<span class="reason">{escape(reason)}</span>' for reason in r.reasons]
    out.append("</div>")
    expected = "avstå" if it.abstain else "; ".join(_expect_text(e) for e in it.expect) or "–"
    out.append(f'<div class="label">Förväntat</div><div>{escape(expected)}</div>')
    out.append('<div class="label">Svar</div>')
    out.append(f'<div class="answer">{escape(r.answer or r.error or "")}</div>')
    out.append('<div class="label">Källor</div>')
    out.append(_html_citations(r.citations))
    if prev is not None:
        out.append("<details><summary>Svaret i baslinjen</summary>")
        out.append(f'<div class="answer">{escape(str(prev.get("answer", "")))}</div>')
        out.append(_html_citations(prev.get("citations") or []))
        out.append("</details>")
    out.append("</div>")
    return "\n".join(out)


def _expect_text(e: str | list[str]) -> str:
    return e if isinstance(e, str) else " eller ".join(e)


def _html_corpus(result: EvalResult, comparison: Comparison | None) -> str:
    if not result.corpus:
        return ""
    changed = set(comparison.changed_docs) if comparison else set()
    out = ["<h2>Korpus</h2><table><tr><th>Dokument</th><th>Titel</th><th>Uppdaterad</th></tr>"]
    for d in result.corpus:
        mark = ' <span class="new">ändrad</span>' if d["doc_id"] in changed else ""
        out.append(
            f"<tr><td><code>{escape(d['doc_id'])}</code>{mark}</td>"
            f"<td>{escape(str(d.get('title', '')))}</td><td>{escape(str(d.get('updated', '')))}"
            "</td></tr>"
        )
    out.append("</table>")
    return "\n".join(out)


def _html_all_items(result: EvalResult) -> str:
    out = [
        f"<h2>Alla frågor ({len(result.items)})</h2>",
        "<details><summary>Visa alla frågor med resultat</summary><table>",
        "<tr><th>Id</th><th>Resultat</th><th>Träff</th><th>Fråga</th><th>Orsaker</th></tr>",
    ]
    for r in result.items:
        verdict = (
            '<span class="ok-text">godkänd</span>'
            if r.passed
            else (f'<a class="fail-text" href="#item-{escape(r.item.id)}">underkänd</a>')
        )
        hit = "" if r.item.abstain else (f"@{r.hit_rank}" if r.hit_rank else "miss")
        out.append(
            f"<tr><td><code>{escape(r.item.id)}</code></td><td>{verdict}</td><td>{hit}</td>"
            f"<td>{escape(r.item.question)}</td><td>{escape('; '.join(r.reasons))}</td></tr>"
        )
    out.append("</table></details>")
    return "\n".join(out)


# -- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: str) -> str:
    """Inline Markdown text: specials escaped, '&' as an entity, lines joined with <br>."""
    text = _MD_SPECIAL.sub(r"\\\1", str(text).replace("&", "&amp;"))
    return "<br>".join(line.strip() for line in text.splitlines() if line.strip())


def md_block(text: str) -> str:
    """A blockquote of arbitrary text: each line escaped and prefixed, headings defused."""
    lines = []
    for line in str(text).splitlines() or [""]:
        escaped = _MD_SPECIAL.sub(r"\\\1", line.replace("&", "&amp;"))
        escaped = re.sub(r"^(\s*)([#+=])", r"\1\\\2", escaped)
        lines.append(f"> {escaped}".rstrip())
    return "\n".join(lines)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    sep = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(
    result: EvalResult, comparison: Comparison | None, verdict: Gate | None, chart_file: str
) -> str:
    s = result.summary
    st = result.settings
    out = [
        "# Utvärdering av policybot",
        "",
        f"{md(result.created)} · {s['items']} frågor från {len(result.files)} fil(er) · "
        f"embedding {md(str(st.get('embedding', '?')))} · svar {md(str(st.get('answerer', '?')))}",
        "",
    ]
    if verdict:
        messages = verdict.messages(result)
        out += [f"**{md(messages[-1])}**", ""] + [f"- {md(m)}" for m in messages[:-1]] + [""]

    out += ["## Sammanfattning", ""]
    out.append(
        _md_table(
            ["Mått", "Värde", "Detalj"],
            [[md(a), md(b), md(c)] for a, b, c in _cards(result)],
            set(),
        )
    )
    out.append("")

    if comparison:
        c = comparison
        out += [
            "## Jämfört med baslinjen",
            "",
            f"Baslinje `{c.path}` ({md(c.created or 'okänt datum')}): "
            f"{pct(c.summary.get('pass_rate'))} godkända, nu {pct(s['pass_rate'])} "
            f"({_delta(s['pass_rate'], c.summary.get('pass_rate'))} procentenheter).",
            "",
        ]
        if c.changed_docs:
            out += [
                "Ändrade dokument sedan baslinjen: " + ", ".join(f"`{d}`" for d in c.changed_docs),
                "",
            ]
        questions = {r.item.id: r.item.question for r in result.items}
        for title, ids in (
            ("Nya fel", c.newly_failing),
            ("Nya godkända", c.newly_passing),
            ("Nya frågor", c.added),
            ("Borttagna frågor", c.removed),
        ):
            if not ids and title in ("Nya frågor", "Borttagna frågor"):
                continue
            out += [f"### {title} ({len(ids)})", ""]
            out += [f"- `{i}` – {md(questions.get(i, ''))}" for i in ids] or ["Inga."]
            out.append("")

    out += ["## Andel godkända per tagg", "", f"![Andel godkända per tagg]({chart_file})", ""]
    header = ["Tagg", "Frågor", "Godkända", "Andel"] + (["Ändring (p.e.)"] if comparison else [])
    rows = []
    for tag, t in result.per_tag.items():
        row = [md(tag), str(t["items"]), str(t["passed"]), pct(t["pass_rate"])]
        if comparison:
            row.append(_delta(t["pass_rate"], (comparison.per_tag.get(tag) or {}).get("pass_rate")))
        rows.append(row)
    out += [_md_table(header, rows, {1, 2, 3, 4}), ""]

    invalid = result.invalid_citations
    if invalid:
        out += [f"## Citat som inte är ordagranna ({len(invalid)})", ""]
        out += [
            f"- `{c['id']}` [{c['n']}] `{c['doc_id']}`: {md(c.get('problem', ''))}: "
            f"”{md(c['quote'])}”"
            for c in invalid
        ]
        out += ["", "Har korpusen ändrats utan att `policybot ingest` körts?", ""]

    failing = _ordered_failing(result, comparison)
    out += [f"## Underkända frågor ({len(failing)})", ""]
    if not failing:
        out += ["Alla frågor är godkända.", ""]
    new = set(comparison.newly_failing) if comparison else set()
    for r in failing:
        out += _md_item(
            r, r.item.id in new, comparison.previous.get(r.item.id) if comparison else None
        )
    return "\n".join(out).rstrip() + "\n"


def _md_citations(citations: list[dict]) -> list[str]:
    if not citations:
        return ["Inga källor.", ""]
    out = []
    for c in citations:
        bad = "" if c.get("valid", True) else f" **{md(c.get('problem', ''))}**"
        out += [
            f"**[{c.get('n', '')}]** {md(_where(c))} `{c.get('doc_id', '')}`{bad}",
            "",
            md_block(str(c.get("quote", ""))),
            "",
        ]
    return out


def _md_item(r: ItemResult, newly: bool, prev: dict | None) -> list[str]:
    it = r.item
    badge = " — **ny sedan baslinjen**" if newly else ""
    out = [f"### `{it.id}`{badge}", ""]
    out.append(f"Taggar: {md(', '.join(it.tags)) or '–'} · fil: `{Path(it.file).name}`")
    out.append("")
    out.append(f"**Fråga:** {md(it.question)}")
    out.append("")
    if it.history:
        out.append("**Tidigare frågor:** " + " → ".join(md(h) for h in it.history))
        out.append("")
    out.append("**Varför underkänd:** " + "; ".join(md(x) for x in r.reasons))
    out.append("")
    expected = "avstå" if it.abstain else "; ".join(_expect_text(e) for e in it.expect) or "–"
    out += [
        f"**Förväntat:** {md(expected)}",
        "",
        "**Svar:**",
        "",
        md_block(r.answer or r.error or ""),
        "",
    ]
    out += ["**Källor:**", ""] + _md_citations(r.citations)
    if prev is not None:
        out += ["**Svaret i baslinjen:**", "", md_block(str(prev.get("answer", ""))), ""]
    return out
