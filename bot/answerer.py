"""Grounded extractive answerer: picks the sentences or lists that answer, cites them verbatim."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.questions import QuestionInfo
from bot.retrieval import CorpusSnapshot, Record
from bot.text import fold, stem, tokens, with_aliases

ABSTAIN_TEXT = "Det framgår inte av dokumenten."

# What a kind of question needs to see in an answer.
_YEAR = re.compile(
    r"\b(19|20)\d\d\b|\b\d+ år\b|\b(många|flera) år\b|"
    r"\b\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|"
    r"oktober|november|december)\b|\b(januari|februari|mars|april|maj|juni|juli|augusti|"
    r"september|oktober|november|december|hösten|våren|sommaren|vintern)\b",
    re.I,
)
_NUMBER_WORDS = [
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
    "tretton",
    "fjorton",
    "femton",
    "tjugo",
    "trettio",
    "fyrtio",
    "femtio",
    "hundra",
    "tusen",
    "miljon",
    "miljoner",
]
_NUMBER = re.compile(r"\d|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_AMOUNT = re.compile(
    r"\d[\d ]*\s*(kr|kronor|euro|€|sek|%|procent|miljon|miljoner|tusen)(?!\w)", re.I
)
# "Puerto Cabezas, Nicaragua", "Murmansk i Ryssland": a place followed by where it lies.
_LOCATED = r"(,\s*|\s+i\s+|\s+på\s+)[A-ZÅÄÖ]"
_PURPOSE = re.compile(r"\bsyfte|\bför att\b|\bmål\b|\bmålet\b|\bsyftar\b|\bändamål", re.I)

# Wording that says something has ended, for a leading "Nej" on yes/no questions.
_ENDED = re.compile(
    r"\b(avslutat|avslutats|avslutade|upphört|upphörde|avvecklades|avvecklats|lämnat)\b", re.I
)
_NEGATION = re.compile(r"\b(inte|ej|ingen|inga|aldrig|vilande)\b", re.I)

# Question kinds whose answer must contain something specific.
_NEEDS = ("year", "duration", "count", "amount", "name")

KIND_LABELS = {"plan": "planen", "webbsida": "webbsidan"}
KIND_PLACES = {"plan": "i planen", "webbsida": "på webbsidan"}
_DATE = re.compile(
    r"\b\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|"
    r"november|december)\b|\b(januari|februari|mars|april|maj|juni|juli|augusti|september|"
    r"oktober|november|december) (19|20)\d\d\b",
    re.I,
)
_YEAR_ONLY = re.compile(r"\b(19|20)\d\d(-\d\d-\d\d)?\b")
_ENUMERATION = re.compile(r"^\s*\d+[.)]\s+", re.M)


def _names_in(text: str) -> list[str]:
    """Capitalised words that do not open a sentence or list item: places, organisations."""
    names = []
    for m in re.finditer(r"[^\W\d_][\w'-]*", text):
        before = text[: m.start()].rstrip(" \t")
        opens = not before or before[-1] in ".:!?\n-•" or before.endswith(("1.", "2."))
        if m.group()[0].isupper() and not opens:
            names.append(m.group())
    return names


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    section: str
    quote: str
    updated: str
    url: str | None


@dataclass
class Answer:
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    query: str = ""
    retrieved: list[dict] = field(default_factory=list)  # chunks seen, for evaluation

    def to_dict(self) -> dict:
        """The CLI's JSON contract."""
        return {
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "latency_ms": round(self.latency_ms, 1),
        }


@dataclass
class Candidate:
    index: int
    record: Record
    score: float
    coverage: float
    matched: set[str]
    dense: float
    context_coverage: float = 0.0
    before: Record | None = None  # the sentence before it in the same chunk


