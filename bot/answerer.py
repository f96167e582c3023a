"""Grounded extractive answerer: gathers, scores and selects units, then answers or abstains."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from bot import confidence, outline
from bot import features as f
from bot.candidates import Candidate, gather
from bot.compose import (
    ABSTAIN_TEXT,
    Answer,
    Citation,
    abstain,
    compose,
    compose_headings,
    compose_part,
    part_of_list,
)
from bot.judge import rerank
from bot.questions import QuestionInfo
from bot.retrieval import CorpusSnapshot, Record
from bot.scoring import score
from bot.selection import Selection, select
from bot.text import abbreviates, spells_name, stem
from config.tuning import Tuning
from ingest.swedish import ASKS_YEAR

__all__ = ["ABSTAIN_TEXT", "Answer", "Citation", "ExtractiveAnswerer"]

# How many of the best-ranked units an answer keeps for callers that read beyond its
# citations (the register's cells).
KEEP_RANKED = 8


@dataclass
class ExtractiveAnswerer:
    """Answers with the few units that fit best (Tuning.max_units), quoted verbatim, or abstains.

    The pipeline: candidates.gather -> scoring.score -> the abstention checks below ->
    selection.select -> compose.compose. Every weight and threshold is in `tuning`.
    """

    embeddings: Embeddings
    snapshot: Callable[[], CorpusSnapshot]
    tuning: Tuning = field(default_factory=Tuning)
    top_chunks: int = 10  # settings.top_k: how many chunks' units are considered
    judge: object | None = None  # bot.judge.OnnxJudge, when one is configured

    def __call__(self, state: dict) -> Answer:
        info: QuestionInfo = state["info"]
        qvec = state.get("qvec")
        if qvec is None:
            qvec = self.embeddings.embed_query(info.query)
        answer = self.answer(info, state["chunks"], qvec, state.get("snap"))
        answer.query = info.query  # the condensed question, for debugging follow-ups
        return answer

    def ranked(
        self,
        info: QuestionInfo,
        top: list[tuple[Record, float]],
        qvec,
        snap: CorpusSnapshot,
    ) -> list[Candidate]:
        """The candidate units of the top chunks, best first (also used to fit the tuning)."""
        vec = np.asarray(qvec, dtype=np.float32)
        ranked = score(gather(info, snap, top, vec, self.tuning), self.tuning)
        if self.judge is not None:
            ranked = rerank(info.query, ranked, self.judge, self.tuning)
        return ranked

    def answer(
        self,
        info: QuestionInfo,
        scored_chunks: list[tuple[Record, float]],
        qvec,
        snap: CorpusSnapshot | None = None,
    ) -> Answer:
        ranked: list[Candidate] = []
        answer = self._answer(info, scored_chunks, qvec, snap, ranked)
        answer.ranked = [c.record for c in ranked[:KEEP_RANKED]]
        return answer

    def _answer(
        self,
        info: QuestionInfo,
        scored_chunks: list[tuple[Record, float]],
        qvec,
        snap: CorpusSnapshot | None,
        ranked_out: list[Candidate],
    ) -> Answer:
        snap = snap or self.snapshot()
        t = self.tuning
        top = scored_chunks[: self.top_chunks]
        retrieved = [{"doc_id": r.meta["doc_id"], "text": r.text} for r, _ in top]
        # A question whose topical words are largely absent from the corpus asks for something
        # the documents do not cover ("Vad kostar medlemskapet i UBC?").
        if not top or not info.focus_stems:
            return abstain(top, retrieved, "no-topic")
        ranked = self.ranked(info, top, qvec, snap)
        ranked_out.extend(ranked)
        # A unit that means what the question says, in other words ("döpa om" / "byta namn"),
        # outweighs question words the corpus lacks; a near miss ("öppettider") has none.
        paraphrased = bool(ranked) and ranked[0].similarity >= t.paraphrase_dense
        if info.missing_share >= t.max_missing_share and not paraphrased:
            return abstain(top, retrieved, "missing-words", ", ".join(info.missing))
        if info.target_missing and not paraphrased:
            return abstain(top, retrieved, "missing-target", str(info.target))
        if not ranked:
            return abstain(top, retrieved, "no-units")
        answer = self._choose(info, ranked, top, retrieved, snap)
        if answer.abstained and not answer.considered:
            answer.considered = [ranked[0].record.text]
        return answer

    def _choose(
        self,
        info: QuestionInfo,
        ranked: list[Candidate],
        top: list[tuple[Record, float]],
        retrieved: list[dict],
        snap: CorpusSnapshot,
    ) -> Answer:
        """From ranked candidates: the abstention checks on the best, then the answer."""
        t = self.tuning
        best = ranked[0]
        if self._weak(info, best):
            return abstain(top, retrieved, "low-match")
        chosen = select(info, ranked, t)
        if _lacks_kind(info, chosen):
            # The topic is there but not the year, figure or name asked for: a near miss.
            return abstain(top, retrieved, "near-miss", info.kind)
        if not info.english and not _names_covered(info, chosen.lead, snap):
            # "Vilka vänorter har Stockholms stad?": the answer must be about what is named. A
            # unit a little further down may be ("... med Murmansk?" under a sentence on Kina).
            named = self._runner_up(info, ranked, lambda c: _names_covered(info, c, snap))
            if named is None:
                return abstain(top, retrieved, "other-entity")
            chosen = named
            if _lacks_kind(info, chosen):
                return abstain(top, retrieved, "near-miss", info.kind)
        missing_years = f.unmentioned_years(info, chosen.lead)
        if missing_years:
            # "Hur stort blir stödet under 2025?" answered from a passage about 2023 would be
            # a wrong figure, cited. A unit a little further down may be about 2025.
            dated = self._runner_up(
                info,
                ranked,
                lambda c: (
                    not f.unmentioned_years(info, c)
                    and (info.english or _names_covered(info, c, snap))
                ),
            )
            if dated is None:
                return abstain(top, retrieved, "other-year", ", ".join(missing_years))
            chosen = dated
            if _lacks_kind(info, chosen):
                return abstain(top, retrieved, "near-miss", info.kind)
        # "Vilka principer ...?" where each principle is a heading of its own: unless a list
        # already answers as well.
        found = outline.find(info, ranked, snap.vocabulary.outlines, snap.unit_idf, t)
        if found is not None and (
            (found.lead_in is not None and found.coverage > chosen.lead.coverage)
            or not any(r.meta.get("is_list") for r in chosen.records)
        ):
            answer = compose_headings(found, retrieved, t)
            answer.considered = ["\n".join([found.parent, *found.children])]
            return answer
        signals = confidence.features(info, ranked, chosen, t)
        likely = confidence.probability(signals, t)
        if likely is not None and likely < t.min_confidence:
            # Every rule above passed, yet answers like this one are mostly wrong.
            answer = abstain(top, retrieved, "low-confidence", f"{likely:.2f}")
        elif (
            info.narrows
            and chosen.lead.record.meta.get("is_list")
            and (part := part_of_list(info, chosen.lead.record)) is not None
        ):
            answer = compose_part(*part, chosen.lead.record, retrieved)
        else:
            answer = compose(info, chosen.lead, chosen.records, retrieved, t)
        answer.considered = [r.text for r in chosen.records]
        answer.confidence = signals
        return answer

    def _runner_up(
        self, info: QuestionInfo, ranked: list[Candidate], keep: Callable[[Candidate], bool]
    ) -> Selection | None:
        """The selection among the window's units that keep passes, when the best of them is
        neither weak nor off the question's topic; None when there is no such unit."""
        kept = [c for c in ranked[: self.tuning.window] if keep(c)]
        if not kept or self._weak(info, kept[0]) or not _keeps_topic(info, kept[0]):
            return None
        return select(info, kept, self.tuning)

    def _weak(self, info: QuestionInfo, cand: Candidate) -> bool:
        """Too few of the question's words and too far from it in meaning to answer it."""
        t = self.tuning
        min_dense = t.min_dense_english if info.english else t.min_dense
        cover = cand.coverage
        if info.followup:
            cover = max(cover, cand.context)
        return cover < t.min_coverage and cand.similarity < min_dense


