"""The matching rules and metrics of the eval suite: pure functions, no bot and no model.

Text matching is case- and whitespace-insensitive: both sides are NFC-normalised, casefolded and
stripped of ALL whitespace and of soft hyphens (U+00AD, invisible to a reader) before a substring
test, so "710 000" matches "710000", "UBC" matches "ubc" and a quote of regeringen.se's
"Rätts\u00admedicinal\u00adverket" holds "Rättsmedicinalverket". An expectation is a string, or a
list of alternatives of which any one will do. A forbidden string is matched as a word (or
phrase) of its own, inflected or not: forbidding "ja" must not fail an answer that says
"bevilja" or "följa", nor forbidding "turism" one that says "ekoturism". For the same reason an
expected yes or no ("ja", "nej") must stand as a word of its own.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from ingest.swedish import INFLECTIONS

Expectation = str | list[str]

HIT_KS = (1, 3, 5)
# The words that answer a yes/no question: an expectation of one of them is a word, not a fact.
POLARITY = frozenset({"ja", "nej", "yes", "no"})


# An ending a word may carry and still be the word asked about ("proteinerna" for "protein").
_ENDINGS = "|".join(re.escape(e) for e in INFLECTIONS if e)


def _fold(text: str) -> str:
    """NFC, casefolded, without soft hyphens (U+00AD, invisible to a reader)."""
    return unicodedata.normalize("NFC", text).casefold().replace("\u00ad", "")


def norm(text: str) -> str:
    """The form texts are compared in: NFC, casefolded, without any whitespace or soft hyphen."""
    return "".join(_fold(text).split())


def says(text: str, answer_text: str) -> bool:
    """The answer holds text as a word or phrase of its own: not inside another word, but
    perhaps inflected ("proteiner" for "protein"; a yes or no never is: "Jan" says no "ja").
    Whitespace inside it may differ."""
    folded = _fold(text).strip()
    if not folded:
        return False
    pattern = r"\s*".join(re.escape(part) for part in folded.split())
    if folded[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if folded[-1].isalnum():
        pattern += ("" if _polar(folded) else f"(?:{_ENDINGS})?") + r"(?!\w)"
    return re.search(pattern, _fold(answer_text)) is not None


def _polar(text: str) -> bool:
    return text.strip(" .,!").casefold() in POLARITY


def alternatives(expectation: Expectation) -> list[str]:
    return [expectation] if isinstance(expectation, str) else list(expectation)


def _answers(expectation: Expectation, answer_text: str, normalized_text: str) -> bool:
    """satisfied, except that an expected yes or no must be said as a word: "ja" inside
    "bärighetshöjande" or "åtgärder" answers no yes/no question."""
    return any(
        says(alt, answer_text) if _polar(alt) else norm(alt) in normalized_text
        for alt in alternatives(expectation)
    )


def satisfied(expectation: Expectation, normalized_text: str) -> bool:
    """Whether the (already normalised) text holds the fact, or one of its alternatives."""
    return any(norm(alt) in normalized_text for alt in alternatives(expectation))


def describe(expectation: Expectation) -> str:
    alts = alternatives(expectation)
    if len(alts) == 1:
        return f'"{alts[0]}"'
    return "något av " + " / ".join(f'"{a}"' for a in alts)


def judge(
    *,
    expect: Sequence[Expectation],
    forbid: Sequence[str],
    sources: Sequence[str],
    should_abstain: bool,
    answer_text: str,
    abstained: bool,
    cited_doc_ids: Sequence[str],
) -> list[str]:
    """Why an answer fails its item; an empty list means it passes.

    should_abstain: the bot must abstain and no forbidden string may appear.
    Otherwise: it must not abstain, every expectation must appear in the answer, no forbidden
    string may appear, and when sources are given at least one citation must point to one.
    A wrong abstention is reported as just that, not as every fact it lacks.
    """
    text = norm(answer_text)
    reasons: list[str] = []
    if should_abstain:
        if not abstained:
            reasons.append("borde ha avstått")
    elif abstained:
        reasons.append("avstod felaktigt")  # the missing facts would only repeat this
    else:
        reasons += [f"saknar {describe(e)}" for e in expect if not _answers(e, answer_text, text)]
    reasons += [f'förbjudet "{f}"' for f in forbid if says(f, answer_text)]
    cites_source = any(doc_id in sources for doc_id in cited_doc_ids)
    if not should_abstain and sources and not abstained and not cites_source:
        cited = ", ".join(dict.fromkeys(cited_doc_ids)) or "inga källor"
        reasons.append(f"ingen källa från [{', '.join(sources)}] (citerade: {cited})")
    return reasons


def hit_rank(
    expect: Sequence[Expectation], sources: Sequence[str], retrieved: Sequence[Mapping]
) -> int | None:
    """1-based rank of the first retrieved chunk that is from an expected source (any source
    when none are given) and holds every expected fact by itself; None when no chunk does."""
    for rank, chunk in enumerate(retrieved, start=1):
        if sources and chunk.get("doc_id") not in sources:
            continue
        text = norm(str(chunk.get("text", "")))
        if all(satisfied(e, text) for e in expect):
            return rank
    return None


def cover_rank(expect: Sequence[Expectation], retrieved: Sequence[Mapping]) -> int | None:
    """The looser measure: the smallest k for which the top k chunks together (any source)
    hold every expected fact; None when even all retrieved chunks do not."""
    texts: list[str] = []
    for rank, chunk in enumerate(retrieved, start=1):
        texts.append(norm(str(chunk.get("text", ""))))
        joined = "\x00".join(texts)
        if all(satisfied(e, joined) for e in expect):
            return rank
    return None


YES_NO = {"ja", "nej"}

# The stage of the pipeline at fault for a failing answer (the eval report's column).
STAGES = {
    "not-retrieved": "svaret hämtades inte",
    "not-chosen": "hämtat men inte valt",
    "abstained": "valt men boten avstod",
    "composed": "valt men fel sammansatt",
    "answered": "svarade i stället för att avstå",
}


def stage(
    expect: Sequence[Expectation],
    should_abstain: bool,
    abstained: bool,
    cover: int | None,
    considered: Sequence[str],
) -> str:
    """Where a failing answer went wrong, judged from what was retrieved (cover: the cover
    rank) and the units the bot considered; a key of STAGES."""
    if should_abstain:
        return "answered"
    if cover is None:
        return "not-retrieved"
    chosen = norm("\x00".join(considered))
    # "Ja"/"Nej" is the composer's to add; the unit holds the other facts.
    facts = [e for e in expect if not set(map(norm, alternatives(e))) <= YES_NO]
    holds = bool(considered) and all(satisfied(e, chosen) for e in facts)
    if abstained:
        # An abstention before any unit was weighed (words missing from the corpus) counts
        # as the abstention's fault: the answer was there to be chosen.
        return "abstained" if holds or not considered else "not-chosen"
    return "composed" if holds else "not-chosen"


def quote_problem(quote: str, doc_id: str, bodies: Mapping[str, str]) -> str | None:
    """Why a citation's quote is not verbatim in its document's body; None when it is."""
    body = bodies.get(doc_id)
    if body is None:
        return f"dokumentet {doc_id!r} finns inte i korpusen"
    if not quote:
        return "citatet är tomt"
    if quote in body:
        return None
    if norm(quote) in norm(body):
        return "citatet skiljer sig från dokumentet i blanksteg eller skiftläge"
    return "citatet finns inte ordagrant i dokumentet"


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation; None for no values."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def pct(value: float | None, digits: int = 1) -> str:
    """A share 0..1 as a percentage string; a dash when undefined."""
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"
