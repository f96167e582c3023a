"""`policybot ask --explain`: every stage of one answer, for maintainers, in Swedish."""

from __future__ import annotations

from typing import Any

from bot.chain import retrieve
from bot.compose import ABSTAIN_REASONS, Answer

SHOWN_CHUNKS = 10
SHOWN_UNITS = 8
# For each abstention, the thresholds of the Tuning that decided it, and the question's or the
# best unit's value that missed them.
THRESHOLDS = {
    "missing-words": ("max_missing_share", "paraphrase_dense"),
    "missing-target": ("paraphrase_dense",),
    "low-match": ("min_coverage", "min_dense"),
}


def explain(bot: Any, question: str, history: list[str] | None = None) -> str:
    """The retrieved chunks with their dense, lexical and fused scores; the candidate units with
    their features and scores; then the chosen units, or the abstention and what it missed.
    Runs the same stages as PolicyBot.ask, on the same snapshot."""
    retriever, extractive = bot.retriever, bot.extractive
    snap = bot.snapshot()
    parts: dict[str, tuple[float, float]] = {}
    found = retrieve(retriever, question, history, snap, parts)
    info, qvec, chunks = found.info, found.qvec, found.chunks
    top = chunks[: extractive.top_chunks]
    answer: Answer = extractive.answer(info, chunks, qvec, snap)
    lines = [
        f"Fråga: {question}",
        f"Sökfråga: {info.query}" + ("  (följdfråga)" if info.followup else ""),
        f"Frågetyp: {info.kind}; ämnesord: {', '.join(info.focus_stems) or '–'}; "
        f"saknas i dokumenten: {', '.join(info.missing) or '–'}",
        "",
        f"1. Hämtade avsnitt ({len(chunks)}, de {min(len(chunks), SHOWN_CHUNKS)} bästa):",
        "   rang  samlad  dense   BM25  dokument › avsnitt",
    ]
    for rank, (record, fused) in enumerate(chunks[:SHOWN_CHUNKS], start=1):
        dense, lexical = parts.get(record.meta["chunk"], (0.0, 0.0))
        where = f"{record.meta['doc_id']} › {record.meta.get('section') or '–'}"
        lines.append(f"   {rank:>4}  {fused:6.2f}  {dense:5.3f}  {lexical:5.2f}  {where}")
    ranked = extractive.ranked(info, top, qvec, snap) if top and info.focus_stems else []
    weights = extractive.tuning.weights
    lines += ["", f"2. Kandidatmeningar ({len(ranked)}, de {min(len(ranked), SHOWN_UNITS)} bästa):"]
    for rank, cand in enumerate(ranked[:SHOWN_UNITS], start=1):
        text = " ".join(cand.record.text.split())
        lines.append(
            f"   {rank:>2}. poäng {cand.score:.3f}  likhet {cand.similarity:.3f}  "
            f"täckning {cand.coverage:.2f}  {_clip(text)}"
        )
        if cand.judge is not None:
            lines.append(
                f"       domarens logit {cand.judge:.2f} (vikt {extractive.tuning.judge_weight:g})"
            )
        shown = {k: round(v, 3) for k, v in cand.values.items() if v}
        lines.append(f"       {shown}")
        # What each feature adds to the score under the fitted weights (training/scorer.py):
        # why the model ranks this unit where it does, largest contributions first.
        parts = sorted(
            ((k, v * weights.get(k, 0.0)) for k, v in cand.values.items() if v),
            key=lambda kv: -abs(kv[1]),
        )
        lines.append("       bidrag: " + ", ".join(f"{k} {c:+.2f}" for k, c in parts if c))
    lines += ["", "3. Beslut:"]
    t = extractive.tuning
    if answer.abstained:
        reason = ABSTAIN_REASONS.get(answer.abstain_code, answer.abstain_code)
        lines.append(f"   Avstår: {answer.abstain_code} ({reason}). {answer.abstain_reason}")
        best = ranked[0] if ranked else None
        for name in THRESHOLDS.get(answer.abstain_code, ()):
            lines.append(f"   tröskel {name} = {getattr(t, name)}")
        if best is not None:
            lines.append(
                f"   bästa meningen: likhet {best.similarity:.3f}, täckning {best.coverage:.2f}; "
                f"frågans andel saknade ord {info.missing_share:.2f}: "
                f"{_clip(' '.join(best.record.text.split()))}"
            )
    else:
        lines.append("   Svarar med:")
        for c in answer.citations:
            quote = _clip(" ".join(c.quote.split()))
            lines.append(f"   [{c.n}] {c.doc_id} › {c.section or '–'}: {quote}")
    lines += ["", "Svar:", answer.answer]
    return "\n".join(lines)


def _clip(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
