"""The gate a generated answer passes: only sentences that their cited passages support."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np

from bot.text import (
    abbreviates,
    find_names,
    fold,
    is_common_word,
    stem,
    tokens,
    without_genitive,
)
from config.tuning import Tuning
from ingest.swedish import LIST_LINE
from ingest.text_split import sentence_spans

# Embeds texts in one call, one vector per text: in production the embedding model's
# embed_documents, so that sentences and passages get the same prefix (see config/tuning.py).
Embed = Callable[[list[str]], list[list[float]]]

# What the prompt (bot/generative.py) tells the model to answer when the passages do not say.
ABSTENTION = "Det framgår inte av dokumenten."

# A citation marker: [1], [1, 2], [1; 2], [1-3]; "[1][2]" is two markers.
_MARKER = re.compile(r"\[\s*\d+(?:\s*(?:[,;]|[-–])\s*\d+)*\s*\]")
_LEADING_MARKERS = re.compile(r"^\s*(?:\[\s*\d+(?:\s*(?:[,;]|[-–])\s*\d+)*\s*\]\s*)+")
# A list item's bullet or number: not a fact. Only one or two digits: "2019. Luleå ..." is a
# year, and a year is checked.
_BULLET = re.compile(r"^\s*(?:(?:[-*•✓]\s+)+|\d{1,2}[.)]\s+)")


@dataclass(frozen=True)
class Passage:
    """One numbered passage the model was given: [n] is its position in the list, from 1."""

    doc_id: str
    section: str
    quote: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of the answer as written (markers included) and the given passages it cites."""

    text: str
    cited: tuple[int, ...]
    similarity: float | None = None  # with the best cited passage; None when not measured


@dataclass(frozen=True)
class Dropped:
    text: str
    reason: str  # in Swedish: shown to whoever reviews the answer


@dataclass(frozen=True)
class GateResult:
    answer: str  # the kept sentences, joined, with their markers; "" when nothing is kept
    kept: tuple[Sentence, ...]
    dropped: tuple[Dropped, ...]
    cited: tuple[int, ...]  # the passages the kept sentences cite, in order
    fallback: bool  # nothing supported is left, or the model abstained: answer extractively
    abstained: bool = False


def as_passage(item: Passage | Mapping | object) -> Passage:
    """A passage from a dict, or from an object with doc_id, section and quote (bot's Citation)."""
    if isinstance(item, Passage):
        return item
    if isinstance(item, Mapping):
        quote = item.get("quote", item.get("text", ""))
        return Passage(str(item.get("doc_id", "")), str(item.get("section", "")), str(quote))
    return Passage(str(getattr(item, "doc_id", "")), str(getattr(item, "section", "")), item.quote)


def passage_text(passage: Passage) -> str:
    """The text a passage is embedded as: its quote, as the model saw it. (With the section
    trail in front, supported and unsupported pairs separated no better in calibration.)"""
    return passage.quote


def item_text(line: str) -> str:
    """A list item without its bullet ("- Kemi, Finland" -> "Kemi, Finland")."""
    return _BULLET.sub("", line, count=1)


def strip_markers(text: str) -> str:
    """The sentence as a resident reads it, without its [n] markers."""
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub(" ", text)).strip()


def cited_numbers(text: str) -> list[int]:
    """The numbers the markers of text cite, in order, each once ("[1-3]" is 1, 2, 3)."""
    out: list[int] = []
    for marker in _MARKER.findall(text):
        for part in re.split(r"[,;]", marker.strip("[] ")):
            ends = [int(x) for x in re.findall(r"\d+", part)]
            # A range as written, capped so that "[1-99999]" cannot make a huge list.
            numbers = range(ends[0], ends[-1] + 1) if 0 < ends[-1] - ends[0] < 50 else ends
            out += [n for n in numbers if n not in out]
    return out


# -- sentences ---------------------------------------------------------------------------------


@dataclass
class _Piece:
    text: str
    line: int  # the answer's line it stands on: kept sentences are joined line by line
    item: bool = False  # a list item (or table row): one sentence, whatever it holds
    lead: str = ""  # for a list item, the sentence before the list, which says what it lists
    start: int = 0  # where it starts in the answer: a stream decides each piece once
    end: int = 0  # where it ends, its trailing markers included