def _lacks_kind(info: QuestionInfo, chosen: Selection) -> bool:
    """The question needs a year, figure or name and no quoted unit of the lead's own document
    holds one. A plain "när" needs no year (ASKS_YEAR): its answer may be a time of another
    kind."""
    if info.kind == "year" and not ASKS_YEAR.search(info.original):
        return False
    # A figure quoted from another page is about something else: "Vad kostar en dispens ...?"
    # is not answered by what registering a foundation costs, one page over.
    doc = chosen.lead.record.meta.get("doc_id")
    own = [r for r in chosen.records if r.meta.get("doc_id") == doc]
    return info.kind in f.NEEDS and not any(f.fits(info, r.text, r.meta) for r in own)


def _keeps_topic(info: QuestionInfo, cand: Candidate) -> bool:
    """The unit holds at least half of what the question asks besides its names: a unit that
    only mentions Stockholm ("Visit Stockholm") does not answer "Vilka vänorter har Stockholms
    stad?"."""
    names = {stem(x) for n in info.names for x in f.name_forms(n)}
    topic = [s for s in dict.fromkeys(info.focus_stems) if s not in names]
    if not topic:
        return True
    _, stems = f.terms_of(f"{cand.record.text} {f.unit_context(cand.record)}", info)
    return 2 * sum(s in stems for s in topic) >= len(topic)


