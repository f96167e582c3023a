"""Candidate units: the sentences and lists of the best chunks, with neighbours and features."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot import features as f
from bot.questions import QuestionInfo
from bot.retrieval import CorpusSnapshot, Record
from config.tuning import UNIT_FEATURES, Tuning


@dataclass
class Candidate:
    """A unit that could answer, with the units around it and what it offers the question."""

    record: Record
    chunk: Record
    after: Record | None = None  # the next unit of the same paragraph or list
    following: Record | None = None  # the next unit of the same section
    footnote: Record | None = None  # the text of a footnote it refers to
    before: Record | None = None  # the unit before it in the same section
    below: Record | None = None  # the first unit of a sub-section right after it
    values: dict[str, float] = field(default_factory=dict)  # UNIT_FEATURES -> value
    matched: set[str] = field(default_factory=set)  # question stems it or its context covers
    own: set[str] = field(default_factory=set)  # question stems its own words cover
    statement: float = 0.0  # for yes/no questions: how fully it states what is asked
    context: float = 0.0  # coverage of the conversation's earlier topic (follow-ups)
    similarity: float = 0.0  # cosine similarity of the question and the unit
    score: float = 0.0
    judge: float | None = None  # the answer judge's logit, when it read this unit

    @property
    def introduced(self) -> Record | None:
        """What a lead-in ending in a colon introduces: the next unit of its paragraph or
        section, or the first one under the heading that follows it. A question in the text
        ("Varför ska man inte plagiera kod?") introduces its answer the same way."""
        if not self.record.text.rstrip().endswith((":", "?")):
            return None
        return self.after or self.following or self.below

    @property
    def coverage(self) -> float:
        return self.values.get("coverage", 0.0)

    def vector(self) -> list[float]:
        return [self.values.get(name, 0.0) for name in UNIT_FEATURES]


def gather(
    info: QuestionInfo,
    snap: CorpusSnapshot,
    top: list[tuple[Record, float]],
    qvec: np.ndarray,
    tuning: Tuning,
) -> list[Candidate]:
    """Every non-furniture unit of the top chunks, with its feature values."""
    newest = max((r.meta.get("updated", "") for r, _ in top), default="")
    chunk_scores = np.array([s for _, s in top], dtype=np.float32)
    chunk_z = (chunk_scores - chunk_scores.mean()) / (chunk_scores.std() + 1e-6)
    view = snap.units_for([chunk.meta["chunk"] for chunk, _ in top])
    out: list[Candidate] = []
    for (chunk, _), cz in zip(top, chunk_z, strict=True):
        for i in view.units_by_chunk.get(chunk.meta["chunk"], []):
            unit = view.units[i]
            if unit.meta.get("furniture"):
                continue
            cand = Candidate(
                unit,
                chunk,
                after=view.next_unit(i),
                following=view.next_in_section(i),
                footnote=view.footnote_of(i),
                # Easy-to-read text gives each sentence a paragraph: "Därför ..." points back
                # across the paragraph break as well.
                before=view.next_in_section(i, step=-1),
                below=view.first_below(i),
            )
            cand.similarity = float(view.unit_vectors[i] @ qvec)
            _describe(info, cand, snap.unit_idf, float(cz), tuning)
            cand.values["newest"] = float(unit.meta.get("updated", "") == newest)
            out.append(cand)
    if out:
        dens = np.array([c.similarity for c in out], dtype=np.float32)
        dz = (dens - dens.mean()) / (dens.std() + 1e-6)
        for cand, z in zip(out, dz, strict=True):
            cand.values["dense_z"] = float(z)
    return out


def _describe(
    info: QuestionInfo, cand: Candidate, idf: dict[str, float], chunk_z: float, t: Tuning
) -> None:
    """Fill in the candidate's feature values and the question words it covers."""

    def cover(stems: list[str], text: str, context: str = "") -> tuple[float, set[str]]:
        return f.coverage(stems, text, context, idf, info.aliases, t.context_credit, t.parts_credit)

    unit, meta = cand.record, cand.record.meta
    text, context = unit.text, f.unit_context(unit)
    own, cand.matched = cover(info.focus_stems, text, context)
    cand.own = cover(info.focus_stems, f.own_text(unit))[1]
    if info.kind == "yesno":
        # Whether the sentence states what a yes/no question asks, leaving out the question's
        # opening verb ("Går det att ...", "Måste ..."), which statements rarely repeat.
        cand.statement = cover([s for s in info.focus_stems if s != info.opening_stem], text)[0]
    trail = cover(info.focus_stems, context)[0]
    # A follow-up without a name of its own is about the earlier topic. Its coverage only
    # decides whether a follow-up is answerable (answerer._weak): as a scoring feature it
    # changed 7 of 879 dev answers and dev passed 3 more without it.
    ctx_weight = t.followup_context if info.followup and not info.names else t.other_context
    cand.context = ctx_weight * cover(info.context_stems, text, context)[0]
    fit = f.fits(info, text, meta)
    after_fit = cand.after is not None and f.fits(info, cand.after.text, cand.after.meta)
    footnote_fit = cand.footnote is not None and f.fits(info, cand.footnote.text, meta)
    following = cand.following
    list_follows = info.kind == "list" and bool(following and following.meta.get("is_list"))
    where = f"{text} {context} {cand.chunk.text}"
    cand.values = {
        "coverage": own,
        "trail_coverage": trail,
        "dense": cand.similarity - t.dense_center,
        "chunk_z": chunk_z,
        "kind_fit": float(fit),
        "neighbour_fit": float(not fit and (after_fit or footnote_fit or list_follows)),
        "names": f.names_share(info, where),
        "other_entity": f.other_entity(info, meta),
        "definition": f.defines(info, text),
        "is_list": float(bool(meta.get("is_list"))),
    }