def split_answer(answer: str) -> list[_Piece]:
    """The answer's sentences: a list item (or table row) is one, a line of prose is split by
    the project's sentence splitter. Markers the splitter cut off ("... 2003. [1]") go back to
    the sentence before them."""
    pieces: list[_Piece] = []
    lead = ""
    offset = 0
    for line_no, line in enumerate(answer.splitlines(keepends=True)):
        at, offset = offset, offset + len(line)
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        is_item = bool(LIST_LINE.match(line))
        spans = [(0, len(line))] if is_item else sentence_spans(line)
        for start, end in spans:
            raw = line[start:end]
            text, skip = raw.strip(), at + start + len(raw) - len(raw.lstrip())
            markers = _LEADING_MARKERS.match(text)
            # Markers that open a line and are followed by text are that text's ("[1] Luleå
            # har sex vänorter:"), as some models write them; elsewhere they close the
            # sentence before ("... 2003. [1]").
            opens_line = (
                not line[:start].strip() and text[markers.end() :].strip() if markers else False
            )
            if markers and pieces and not opens_line:
                pieces[-1].text += " " + markers.group().strip()
                pieces[-1].end = skip + markers.end()
                skip += markers.end()
                text = text[markers.end() :].strip()
            if text:
                lead_in = lead if is_item else ""
                pieces.append(_Piece(text, line_no, is_item, lead_in, skip, at + end))
        if not is_item and pieces:
            lead = pieces[-1].text
    return pieces


def _still_open(pieces: list[_Piece]) -> int:
    """How many of a partly written answer's last pieces may still change: the last one is
    being written, and while it is only the start of a marker ("[1") it may belong to the one
    before it."""
    if not pieces:
        return 0
    return 2 if re.fullmatch(r"[\s\[\]\d,;\-–]*", pieces[-1].text) else 1


def _is_abstention(text: str) -> bool:
    words = tokens(strip_markers(text))
    return bool(words) and words == tokens(ABSTENTION)


# -- facts: numbers, dates, amounts, shares, names ---------------------------------------------

# fmt: off
_MONTH_NAMES = [
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
]
_MONTH = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS = "|".join(_MONTH_NAMES)
# Numbers written in words; not "en"/"ett", which are far more often articles.
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv",
            "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton", "tjugo",
        ],
        start=2,
    )
} | {"trettio": 30, "fyrtio": 40, "femtio": 50, "hundra": 100, "tusen": 1000}
# fmt: on
_SCALE = {
    "tusen": 10**3,
    "tkr": 10**3,
    "miljon": 10**6,
    "miljoner": 10**6,
    "mn": 10**6,
    "mkr": 10**6,
    "mnkr": 10**6,
    "msek": 10**6,
    "miljard": 10**9,
    "miljarder": 10**9,
    "md": 10**9,
    "mdr": 10**9,
    "mdkr": 10**9,
}
_CURRENCY = {"kr": "kr", "kronor": "kr", "sek": "kr", ":-": "kr", "euro": "eur", "eur": "eur"}
_CURRENCY |= {"€": "eur", "dollar": "usd", "usd": "usd", "$": "usd"}

# "2 000" and "710 000" (space, no-break or thin space between groups of three) are one number,
# "2 000" = "2000"; a decimal comma or point is part of it ("2,5" = "2.5").
_NUM = r"(?<![\d])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+)(?:[.,]\d+)?"
_END = r"(?![\wåäöÅÄÖ])"
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")),
    (
        "day",
        re.compile(rf"(?<!\d)(\d{{1,2}})(?::[ae])?\s+({_MONTHS})(?:\s+(\d{{4}}))?{_END}", re.I),
    ),
    ("month_year", re.compile(rf"\b({_MONTHS})\s+(\d{{4}})(?!\d)", re.I)),
    ("month", re.compile(rf"\b({_MONTHS}){_END}", re.I)),
    ("decade", re.compile(r"(?<!\d)(\d+)-tal(?:et|ets|en|ens)?" + _END, re.I)),
    (
        "amount",
        re.compile(
            rf"({_NUM})\s*(?:(tusen|miljon|miljoner|miljarder|miljard|mn|mdr|md)\s+)?"
            rf"(kronor|kr|sek|euro|eur|dollar|usd)(?![\wåäöÅÄÖ])|({_NUM})\s*(€|\$|:-)"
            rf"|({_NUM})\s*(tkr|mkr|mnkr|msek|mdkr){_END}",
            re.I,
        ),
    ),
    ("share", re.compile(rf"({_NUM})\s*(%|procent{_END})", re.I)),
    ("scaled", re.compile(rf"({_NUM})\s+(tusen|miljoner|miljon|miljarder|miljard){_END}", re.I)),
    ("number", re.compile(_NUM)),
    ("word", re.compile(rf"\b({'|'.join(_NUMBER_WORDS)}){_END}", re.I)),
    # Any digit left over (inside a code, after a point): nothing with a digit goes unchecked.
    ("digits", re.compile(r"\d+")),
]


