"""Selection: the best unit, widened to a neighbour or a second unit that adds what is asked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import features as f
from bot.candidates import Candidate
from bot.questions import QuestionInfo
from bot.retrieval import Record
from config.tuning import Tuning
from ingest.chunking import SECTION_SEPARATOR
from ingest.swedish import BACKWARD_OPENER, CONTINUING_OPENER, POINTS_BACK

# Kinds whose answer may sit next to the best unit (the next sentence, a footnote, a list).
WIDENED = (*f.NEEDS, "list", "why")


@dataclass
class Selection:
    lead: Candidate  # the unit that answers; yes/no and names are judged on it
    records: list[Record]  # what is quoted, in reading order


def select(info: QuestionInfo, ranked: list[Candidate], tuning: Tuning) -> Selection:
    best = _best(info, ranked, tuning)
    best_fits = f.fits(info, best.record.text, best.record.meta)
    records: list[Record] = [best.record]
    covered = set(best.matched)
    introduced = None if best.record.meta.get("is_list") else best.introduced
    if introduced is not None:
        # A lead-in quoted alone answers nothing ("De filter som finns ... är:"): what it
        # introduces comes with it, also across a heading ("... tre principer ...:" and then
        # "### Tre bärande principer" and its list).
        records.append(introduced)
    elif info.kind in WIDENED and not best_fits:
        # The fact often follows the sentence that names the topic ("X är en stad i Norge.
        # Staden har 40 000 invånare."), or sits in a footnote.
        widened = _widen(info, best, ranked, tuning)
        if widened is not None:
            records.append(widened)
    # A best unit that lacks what is asked often goes on in the next sentence ("Det gäller
    # till exempel ..."). That sentence is quoted with it as part of the same passage, so it
    # takes no place from a runner-up that answers in other words.
    read_on = None
    if len(records) == 1 and not best_fits:
        read_on = _read_on(best)
    if read_on is not None:
        records.append(read_on)
    limit = tuning.max_units + (read_on is not None)
    points_back = BACKWARD_OPENER.match(best.record.text) or (
        info.kind == "why" and POINTS_BACK.search(best.record.text)
    )
    if best.before is not None and points_back and not _overlaps(best.before, records):
        # "Därför är eduID certifierat": the reason is the sentence before; "Då kan beloppet
        # deponeras" says when only with it.
        records.append(best.before)
    # The runner-up that is the sentence right after the best one often says what the best one
    # only names ("Mottagningsställen ... är en följd av ett EU-direktiv"): it is read with it
    # whatever the score gap.
    next_runner_up = _next_runner_up(best, ranked)
    ties: list[Record] = []
    for cand in ranked[: tuning.window]:
        if len(records) >= limit:
            break
        next_one = cand is next_runner_up
        if cand is best or (cand.score < best.score - tuning.runner_up_margin and not next_one):
            continue
        # Within the best unit's chapter, a unit adds what its heading adds ("Planerad
        # utveckling" and its list). From another chapter only its own words count: a sentence
        # that shares nothing but a heading with the question ("Vad kostar det?" under another
        # building) adds nothing to the answer.
        same_chapter = _chapter(cand.record) == _chapter(best.record)
        adds = (cand.matched if same_chapter else cand.own) - covered
        same_chunk = cand.record.meta["chunk"] == best.record.meta["chunk"]
        if (
            adds or next_one or (same_chunk and cand.score > best.score - tuning.same_chunk_margin)
        ) and not _overlaps(cand.record, records):
            records.append(cand.record)
            covered |= cand.matched
        elif same_chapter and not info.narrows and cand.score >= best.score - tuning.tie_margin:
            # When the scorer cannot tell two units of one chapter apart, the reader sees
            # both: the answer is often in the one that repeats fewer of the question's words.
            # Not for a question about part of a list, which the whole list answers wrongly.
            ties.append(cand.record)
    # A near tie is the weakest reason to quote a unit: it only takes a place left above.
    for record in ties:
        if len(records) < limit and not _overlaps(record, records):
            records.append(record)
    newer = _newer_lead(info, ranked, best, best_fits, records, tuning)
    if newer is not None:
        return Selection(newer, [newer.record, *records][:limit])
    # The best unit leads; a unit from its own paragraph reads in document order.
    if len(records) > 1 and records[1].meta["chunk"] == best.record.meta["chunk"]:
        records = sorted(records, key=lambda r: r.meta["order"])
    return Selection(best, records)


def _best(info: QuestionInfo, ranked: list[Candidate], tuning: Tuning) -> Candidate:
    best = ranked[0]
    if info.narrows:
        # "Vilka av dem är vilande?": the sentence that names a subset of the list, not the
        # whole list again.
        close = [
            c
            for c in ranked[: tuning.widen_window]
            if not c.record.meta.get("is_list") and c.score >= best.score - tuning.narrow_margin
        ]
        # One that names the part (two names, say) first; else one that says the word that
        # picks it, when the part is common nouns ("rabies och mjältbrand").
        found = [c for c in close if f.fits(info, c.record.text, c.record.meta)] or [
            c for c in close if _picks(c, best)
        ]
        if found:
            return found[0]
    # "Vart vänder jag mig?", "Vem ...?": a close runner-up that gives a place, a body or a
    # phone number beats one that does not. For years, figures, lists and names the learned
    # score decides alone: the same override there changed 14 of 879 dev answers and dev
    # passed 2 more without it (training/MODEL.md, "Simplification").
    if info.kind in f.PREFERS and not f.fits(info, best.record.text, best.record.meta):
        for cand in ranked[1 : tuning.window]:
            if (
                cand.score >= best.score - tuning.fit_margin
                and cand.coverage >= tuning.runner_up_coverage * best.coverage
                and f.fits(info, cand.record.text, cand.record.meta)
            ):
                return cand
    return best


def _picks(cand: Candidate, best: Candidate) -> bool:
    """The unit says what the best one does and, in its own words, one more of the question's
    words: the word that picks part of the list ("... är anmälningspliktiga")."""
    return cand.matched >= best.matched and bool(cand.own - best.matched)


def _widen(
    info: QuestionInfo, best: Candidate, ranked: list[Candidate], tuning: Tuning
) -> Record | None:
    """What holds the asked fact next to the best unit: a following unit of the same paragraph
    that goes on with its subject, the footnote it refers to, or another unit of its chunk."""
    after = best.after
    if after is not None and f.fits(info, after.text, after.meta) and _continues(after):
        return after
    following = best.following
    if info.kind == "list" and following is not None and following.meta.get("is_list"):
        return following  # "Vilka handlingar ...?": the list that follows in the section
    note = best.footnote
    if note is not None and f.fits(info, note.text, best.record.meta):
        return note
    for cand in ranked[1 : tuning.widen_window]:
        same_chunk = cand.record.meta["chunk"] == best.record.meta["chunk"]
        if same_chunk and f.fits(info, cand.record.text, cand.record.meta):
            return cand.record
    return None


def _read_on(best: Candidate) -> Record | None:
    """The unit after the best one, when the text reads on into it: it opens as a continuation
    of the same subject ("Det gäller till exempel ...", "Den riktar sig även till ..."), or the
    best unit stops mid-clause ("... vid avverkning är")."""
    nxt = best.after or best.following
    if nxt is None:
        return None
    text = best.record.text.rstrip()
    unfinished = bool(text) and text[-1].isalpha() and not best.record.meta.get("is_list")
    return nxt if unfinished or _continues(nxt) else None


def _continues(record: Record) -> bool:
    """A sentence that goes on with the same subject: it opens with a pronoun, a definite
    noun or a connective rather than a new name ("Staden har ...", "Den ...", "Projektet")."""
    return bool(CONTINUING_OPENER.match(record.text))


def _newer_lead(
    info: QuestionInfo,
    ranked: list[Candidate],
    best: Candidate,
    best_fits: bool,
    records: list[Record],
    tuning: Tuning,
) -> Candidate | None:
    """Where a newer document speaks to the same question, it leads the answer."""
    newest = max(_date_key(c.record) for c in ranked[: tuning.window])
    if _date_key(best.record) >= newest:
        return None
    for cand in ranked[1 : tuning.window]:
        if (
            _date_key(cand.record) == newest
            and cand.score >= best.score - tuning.fit_margin
            and cand.coverage >= tuning.newer_coverage * best.coverage
            and (f.fits(info, cand.record.text, cand.record.meta) or not best_fits)
            and cand.matched & best.matched
            and not _overlaps(cand.record, records)
        ):
            return cand
    return None


def _chapter(rec: Record) -> tuple[str, str]:
    """The document and the top of the section trail a unit stands under."""
    return rec.meta["doc_id"], (rec.meta.get("section") or "").split(SECTION_SEPARATOR)[0]


def _date_key(rec: Record) -> int:
    digits = re.sub(r"\D", "", str(rec.meta.get("updated", "")))
    return int(digits or 0)


def _next_runner_up(best: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The candidate ranked second, when the best unit ranks first and it is the unit that
    follows the best one in the same paragraph."""
    after = best.after
    if len(ranked) < 2 or ranked[0] is not best or after is None:
        return None
    runner = ranked[1]
    same = runner.record.meta["doc_id"] == after.meta["doc_id"] and (
        runner.record.meta["start"],
        runner.record.meta["end"],
    ) == (after.meta["start"], after.meta["end"])
    return runner if same else None


def _overlaps(rec: Record, records: list[Record]) -> bool:
    return any(
        m.meta["doc_id"] == rec.meta["doc_id"]
        and not (rec.meta["end"] <= m.meta["start"] or rec.meta["start"] >= m.meta["end"])
        for m in records
    )
