"""Composing the Swedish answer: quotes with numbered citations, a Ja/Nej lead, or an abstention."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot import features as f
from bot.candidates import Candidate
from bot.outline import SEPARATOR, HeadingList
from bot.questions import QuestionInfo
from bot.retrieval import Record
from bot.text import stem, tokens
from config.tuning import Tuning
from ingest.swedish import (
    CONCESSIVE,
    CONDITIONAL,
    CONTRAST,
    ENDED,
    EXCEPTION,
    LEADING_CONDITION,
    LIST_LINE,
    NEGATION,
    OPPOSITES,
    PARTITIVE_SET,
    RELATIVE_NEGATION,
    RESTRICTIVE,
    UNIVERSAL,
    WITHOUT,
)
from ingest.text_split import sentence_spans

ABSTAIN_TEXT = "Det framgår inte av dokumenten."

# Why the answerer abstained (Answer.abstain_code), and how an eval report says it.
ABSTAIN_REASONS = {
    "no-topic": "inget att söka på",
    "missing-words": "orden finns inte i dokumenten",
    "missing-target": "det som efterfrågas finns inte",
    "no-units": "inga meningar att välja",
    "low-match": "för låg täckning och likhet",
    "near-miss": "inget svar av slaget",
    "other-entity": "namnen i frågan saknas i avsnittet",
    "other-year": "året i frågan nämns inte i avsnittet",
    "low-confidence": "svaret är troligen fel",
}
# Where the documents cover the topic but not what is asked, the closest section helps the
# reader; otherwise the "closest" section is noise and is not named.
CLOSE_CODES = frozenset({"near-miss", "other-entity", "other-year", "low-confidence"})
KIND_LABELS = {"plan": "planen", "webbsida": "webbsidan"}
KIND_PLACES = {"plan": "i planen", "webbsida": "på webbsidan"}


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
    abstain_code: str = ""  # which check abstained (a key of ABSTAIN_REASONS)
    abstain_reason: str = ""  # the same in words, with details, for evaluation and debugging
    # The whole units the answer was made from, or the best one the bot had when it abstained
    # after ranking: evaluation tells "chosen but composed wrong" from "never chosen" with them.
    considered: list[str] = field(default_factory=list)
    # The pipeline's best units, best first, whether it answered or not: the register reads
    # its cells from them when the quoted ones do not say (records; not part of the JSON).
    ranked: list = field(default_factory=list, repr=False)
    # Which path wrote the text: "extractive", "generative" (a language model's sentences that
    # passed bot/gate.py) or "extractive-fallback" (the model's text did not pass), and why
    # sentences were dropped or the model's text was not used.
    answerer: str = "extractive"
    gate: list[str] = field(default_factory=list)
    # The composed answer's signals (bot/confidence.py), for fitting the confidence model;
    # kept when that model abstained (not part of the JSON).
    confidence: dict[str, float] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        """The CLI's JSON contract."""
        return {
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "latency_ms": round(self.latency_ms, 1),
            "answerer": self.answerer,
            **({"gate": self.gate} if self.gate else {}),
        }


def compose(
    info: QuestionInfo,
    lead: Candidate,
    records: list[Record],
    retrieved: list[dict],
    tuning: Tuning,
) -> Answer:
    citations: list[Citation] = []
    parts: list[str] = []
    docs = {r.meta["doc_id"] for r in records}
    for n, record in enumerate(records, start=1):
        meta = record.meta
        citations.append(_citation(n, meta, record.text, meta.get("section", "")))
        text = record.text.strip()
        if n == 1 and not f.fits_text(info, text, meta) and f.fits_by_heading(info, meta):
            # The figure is in the heading the quote stands under ("### 2024-05-29").
            text = f"Under rubriken ”{f.heading(meta)}”: {text}"
        if len(docs) > 1:
            label = KIND_LABELS.get(meta.get("kind", ""), meta["title"])
            text = f"Enligt {label} ({meta.get('updated', '')}): {text}"
        parts.append(f"{text} [{n}]")
    lead_word = yes_no(info, lead, tuning) if info.kind == "yesno" else ""
    answer = (lead_word + " " if lead_word else "") + "\n".join(parts)
    return Answer(answer=answer, abstained=False, citations=citations, retrieved=retrieved)