@dataclass(frozen=True)
class Fact:
    """A checkable fact of a sentence: kind, a normalised key and how the sentence wrote it."""

    kind: str  # number, amount, share, date, day, month_year, month, decade, name
    key: tuple
    text: str


def _value(number: str) -> Decimal:
    """ "2 000" -> 2000, "2,5" -> 2.5, "04" -> 4."""
    try:
        return Decimal(re.sub(r"[ \u00a0\u202f]", "", number).replace(",", "."))
    except InvalidOperation:  # cannot happen for what _NUM matches; keep the digits
        return Decimal(re.sub(r"\D", "", number) or 0)


def _facts_of(kind: str, m: re.Match) -> list[Fact]:
    """The facts one match states; a date also states its parts, which passages register."""
    g, text = m.groups(), m.group().strip()
    if kind == "iso":
        y, mo, d = (int(x) for x in g)
        return [Fact("date", (y, mo, d), text)] if 1 <= mo <= 12 and 1 <= d <= 31 else []
    if kind == "day":
        d, mo = int(g[0]), _MONTH[g[1].lower()]
        if g[2]:
            return [Fact("date", (int(g[2]), mo, d), text)]
        return [Fact("day", (d, mo), text)]
    if kind == "month_year":
        return [Fact("month_year", (int(g[1]), _MONTH[g[0].lower()]), text)]
    if kind == "month":
        return [Fact("month", (_MONTH[g[0].lower()],), text)]
    if kind == "decade":
        return [Fact("decade", (int(g[0]),), text)]
    if kind == "amount":
        if g[0]:
            number, scale, unit = g[0], g[1], g[2]
        elif g[3]:
            number, scale, unit = g[3], None, g[4]
        else:
            number, scale, unit = g[5], g[6], "kr"
        raw = _value(number)
        value = raw * _SCALE.get((scale or "").lower(), 1)
        return [Fact("amount", (value, _CURRENCY.get(unit.lower(), "kr"), raw), text)]
    if kind == "share":
        return [Fact("share", (_value(g[0]),), text)]
    if kind == "scaled":
        raw = _value(g[0])
        return [Fact("number", (raw * _SCALE[g[1].lower()], raw), text)]
    if kind == "word":
        return [Fact("number", (Decimal(_NUMBER_WORDS[g[0].lower()]),), text)]
    return [Fact("number", (_value(m.group()),), text)]  # number, digits