@dataclass
class ExtractiveAnswerer:
    """Scores the units of the best chunks and answers with the one or two that fit best.

    The score mixes dense similarity, how much of the question's own vocabulary a unit covers
    (IDF-weighted, compounds counted by their parts), the chunk's retrieval score and whether
    the unit has what the kind of question needs (a year, a number, a list, a purpose).
    """

    embeddings: Embeddings
    snapshot: Callable[[], CorpusSnapshot]
    top_chunks: int = 10
    max_units: int = 2
    min_coverage: float = 0.34
    # Below min_coverage the question's words are mostly not in the passage; then only a
    # high dense similarity counts as an answer (calibrated on the eval set: off-topic
    # Swedish questions scored at most 0.837, answerable ones at least 0.837 with follow-ups).
    min_dense: float = 0.84
    # English questions cannot be checked word by word against the Swedish corpus, so they
    # rely on dense similarity alone (calibrated on the eval set: off-topic ones score < 0.83).
    min_dense_english: float = 0.83
    max_missing_share: float = 0.3
    # Score weights: question-word coverage, dense similarity, the chunk's retrieval score,
    # and the bonus for holding what the kind of question needs.
    w_coverage: float = 1.5
    w_dense: float = 8.0
    w_chunk: float = 0.15
    w_kind: float = 0.6
    w_names: float = 0.4

    def __call__(self, state: dict) -> Answer:
        answer = self.answer(state["info"], state["chunks"], state.get("snap"))
        answer.query = state["info"].query  # the condensed question, for debugging follow-ups
        return answer

    # -- scoring -------------------------------------------------------------------------
    def answer(
        self,
        info: QuestionInfo,
        scored_chunks: list[tuple[Record, float]],
        snap: CorpusSnapshot | None = None,
    ) -> Answer:
        snap = snap or self.snapshot()
        top = scored_chunks[: self.top_chunks]
        retrieved = [{"doc_id": r.meta["doc_id"], "text": r.text} for r, _ in top]
        # A question whose topical words are largely absent from the corpus asks for something
        # the documents do not cover ("Vad kostar medlemskapet i UBC?").
        if (
            not top
            or not info.focus_stems
            or info.missing_share >= self.max_missing_share
            or info.target_missing
        ):
            return self._abstain(top, retrieved)
        candidates = self._candidates(info, snap, top)
        if not candidates:
            return self._abstain(top, retrieved)
        best = candidates[0]
        min_dense = self.min_dense_english if info.english else self.min_dense
        coverage = max(best.coverage, best.context_coverage) if info.followup else best.coverage
        if coverage < self.min_coverage and best.dense < min_dense:
            return self._abstain(top, retrieved)
        chosen = self._select(info, candidates)
        if info.kind in _NEEDS and not any(_fits(info, c.record) for c in chosen):
            # The topic is there but not the year, figure or name asked for: a near miss.
            return self._abstain(top, retrieved)
        if not info.english and not self._names_covered(info, chosen):
            # "Vilka vänorter har Stockholms stad?": the answer must be about what is named.
            return self._abstain(top, retrieved)
        return self._compose(info, chosen, retrieved)

    def _names_covered(self, info: QuestionInfo, chosen: list[Candidate]) -> bool:
        text = " ".join(
            f"{c.record.text} {c.record.meta.get('section', '')} {c.record.meta.get('title', '')}"
            f" {c.before.text if c.before else ''}"
            for c in chosen
        )
        words, stems = _terms_of(text, info)
        for name in info.names:
            # Genitive -s: "Luleås" names Luleå.
            forms = {name, name[:-1]} if name.endswith("s") and len(name) > 4 else {name}
            if any(stem(f) in info.ubiquitous for f in forms):
                continue
            if not any(_mentions(f, words, stems) for f in forms):
                return False
        return True

    def _candidates(
        self, info: QuestionInfo, snap: CorpusSnapshot, top: list[tuple[Record, float]]
    ) -> list[Candidate]:
        qvec = np.asarray(self.embeddings.embed_query(info.query), dtype=np.float32)
        idf = snap.unit_idf
        newest = max((r.meta.get("updated", "") for r, _ in top), default="")
        chunk_scores = np.array([s for _, s in top], dtype=np.float32)
        chunk_z = (chunk_scores - chunk_scores.mean()) / (chunk_scores.std() + 1e-6)
        raw: list[Candidate] = []
        for (chunk, _), cz in zip(top, chunk_z, strict=True):
            previous: Record | None = None
            for i in snap.units_by_chunk.get(chunk.meta["chunk"], []):
                unit, before = snap.units[i], previous
                previous = unit
                if unit.meta.get("furniture"):
                    continue
                dense = float(snap.unit_vectors[i] @ qvec)
                own, matched = _coverage(info.focus_stems, unit, idf, info.aliases, before)
                ctx, _ = _coverage(info.context_stems, unit, idf, info.aliases, before)
                # A follow-up without a name of its own is about the earlier topic.
                ctx_weight = 1.0 if info.followup and not info.names else 0.5
                score = self.w_coverage * own + ctx_weight * ctx + self.w_chunk * float(cz)
                score += self.w_kind if _fits(info, unit) else 0.0
                # The places and organisations the question names are its subject: a sentence
                # about another one answers another question ("... med Kina" for Murmansk).
                score += self.w_names * _names_share(info, unit, before)
                if unit.meta.get("updated", "") == newest:
                    score += 0.05  # the newer document leads when two say the same
                raw.append(Candidate(i, unit, score, own, matched, dense, ctx, before))
        if not raw:
            return []
        dens = np.array([c.dense for c in raw], dtype=np.float32)
        dz = (dens - dens.mean()) / (dens.std() + 1e-6)
        for cand, z in zip(raw, dz, strict=True):
            cand.score += 0.35 * float(z) + self.w_dense * (cand.dense - 0.8)
        return sorted(raw, key=lambda c: -c.score)

    def _select(self, info: QuestionInfo, candidates: list[Candidate]) -> list[Candidate]:
        """The best unit, plus one more that adds a missing part of the question."""
        best = candidates[0]
        if info.kind in (*_NEEDS, "where") and not _fits(info, best.record):
            # A close runner-up that has the year, number, name or place asked for is better.
            for cand in candidates[1:6]:
                if (
                    cand.score >= best.score - 1.0
                    and cand.coverage >= 0.65 * best.coverage  # still about what is asked
                    and _fits(info, cand.record)
                ):
                    best = cand
                    break
        if info.kind == "name" and not _strong_name(best.record.text, info, best.record):
            # "Vad hette projektet?": a quoted or multi-word name beats a passing place name.
            for cand in candidates[1:6]:
                if (
                    cand.score >= best.score - 1.5
                    and cand.coverage >= 0.65 * best.coverage
                    and _strong_name(cand.record.text, info, cand.record)
                ):
                    best = cand
                    break
        chosen = [best]
        covered = set(best.matched)
        if info.kind in _NEEDS and not _fits(info, best.record):
            # The figure often sits in the next sentence ("... Projektet pågår fram till 2023.").
            for cand in candidates[1:8]:
                if cand.record.meta["chunk"] == best.record.meta["chunk"] and _fits(
                    info, cand.record
                ):
                    chosen.append(cand)
                    covered |= cand.matched
                    break
        for cand in candidates[:6]:
            if cand is best or any(cand is c for c in chosen):
                continue
            if len(chosen) >= self.max_units:
                break
            if cand.score < best.score - 0.6:
                break
            adds = cand.matched - covered
            same_place = cand.record.meta["chunk"] == best.record.meta["chunk"]
            if adds or (same_place and cand.score > best.score - 0.25):
                if _overlaps(cand.record, chosen):
                    continue
                chosen.append(cand)
                covered |= cand.matched
        newest = max(_date_key(c.record) for c in candidates[:6])
        if _date_key(best.record) < newest:
            # Where the newer document speaks to the same question, it leads the answer.
            for cand in candidates[1:6]:
                if (
                    _date_key(cand.record) == newest
                    and cand.score >= best.score - 1.0
                    and cand.coverage >= 0.9 * best.coverage
                    and (_fits(info, cand.record) or not _fits(info, best.record))
                    and cand.matched & best.matched
                    and not _overlaps(cand.record, chosen)
                ):
                    return [cand, *chosen][: self.max_units]
        # The best sentence leads; a sentence from its own paragraph reads in document order.
        lead, rest = chosen[0], chosen[1:]
        if rest and rest[0].record.meta["chunk"] == lead.record.meta["chunk"]:
            return sorted(chosen, key=lambda c: c.record.meta["order"])
        return [lead, *rest]

    # -- composing ----------------------------------------------------------------------
    def _compose(self, info: QuestionInfo, chosen: list[Candidate], retrieved) -> Answer:
        citations: list[Citation] = []
        parts: list[str] = []
        docs = {c.record.meta["doc_id"] for c in chosen}
        for n, cand in enumerate(chosen, start=1):
            meta = cand.record.meta
            citations.append(
                Citation(
                    n=n,
                    doc_id=meta["doc_id"],
                    title=meta["title"],
                    section=meta.get("section", ""),
                    quote=cand.record.text,
                    updated=meta.get("updated", ""),
                    url=meta.get("url") or None,
                )
            )
            text = cand.record.text.strip()
            if len(docs) > 1:
                label = KIND_LABELS.get(meta.get("kind", ""), meta["title"])
                text = f"Enligt {label} ({meta.get('updated', '')}): {text}"
            parts.append(f"{text} [{n}]")
        lead = self._yes_no_lead(info, chosen[0]) if info.kind == "yesno" else ""
        answer = (lead + " " if lead else "") + "\n".join(parts)
        return Answer(answer=answer, abstained=False, citations=citations, retrieved=retrieved)

    @staticmethod
    def _yes_no_lead(info: QuestionInfo, best: Candidate) -> str:
        """Lead with Ja/Nej only when the quoted text says it outright."""
        text = best.record.text
        q = info.original
        if _ENDED.search(text) and not _ENDED.search(q) and best.coverage >= 0.6:
            return "Nej."
        if best.coverage >= 0.99 and not _NEGATION.search(text) and not _NEGATION.search(q):
            return "Ja."
        return ""

    def _abstain(self, top: list[tuple[Record, float]], retrieved) -> Answer:
        text = ABSTAIN_TEXT
        if top:
            meta = top[0][0].meta
            place = KIND_PLACES.get(meta.get("kind", ""), f"i ”{meta['title']}”")
            # The innermost heading reads best ("Uleåborg", not the whole trail).
            section = (meta.get("section") or meta["title"]).split(" > ")[-1]
            text += f" Närmast kommer avsnittet ”{section}” {place} ({meta.get('updated', '')})."
        return Answer(answer=text, abstained=True, citations=[], retrieved=retrieved)