def compose_headings(found: HeadingList, retrieved: list[dict], tuning: Tuning) -> Answer:
    """A list answered by a section's sub-headings, each quoted and cited: after the sentence
    that introduces them, or under their heading's name."""
    meta = found.source.meta
    citations: list[Citation] = []
    if found.lead_in is not None:
        n = _cite(citations, meta, found.lead_in.text, found.parent)
        head = f"{found.lead_in.text.strip()} [{n}]"
    else:
        head = f"Under rubriken ”{found.parent.split(SEPARATOR)[-1]}” står:"
    items = [
        f"- {child} [{_cite(citations, meta, child, found.parent + SEPARATOR + child)}]"
        for child in found.children[: tuning.heading_list_max]
    ]
    return Answer(
        answer="\n".join([head, *items]),
        abstained=False,
        citations=citations,
        retrieved=retrieved,
    )


def part_of_list(info: QuestionInfo, record: Record) -> tuple[str, list[str]] | None:
    """For a question about part of a list ("Vilka av de handlingar ... hämtar man från
    Bolagsverket?"), the list unit's lead-in and the items that say the words picking the part:
    the question's words that neither the lead-in nor the unit's headings say, and that some
    items say and others do not. None when no word picks a part."""
    lines = [line for line in record.text.splitlines() if line.strip()]
    lead_in = lines[0] if lines and not LIST_LINE.match(lines[0]) else ""
    items = [line for line in lines if LIST_LINE.match(line) and not line.lstrip().startswith("|")]
    if len(items) < 3:
        return None
    shared = " ".join([lead_in, f.unit_context(record), record.meta.get("title", "")])
    shared_words, shared_stems = f.terms_of(shared, info)

    # The set itself ("Vilka av de *frågorna* ...") picks no part of it.
    named = PARTITIVE_SET.search(info.original)
    the_set = {stem(w) for w in tokens(named.group(1))} if named else set()
    asked = [
        s
        for s in dict.fromkeys(info.focus_stems)
        if s not in the_set and s not in shared_stems and not f.compound_match(s, shared_words)
    ]
    # Whole words only: a compound ("personlig" for "personer") is another word in a list.
    said = [f.terms_of(item, info)[1] for item in items]
    picking = [s for s in asked if 0 < sum(s in st for st in said) < len(items)]
    kept = [
        LIST_LINE.sub("", item).strip()
        for item, st in zip(items, said, strict=True)
        if any(s in st for s in picking)
    ]
    return (lead_in.strip(), kept) if 0 < len(kept) < len(items) else None


def compose_part(lead_in: str, items: list[str], record: Record, retrieved: list[dict]) -> Answer:
    """The lead-in and the items that answer a question about part of a list, each quoted on
    its own: the rest of the list answers wrongly."""
    meta, section = record.meta, record.meta.get("section", "")
    citations: list[Citation] = []
    head = [f"{lead_in} [{_cite(citations, meta, lead_in, section)}]"] if lead_in else []
    lines = [f"- {item} [{_cite(citations, meta, item, section)}]" for item in items]
    return Answer(
        answer="\n".join([*head, *lines]),
        abstained=False,
        citations=citations,
        retrieved=retrieved,
    )


def citation_of(record: Record, n: int = 1) -> Citation:
    """Citation n: a whole unit, quoted verbatim under its section."""
    return _citation(n, record.meta, record.text, record.meta.get("section", ""))


def _cite(citations: list[Citation], meta: dict, quote: str, section: str) -> int:
    """Append the next numbered citation of a quote from meta's document; its number."""
    citations.append(_citation(len(citations) + 1, meta, quote, section))
    return len(citations)


def _citation(n: int, meta: dict, quote: str, section: str) -> Citation:
    """Citation n: a verbatim quote from the document that meta describes."""
    return Citation(
        n=n,
        doc_id=meta["doc_id"],
        title=meta["title"],
        section=section,
        quote=quote,
        updated=meta.get("updated", ""),
        url=meta.get("url") or None,
    )