def number_facts(text: str) -> list[Fact]:
    """Every number, year, date, amount and share of text, in order of the patterns: a span
    that one pattern has read (a date) is not read again by a later one (its year)."""
    taken = [False] * len(text)
    found: list[tuple[int, Fact]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            facts = _facts_of(kind, m)
            if not facts and kind == "iso":
                continue  # "2019-13-45" is no date: its numbers are read as numbers
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found += [(m.start(), f) for f in facts]
    return [f for _, f in sorted(found, key=lambda p: p[0])]


def _name_forms(word: str) -> set[str]:
    """Forms a name word is matched by: its stem, and its stem without a genitive s, so
    "Luleås" meets "Luleå" (Snowball keeps the s after å) and "Uleåborgs" meets "Uleåborg"."""
    forms = {word, stem(word)}
    if base := without_genitive(word):
        forms.add(stem(base))
    return forms


def name_facts(text: str, document_names: frozenset[str] = frozenset()) -> list[Fact]:
    """The proper names of text (bot.text.find_names), each with the forms of its words.

    A capitalised word that opens the sentence and is a common Swedish word ("Enligt",
    "Kommunen"...) is no name, unless the passages write it capitalised inside a sentence
    (document_names): then the documents treat it as one ("Europa")."""
    out = []
    for name in find_names(text):
        low = fold(name.text)
        if name.opens and is_common_word(low) and low not in document_names:
            continue
        # Of "EU-projekt" only "EU" is the name; the rest is an ordinary word.
        parts = [p for p in re.split(r"[-–]", name.text) if p[:1].isupper()] or [name.text]
        words = [t for p in parts for t in tokens(p) if not t.isdigit() and len(t) > 1]
        if words:
            out.append(Fact("name", tuple(frozenset(_name_forms(w)) for w in words), name.text))
    return out


@dataclass
class _Evidence:
    """What the cited passages of one sentence state, normalised as the sentence's facts are."""

    text: str
    keys: set[tuple] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, passages: list[Passage]) -> _Evidence:
        # A passage's section trail is the document's own headings, given with it: "2019" in
        # "Plan för Luleå kommuns internationella arbete 2019–2023" is stated there.
        text = "\n".join(f"{p.section}\n{p.quote}" for p in passages)
        ev = cls(text)
        for fact in number_facts(text):
            ev._register(fact)
        for word in tokens(text):
            ev.forms |= _name_forms(word)
        return ev

    def _register(self, fact: Fact) -> None:
        """A passage's fact also states its parts: "13 september 2007" says 13, 2007, the day
        13 September and the month; an amount or a share says its number too."""
        add, number = self.keys.add, lambda v: self.keys.add(("number", (Decimal(v),)))
        if fact.kind == "date":
            y, mo, d = fact.key
            add(("date", fact.key))
            add(("day", (d, mo)))
            add(("month_year", (y, mo)))
            add(("month", (mo,)))
            # Only the numbers written as digits: "13 september 2007" does not write a 9.
            digits = [int(x) for x in re.findall(r"\d+", fact.text)]
            for v in digits:
                number(v)
        elif fact.kind == "day":
            add(("day", fact.key))
            add(("month", (fact.key[1],)))
            number(fact.key[0])
        elif fact.kind == "month_year":
            add(("month_year", fact.key))
            add(("month", (fact.key[1],)))
            number(fact.key[0])
        elif fact.kind == "amount":
            value, currency, raw = fact.key
            add(("amount", (value, currency)))
            number(value)
            number(raw)
        elif fact.kind == "share":
            add(("share", fact.key))
            number(fact.key[0])
        elif fact.kind == "number":
            for v in fact.key:  # a scaled number says its value and the number written
                number(v)
        else:  # month, decade: a decade is not the year it starts with (see supports)
            add((fact.kind, fact.key))

    def supports(self, fact: Fact) -> bool:
        k = self.keys
        if fact.kind == "name":
            if all(forms & self.forms for forms in fact.key):
                return True
            # An acronym the passage spells out: "UBC" for "Union of the Baltic Cities".
            return abbreviates(fact.text, self.text)
        if fact.kind == "date":
            y, mo, d = fact.key
            return ("date", fact.key) in k or (
                ("day", (d, mo)) in k and ("number", (Decimal(y),)) in k
            )
        if fact.kind == "month_year":
            y, mo = fact.key
            return ("month_year", fact.key) in k or (
                ("month", (mo,)) in k and ("number", (Decimal(y),)) in k
            )
        if fact.kind == "amount":
            return ("amount", fact.key[:2]) in k
        if fact.kind == "number":
            return ("number", fact.key[:1]) in k  # the value: "40 miljoner" is 40 000 000
        # "2000-talet" is a period, not the year 2000: it needs the same decade, and the
        # year 2000 is not supported by "2000-talet" either (number keys skip decades).
        return (fact.kind, fact.key) in k


def _noun(fact: Fact) -> str:
    if fact.kind == "number":
        value = fact.key[0]
        if value == value.to_integral_value() and 1000 <= value <= 2100 and fact.text.isdigit():
            return "årtalet"
        return "talet"
    return {
        "amount": "beloppet",
        "share": "andelen",
        "date": "datumet",
        "day": "datumet",
        "month_year": "tidpunkten",
        "month": "månaden",
        "decade": "tidsangivelsen",
        "name": "namnet",
    }[fact.kind]