def _fits(info: QuestionInfo, unit: Record) -> bool:
    """Whether a unit holds what the kind of question needs."""
    kind, text = info.kind, unit.text
    if kind == "year":
        return bool(_YEAR_ONLY.search(text) or _DATE.search(text))
    if kind == "duration":
        return bool(_YEAR.search(text))
    if kind == "count":
        # List numbering ("1. ...") and years are not amounts; and the number must count the
        # thing asked about ("Hur många medlemmar" -> "55 medlemmar", not "fyra regioner").
        text = _YEAR_ONLY.sub("", _ENUMERATION.sub("", text))
        counted = [w for w in info.counted if stem(w) not in info.ubiquitous]
        if not info.english and counted:
            return any(_counts(text, w) for w in counted)
        return bool(_NUMBER.search(text))
    if kind == "amount":
        return bool(_AMOUNT.search(text))
    if kind == "list":
        # A list, or a sentence that names several things ("Zenica och Puerto Cabezas").
        return bool(unit.meta.get("is_list") or len(set(_names_in(text))) >= 2)
    if kind == "why":
        return bool(_PURPOSE.search(text))
    if kind == "where":
        for group in info.name_groups:
            last = re.escape(group[-1]) if group else ""
            if last and re.search(rf"(?i:{last})\w*{_LOCATED}", text):
                return True
        return bool(re.search(r"\b(i|på|från|till)\s+[A-ZÅÄÖ]", text)) and bool(
            _new_names(text, info, unit, places=True)
        )
    if kind == "name":
        return bool(_new_names(text, info, unit))
    return False