def yes_no(info: QuestionInfo, lead: Candidate, tuning: Tuning) -> str:
    """Ja or Nej only when the quoted sentence says so outright; its own negation counts."""
    text, question = lead.record.text, info.original
    context = f"{text} {f.unit_context(lead.record)}"
    if f.specific_names(info) and f.names_share(info, context) < 1.0:
        return ""  # "Är Uleåborg en av Luleås vänorter?" is not answered about Tromsø
    if lead.record.meta.get("is_list"):
        # In a list or a table, the row that says what is asked carries the polarity: a "Inte
        # ..." in another row or sentence says nothing about it.
        text = _closest_sentence(text, info.focus_stems)
    text, question = CONCESSIVE.sub(" ", text), CONCESSIVE.sub(" ", question)
    text, question = EXCEPTION.sub(" ", text), EXCEPTION.sub(" ", question)
    # The polarity is read without a leading condition or a relative clause, whose negation is
    # their own; the checks for a yes still see them ("Om du ... kan ..." asserts nothing).
    said, asked = _main_clauses(text), _main_clauses(question)
    negated = bool(ENDED.search(said) or NEGATION.search(said) or _denies(said, info))
    asked_negated = bool(ENDED.search(asked) or NEGATION.search(asked))
    # Words are not the only evidence: a sentence that means what the question asks, in other
    # words ("gratis" / "kostnadsfritt"), lies very close to it in the embedding space.
    close = lead.similarity
    supported = lead.coverage >= tuning.no_coverage or close >= tuning.no_dense
    if negated and not asked_negated and supported:
        return "Nej."
    if UNIVERSAL.search(question) and not UNIVERSAL.search(text):
        return ""  # "Finns allt material ...?" is not answered yes by "Du kan söka material"
    if negated or asked_negated or _says_otherwise(said, asked):
        return ""
    if lead.statement >= tuning.yes_coverage:
        return "Ja."
    # "Tidsstämplarna finns dock med ...": a contrast answers something else than was asked,
    # and a condition ("Om du ... kan ...") asserts nothing.
    if lead.statement >= tuning.yes_dense_coverage and close >= tuning.yes_dense:
        return "" if CONTRAST.search(text) or CONDITIONAL.search(text.strip()) else "Ja."
    return ""


def abstain(
    top: list[tuple[Record, float]], retrieved: list[dict], code: str, detail: str = ""
) -> Answer:
    text = ABSTAIN_TEXT
    if top and code in CLOSE_CODES:
        meta = top[0][0].meta
        place = KIND_PLACES.get(meta.get("kind", ""), f"i ”{meta['title']}”")
        # The innermost heading reads best ("Uleåborg", not the whole trail).
        section = f.heading(meta) or meta["title"]
        text += f" Närmast kommer avsnittet ”{section}” {place} ({meta.get('updated', '')})."
    reason = ABSTAIN_REASONS[code] + (f": {detail}" if detail else "")
    return Answer(
        answer=text,
        abstained=True,
        citations=[],
        retrieved=retrieved,
        abstain_code=code,
        abstain_reason=reason,
    )


def _says_otherwise(text: str, question: str) -> bool:
    """The sentence restricts where the question does not ("enbart ett"), or says the opposite
    of a word in the question and not the word itself ("förbjudet" for "lagligt")."""
    if RESTRICTIVE.search(text) and not RESTRICTIVE.search(question):
        return True
    said, asked = tokens(text), tokens(question)

    def has(words: list[str], root: str) -> bool:
        return any(w.startswith(root) for w in words)

    return any(
        has(asked, a) and has(said, b) and not has(said, a)
        for x, y in OPPOSITES
        for a, b in ((x, y), (y, x))
    )


def _main_clauses(text: str) -> str:
    """Text without a leading condition closed by its comma, and with no negation left in a
    relative clause ("den som inte ...")."""
    return RELATIVE_NEGATION.sub(r"\1", LEADING_CONDITION.sub(" ", text))


def _denies(text: str, info: QuestionInfo) -> bool:
    """Whether "utan" stands before what the question asks about: "inloggning utan lösenord"
    answers "Behöver man ett lösenord?" with no; "utan kostnad" says nothing of "Kan man söka
    bidrag?"."""
    asked = set(info.focus_stems)
    return any(stem(w.lower()) in asked for m in WITHOUT.finditer(text) for w in m.groups() if w)


def _closest_sentence(text: str, stems: list[str]) -> str:
    """The sentence of a multi-line unit that shares the most stems with the question."""
    wanted = set(stems)
    best, best_shared = text, -1
    lines = text.splitlines()
    # The lead-in speaks for every item: "Följande är inte tillåtet: - X" denies X.
    lead_in = lines[0] if lines and not LIST_LINE.match(lines[0]) else ""
    for line in lines:
        for start, end in sentence_spans(line):
            sentence = line[start:end]
            shared = len(wanted & {stem(t) for t in tokens(sentence)})
            if shared > best_shared:
                best, best_shared = sentence, shared
    return best if best.startswith(lead_in) else f"{lead_in} {best}"