def _refs(numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def unsupported_fact(
    sentence: str, evidence: _Evidence, document_names: frozenset[str] = frozenset()
) -> Fact | None:
    """The first fact of a sentence (without markers) that its cited passages do not state."""
    facts = number_facts(sentence) + name_facts(sentence, document_names)
    return next((f for f in facts if not evidence.supports(f)), None)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    va, vb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb / norm) if norm else 0.0


def _similarity_text(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


# -- the gate ----------------------------------------------------------------------------------


def verify(
    answer: str,
    passages: Sequence[Passage | Mapping | object],
    embed: Embed | None,
    tuning: Tuning,
) -> GateResult:
    """Keep the sentences of a generated answer that cite a given passage, state no number,
    date, amount or name their cited passages do not, and say what one of them says (cosine
    similarity with the best cited passage at least tuning.gate_min_similarity).

    passages are [1]..[k] in order. embed=None skips the similarity check; only tests of the
    other rules do that. Instructions in the answer are text like any other: unsupported, they
    are dropped by the same rules.
    """
    gate = Gate(passages, embed, tuning)
    gate.feed(answer)
    return gate.finish()


class Gate:
    """The same checks as verify(), on an answer that arrives in pieces (a streamed reply).

    feed() returns the sentences that passed as soon as each is complete, so that a page can
    show them while the model writes, and nothing unchecked is shown even briefly. finish()
    decides the rest and gives the whole result: what verify() gives for the whole text.
    """

    def __init__(
        self,
        passages: Sequence[Passage | Mapping | object],
        embed: Embed | None,
        tuning: Tuning,
    ) -> None:
        self.given = [as_passage(p) for p in passages]
        self.embed, self.tuning = embed, tuning
        # Words the documents capitalise inside a sentence: names even where they open one.
        self.document_names = frozenset(
            fold(n.text) for p in self.given for n in find_names(p.quote) if not n.opens
        )
        self.text = ""
        self.abstained = False
        self._decided_to = 0  # the answer up to here is decided
        self._kept: list[tuple[int, Sentence]] = []  # (line, sentence)
        self._dropped: list[Dropped] = []
        self._vectors: dict[int, Sequence[float]] = {}  # passage n -> its embedding
        self._passed: set[str] = set()  # the kept pieces as written: leads of list items

    def feed(self, chunk: str) -> list[Sentence]:
        """Add what the model wrote next; the sentences it completed that passed."""
        return self.update(self.text + chunk)

    def update(self, text: str) -> list[Sentence]:
        """The answer so far, as a whole (it may differ from the last one after the part
        already decided); the sentences it completed that passed."""
        self.text = text
        pieces = split_answer(self.text)
        return self._decide(pieces[: len(pieces) - _still_open(pieces)])

    def finish(self) -> GateResult:
        """Decide what is left and give the result."""
        self._decide(split_answer(self.text))
        if self.abstained:
            # An answer that says the documents do not tell, anywhere, is not mined for the
            # rest: the model has said it cannot ground it, and the extractive answer decides.
            reason = "modellen avstår: " + ABSTENTION
            return GateResult("", (), (Dropped(self.text.strip(), reason),), (), True, True)
        kept = tuple(s for _, s in self._kept)
        return GateResult(
            answer=self.answer,
            kept=kept,
            dropped=tuple(self._dropped),
            cited=tuple(sorted({n for s in kept for n in s.cited})),
            fallback=not kept,
        )

    @property
    def kept(self) -> tuple[Sentence, ...]:
        return tuple(s for _, s in self._kept)

    @property
    def answer(self) -> str:
        """The sentences kept so far, with their markers, joined line by line."""
        lines: dict[int, list[str]] = {}
        for line, sentence in self._kept:
            lines.setdefault(line, []).append(sentence.text)
        return "\n".join(" ".join(texts) for texts in lines.values())

    def _decide(self, pieces: list[_Piece]) -> list[Sentence]:
        new = [p for p in pieces if p.start >= self._decided_to]
        if self.abstained or not new:
            return []
        self._decided_to = new[-1].end
        if any(_is_abstention(p.text) for p in new):
            self.abstained = True
            return []
        checked: list[tuple[_Piece, str, tuple[int, ...], str]] = []
        for piece in new:
            outcome = self._check(piece)
            if isinstance(outcome, Dropped):
                self._dropped.append(outcome)
            else:
                checked.append((piece, *outcome))
        kept = []
        for piece, sentence in self._similar(checked):
            if piece.item and not cited_numbers(piece.text) and piece.lead not in self._passed:
                # It was checked against its lead's passages; without its lead it says
                # nothing that was checked.
                reason = "hör till en mening som inte klarade kontrollen"
                self._dropped.append(Dropped(piece.text, reason))
                continue
            self._passed.add(piece.text)
            kept.append((piece.line, sentence))
        self._kept += kept
        return [s for _, s in kept]

    def _check(self, piece: _Piece) -> Dropped | tuple[str, tuple[int, ...], str]:
        """Dropped, or (the text to show, the passages it cites, the text to embed)."""
        given = self.given
        numbers = cited_numbers(piece.text)
        if not numbers and piece.item:
            # An item of a list stands under the sentence that introduces it, and is checked
            # against the passages that sentence cites ("Luleå har sex vänorter: [1]").
            numbers = cited_numbers(piece.lead)
        valid = tuple(n for n in numbers if 1 <= n <= len(given))
        if not numbers:
            return Dropped(piece.text, "ingen källa")
        if not valid:
            return Dropped(piece.text, f"okänd källa {_refs(numbers)}")
        plain = strip_markers(item_text(piece.text) if piece.item else piece.text)
        if not tokens(plain):
            return Dropped(piece.text, "ingen text")
        evidence = _Evidence.of([given[n - 1] for n in valid])
        fact = unsupported_fact(plain, evidence, self.document_names)
        if fact is not None:
            return Dropped(piece.text, f"{_noun(fact)} {fact.text} finns inte i {_refs(valid)}")
        # A marker for a passage that was not given would point the reader nowhere: removed.
        text = piece.text
        if len(valid) < len(numbers):
            text = _MARKER.sub(lambda m: _keep_given(m.group(), len(given)), text)
            text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"  +", " ", text)).strip()
        # A list item alone ("Smart Arctic") says too little to compare: it is embedded after
        # the sentence that introduces the list, as calibration did.
        lead = strip_markers(piece.lead)
        return text, valid, f"{lead} {plain}" if lead else plain

    def _similar(
        self, checked: list[tuple[_Piece, str, tuple[int, ...], str]]
    ) -> list[tuple[_Piece, Sentence]]:
        """The checked sentences whose best cited passage says what they say."""
        if self.embed is None or not checked:
            return [(piece, Sentence(text, valid)) for piece, text, valid, _ in checked]
        used = sorted({n for *_, valid, _ in checked for n in valid} - set(self._vectors))
        texts = [t for *_, t in checked] + [passage_text(self.given[n - 1]) for n in used]
        try:
            vectors = self.embed(texts)
            if len(vectors) != len(texts):
                raise ValueError(f"{len(vectors)} vektorer för {len(texts)} texter")
        except Exception as exc:  # fail closed: what could not be checked is not shown
            for piece, *_ in checked:
                self._dropped.append(Dropped(piece.text, f"innehållet kunde inte prövas: {exc}"))
            return []
        self._vectors.update(zip(used, vectors[len(checked) :], strict=True))
        passed = []
        floor = self.tuning.gate_min_similarity
        for (piece, text, valid, _), vector in zip(checked, vectors, strict=False):
            best = max(_cosine(vector, self._vectors[n]) for n in valid)
            if best < floor:
                reason = (
                    f"innehållet stöds inte av {_refs(valid)} (likhet "
                    f"{_similarity_text(best)} < {_similarity_text(floor)})"
                )
                self._dropped.append(Dropped(piece.text, reason))
            else:
                passed.append((piece, Sentence(text, valid, best)))
        return passed


def renumber(text: str, order: dict[int, int]) -> str:
    """The text with its markers' passage numbers mapped by order ("[3]" -> "[1]")."""

    def mapped(marker: re.Match) -> str:
        numbers = [order[n] for n in cited_numbers(marker.group()) if n in order]
        return f"[{', '.join(map(str, numbers))}]" if numbers else ""

    return _MARKER.sub(mapped, text)


def _keep_given(marker: str, k: int) -> str:
    """A marker with only the numbers of given passages ("[2, 9]" -> "[2]"), or nothing."""
    numbers = [n for n in cited_numbers(marker) if 1 <= n <= k]
    return f"[{', '.join(map(str, numbers))}]" if numbers else ""