def _terms_of(text: str, info: QuestionInfo) -> tuple[set[str], set[str]]:
    """Words and stems of text, with the other spelling of any acronym ("UBC")."""
    words = with_aliases(set(tokens(text)), info.aliases)
    return words, {stem(w) for w in words}


def _mentions(name: str, words: set[str], stems: set[str]) -> bool:
    return stem(name) in stems or _compound_match(stem(name), words)


def _names_share(info: QuestionInfo, unit: Record, before: Record | None) -> float:
    """Share of the question's specific names (not the corpus's subject) the unit mentions."""
    names = [n for n in info.names if stem(n) not in info.ubiquitous]
    if not names:
        return 0.0
    text = f"{unit.text} {unit.meta.get('section', '')} {before.text if before else ''}"
    words, stems = _terms_of(text, info)
    return sum(1 for n in names if _mentions(n, words, stems)) / len(names)


def _counts(text: str, target: str) -> bool:
    """A number followed, within three words, by the counted thing (or a compound of it)."""
    toks = tokens(text)
    want = stem(target)
    for i, tok in enumerate(toks):
        if tok.isdigit() or tok in _NUMBER_WORDS:
            for follower in toks[i + 1 : i + 4]:
                if stem(follower) == want or _compound_match(want, {follower}):
                    return True
    return False