def _names_covered(info: QuestionInfo, lead: Candidate, snap: CorpusSnapshot) -> bool:
    """Every place or organisation the question names is in the lead unit, its section trail,
    its document's title or its chunk: the unit that answers must be about what is named.
    Under a heading that names something else ("## Bottenviksbågen"), only the unit, that
    heading and the title count: an ancestor heading that lists many places does not make the
    sentence about each of them. What the corpus or the lead's document is about as a whole
    (its subject) need not be repeated."""
    meta = lead.record.meta
    title = meta.get("title", "")
    if f.other_entity(info, meta):
        passage = [f.own_text(lead.record), f.heading(meta)]
    else:
        passage = [lead.record.text, f.unit_context(lead.record), lead.chunk.text]
    parts = [*passage, title]
    words, stems = f.terms_of(" ".join(parts), info)
    # What the whole corpus, or the lead's whole document, is about need not be repeated.
    subjects = info.ubiquitous | snap.vocabulary.doc_subjects.get(meta["doc_id"], frozenset())
    for name in info.names:
        forms = f.name_forms(name)
        if any(stem(x) in subjects for x in forms) or forms & snap.vocabulary.own_name:
            continue
        acronyms = [
            x.upper() for x in forms if re.search(rf"\b{re.escape(x.upper())}\b", info.original)
        ]
        if any(abbreviates(a, title) or spells_name(a, title) for a in acronyms):
            # "VGR:s riktlinjer" in a document titled "... Västra Götalandsregionen", "MR-rapporten"
            # in one titled "Mänskliga rättigheter, demokrati och ...".
            continue
        if any(spells_name(a, text, prose=True) for a in acronyms for text in passage):
            # "Vilken broschyr berättade MSB om ...?" is answered by a passage that names
            # "Myndigheten för samhällsskydd och beredskap" in full.
            continue
        if not any(f.mentions(x, words, stems) for x in forms):
            # "Natomötet", a compound the documents never write, is about Nato: the passage
            # must name Nato ("Natos utrikesministermöte"), capitalised as a name.
            part = f.coined_modifier(name, snap.vocabulary.stems)
            if part is None or not {stem(x) for x in f.name_forms(part)} & f.names_in(parts):
                return False
    # "Vilka nyheter kom i version 1.3.2?" is not answered from version 1.3.1.
    return all(f.has_version(v, " ".join(parts)) for v in info.versions)
