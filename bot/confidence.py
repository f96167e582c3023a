"""Answer confidence: a learned check on a composed answer, which abstains when it is likely wrong.

Every hand rule of the answerer decides on one signal at a time (coverage, similarity, the
names, the kind of fact). An answer that passes them all can still be wrong: a near miss that
shares the question's words, or a unit of the right section that says something else. A
logistic model over the answer's signals together, fitted on questions the embedding model
never saw (`python -m training.confidence`), gives the probability that the answer is right;
below `Tuning.min_confidence` the bot says it cannot tell, as a municipality should rather than
answer wrongly. Without fitted weights the check is off.
"""

from __future__ import annotations

import math

from bot import features as f
from bot.candidates import Candidate
from bot.questions import QuestionInfo
from bot.selection import Selection
from config.tuning import Tuning

# The kinds of question the answerer tells apart (questions.question_kind).
KINDS = ("amount", "count", "duration", "year", "why", "where", "who", "list", "yesno", "what")
# How far the runner-up's score is looked for: beyond this the answer has no rival.
MARGIN_CAP = 4.0
# The ranked units whose documents show how concentrated the evidence is.
SPREAD_UNITS = 10


def features(
    info: QuestionInfo, ranked: list[Candidate], chosen: Selection, tuning: Tuning
) -> dict[str, float]:
    """The answer's signals, named as the fitted weights name them."""
    lead = chosen.lead
    quoted = {r.id for r in chosen.records}
    rivals = [c.score for c in ranked if c.record.id not in quoted]
    margin = min(MARGIN_CAP, lead.score - max(rivals)) if rivals else MARGIN_CAP
    focus = set(info.focus_stems)
    top = ranked[:SPREAD_UNITS]
    doc = lead.record.meta.get("doc_id")
    values = {
        "score": lead.score,
        "margin": margin,
        "dense": lead.similarity - tuning.dense_center,
        "dense_gap": max(c.similarity for c in ranked) - lead.similarity,
        "coverage": lead.coverage,
        "own_share": len(lead.own & focus) / len(focus) if focus else 0.0,
        "trail_coverage": lead.values.get("trail_coverage", 0.0),
        "kind_fit": float(any(f.fits(info, r.text, r.meta) for r in chosen.records)),
        "names": lead.values.get("names", 0.0),
        "has_names": float(bool(info.names)),
        "other_entity": lead.values.get("other_entity", 0.0),
        "missing_share": info.missing_share,
        "question_words": math.log1p(len(focus)),
        "english": float(info.english),
        "followup": float(info.followup),
        "units": float(len(chosen.records)),
        "chunk_z": lead.values.get("chunk_z", 0.0),
        "same_document": sum(c.record.meta.get("doc_id") == doc for c in top) / len(top),
        "statement": lead.statement,
    }
    values.update({f"kind_{k}": float(info.kind == k) for k in KINDS})
    return values


def probability(values: dict[str, float], tuning: Tuning) -> float | None:
    """The fitted probability that the answer is right; None when no model is fitted."""
    if not tuning.confidence_weights:
        return None
    z = tuning.confidence_bias + sum(
        w * values.get(name, 0.0) for name, w in tuning.confidence_weights.items()
    )
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
