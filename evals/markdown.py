"""The eval report in Markdown: every text escaped, charts as SVG files beside the report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evals.metrics import pct
from evals.results import Comparison, EvalResult, Gate, ItemResult
from evals.summary import SETS_HEADER, cards, delta, expected, set_rows, stage_of, where

if TYPE_CHECKING:
    from evals.report import Section

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
    result: EvalResult,
    comparison: Comparison | None,
    verdict: Gate | None,
    secs: Sequence[Section],
    chart_files: Sequence[str],
) -> str:
    s = result.summary
    st = result.settings
    sets = f"{len(result.sets)} mängder · " if result.sets else ""
    out = [
        "# Utvärdering av policybot",
        "",
        f"{md(result.created)} · {sets}{s['items']} frågor från {len(result.files)} fil(er) · "
        f"embedding {md(str(st.get('embedding', '?')))} · svar {md(str(st.get('answerer', '?')))}",
        "",
    ]
    if verdict:
        messages = verdict.messages(result)
        out += [f"**{md(messages[-1])}**", ""] + [f"- {md(m)}" for m in messages[:-1]] + [""]
    if not result.sets:
        out += _section(secs[0], chart_files[0], "##")
        return "\n".join(out).rstrip() + "\n"

    rows = [[md(row[0]), *row[1:]] for row in set_rows(result)]
    out += ["## Alla mängder", "", _md_table(SETS_HEADER, rows, set(range(1, 8))), ""]
    if comparison:
        out += _comparison(result, comparison, "##")
    for sec, chart in zip(secs, chart_files, strict=True):
        out += [f"## Mängd {md(sec.result.name or '(egna filer)')}", ""]
        out += _section(sec, chart, "###")
    return "\n".join(out).rstrip() + "\n"


def _section(sec: Section, chart_file: str, h: str) -> list[str]:
    result, comparison = sec.result, sec.comparison
    out = [f"{h} Sammanfattning", ""]
    out.append(
        _md_table(
            ["Mått", "Värde", "Detalj"],
            [[md(a), md(b), md(c)] for a, b, c in cards(result)],
            set(),
        )
    )
    out.append("")
    if comparison:
        out += _comparison(result, comparison, h)

    out += [f"{h} Andel godkända per tagg", "", f"![Andel godkända per tagg]({chart_file})", ""]
    header = ["Tagg", "Frågor", "Godkända", "Andel"] + (["Ändring (p.e.)"] if comparison else [])
    rows = []
    for tag, t in result.per_tag.items():
        row = [md(tag), str(t["items"]), str(t["passed"]), pct(t["pass_rate"])]
        if comparison:
            row.append(delta(t["pass_rate"], (comparison.per_tag.get(tag) or {}).get("pass_rate")))
        rows.append(row)
    out += [_md_table(header, rows, {1, 2, 3, 4}), ""]

    invalid = result.invalid_citations
    if invalid:
        out += [f"{h} Citat som inte är ordagranna ({len(invalid)})", ""]
        out += [
            f"- `{c['id']}` [{c['n']}] `{c['doc_id']}`: {md(c.get('problem', ''))}: "
            f"”{md(c['quote'])}”"
            for c in invalid
        ]
        out += ["", "Har korpusen ändrats utan att `policybot ingest` körts?", ""]

    out += [f"{h} Underkända frågor ({len(sec.failing)})", ""]
    if not sec.failing:
        out += ["Alla frågor är godkända.", ""]
    for r in sec.failing:
        prev = comparison.previous.get(r.item.id) if comparison else None
        out += _item(r, r.item.id in sec.newly, prev, h + "#")
    return out


def _comparison(result: EvalResult, c: Comparison, h: str) -> list[str]:
    s = result.summary
    out = [
        f"{h} Jämfört med baslinjen",
        "",
        f"Baslinje `{c.path}` ({md(c.created or 'okänt datum')}): "
        f"{pct(c.summary.get('pass_rate'))} godkända, nu {pct(s['pass_rate'])} "
        f"({delta(s['pass_rate'], c.summary.get('pass_rate'))} procentenheter).",
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
        out += [f"{h}# {title} ({len(ids)})", ""]
        out += [f"- `{i}` – {md(questions.get(i, ''))}" for i in ids] or ["Inga."]
        out.append("")
    return out


def _citations(citations: list[dict]) -> list[str]:
    if not citations:
        return ["Inga källor.", ""]
    out = []
    for c in citations:
        bad = "" if c.get("valid", True) else f" **{md(c.get('problem', ''))}**"
        out += [
            f"**[{c.get('n', '')}]** {md(where(c))} `{c.get('doc_id', '')}`{bad}",
            "",
            md_block(str(c.get("quote", ""))),
            "",
        ]
    return out


def _item(r: ItemResult, newly: bool, prev: dict | None, h: str) -> list[str]:
    it = r.item
    badge = " — **ny sedan baslinjen**" if newly else ""
    out = [f"{h} `{it.id}`{badge}", ""]
    out.append(f"Taggar: {md(', '.join(it.tags)) or '–'} · fil: `{Path(it.file).name}`")
    out.append("")
    out.append(f"**Fråga:** {md(it.question)}")
    out.append("")
    if it.history:
        out.append("**Tidigare frågor:** " + " → ".join(md(x) for x in it.history))
        out.append("")
    out.append("**Varför underkänd:** " + "; ".join(md(x) for x in r.reasons))
    out.append("")
    out.append(f"**Steg som felade:** {md(stage_of(r))}")
    out.append("")
    out += [
        f"**Förväntat:** {md(expected(it))}",
        "",
        "**Svar:**",
        "",
        md_block(r.answer or r.error or ""),
        "",
    ]
    out += ["**Källor:**", ""] + _citations(r.citations)
    if prev is not None and "answer" in prev:  # a baseline written with --no-text has none
        out += ["**Svaret i baslinjen:**", "", md_block(str(prev.get("answer", ""))), ""]
    return out