def _new_names(
    text: str, info: QuestionInfo, unit: Record | None = None, places: bool = False
) -> list[str]:
    """Names in text that the question does not already name: capitalised words inside a
    sentence, or uncommon ones opening it, that are not the unit's own heading nor the
    corpus's subject ("Luleå")."""
    from bot.text import is_common_word

    asked = {stem(fold(n)) for n in info.names} | set(info.focus_stems)
    if not places:  # "i Luleå" answers where, but "Luleå" answers no "vem" or "vad heter"
        asked |= info.ubiquitous
    if unit is not None:
        # Words of the unit's own heading name its topic, not an answer ("Internationella").
        asked |= {stem(t) for t in tokens(unit.meta.get("section", ""))}
    out = []
    for m in re.finditer(r"[A-ZÅÄÖ][\wåäöø'-]+", text):
        low = fold(m.group())
        before = text[: m.start()].rstrip(' \t"”“(')
        opens = not before or before[-1] in ".:!?\n-"
        forms = {stem(low), stem(low[:-1])} if low.endswith("s") else {stem(low)}  # genitive
        if forms & asked or (opens and is_common_word(low)):
            continue
        out.append(m.group())
    return out


def _strong_name(text: str, info: QuestionInfo, unit: Record | None) -> bool:
    """A quoted title or a name of several words: what "Vad heter ...?" usually wants."""
    names = _new_names(text, info, unit)
    if any(re.search(rf"[\"”“][^\"”“]*{re.escape(n)}", text) for n in names):
        return True
    return any(
        re.search(rf"{re.escape(a)}\s+{re.escape(b)}", text)
        for a, b in zip(names, names[1:], strict=False)
    )


def _date_key(rec: Record) -> int:
    digits = re.sub(r"\D", "", str(rec.meta.get("updated", "")))
    return int(digits or 0)


def _overlaps(rec: Record, chosen: list[Candidate]) -> bool:
    for c in chosen:
        m = c.record.meta
        if m["doc_id"] == rec.meta["doc_id"] and not (
            rec.meta["end"] <= m["start"] or rec.meta["start"] >= m["end"]
        ):
            return True
    return False


def _unit_terms(
    unit: Record, aliases: dict[str, tuple[str, ...]], before: Record | None = None
) -> tuple[set[str], set[str], set[str]]:
    """Stems and words of a unit, and the stems of its context (section heading and the
    sentence before it: "Medlemmarna på svensk sida: ... På finsk sida: ..."). An acronym
    also stands for its long form."""
    text_toks = with_aliases(set(tokens(unit.text)), aliases)
    context_toks = tokens(unit.meta.get("section", ""))
    if before is not None:
        context_toks += tokens(before.text)
    return (
        {stem(t) for t in text_toks},
        {fold(t) for t in text_toks},
        {stem(t) for t in context_toks},
    )


def _coverage(
    stems: list[str], unit: Record, idf: dict[str, float], aliases=None, before=None
) -> tuple[float, set[str]]:
    """IDF-weighted share of the stems found in the unit; its context counts half."""
    if not stems:
        return 0.0, set()
    text_stems, words, section_stems = _unit_terms(unit, aliases or {}, before)
    total = got = 0.0
    matched: set[str] = set()
    default_idf = max(idf.values(), default=1.0)
    for s in dict.fromkeys(stems):
        w = idf.get(s, default_idf)
        total += w
        if s in text_stems or _compound_match(s, words):
            got += w
            matched.add(s)
        elif _parts_match(s, words):
            got += 0.7 * w  # "tjänsteresor" ~ "resor i tjänsten": both parts, not the word
            matched.add(s)
        elif s in section_stems:
            got += 0.5 * w
            matched.add(s)
    return (got / total if total else 0.0), matched


def _parts_match(s: str, words: set[str]) -> bool:
    """Both parts of a compound stem occur as words of their own (linking -s/-e allowed)."""
    if len(s) < 7:
        return False
    for cut in range(4, len(s) - 2):
        left, right = s[:cut], s[cut:]
        lefts = {left, left[:-1]} if left[-1] in "se" else {left}
        if any(len(x) >= 4 and any(w.startswith(x) for w in words) for x in lefts) and any(
            w.startswith(right) for w in words if len(right) >= 3
        ):
            return True
    return False


def _compound_match(s: str, words: set[str]) -> bool:
    """A stem matches inside a Swedish compound: as its first part or as its head."""
    if len(s) < 4:
        return False
    return any(w.startswith(s) or (len(w) > len(s) + 2 and w.endswith(s)) for w in words)
