"""What a unit offers a question: coverage of its words, the fact asked for, names, definitions."""

from __future__ import annotations

import re
from collections.abc import Set
from functools import lru_cache

from bot.questions import QuestionInfo
from bot.retrieval import Record
from bot.text import (
    find_names,
    fold,
    is_common_word,
    stem,
    tokens,
    with_aliases,
    without_genitive,
    zipf,
)
from ingest.chunking import SECTION_SEPARATOR
from ingest.swedish import (
    AMOUNT,
    APPOSITION,
    ASKS_EMAIL,
    ASKS_PART,
    ASKS_PHONE,
    ASKS_SHARE,
    ASKS_SIZE,
    ASKS_YEAR,
    COST_QUESTION,
    COUNT_SYNONYMS,
    DECADE,
    DEFINING_VERBS,
    DEMONYMS,
    DURATION,
    EARLY_YEAR,
    EMAIL_ADDRESS,
    ENUMERATION,
    FRACTION,
    IDENTIFIER,
    INSTITUTION_HEADS,
    LOCATED,
    MEASURE_UNITS,
    MONEY,
    NAMING_VERBS,
    NUMBER,
    NUMBER_WORDS,
    PARTICLES,
    PHONE_DIGITS,
    PHONE_NUMBER,
    PLACE_PREPOSITION,
    PURPOSE,
    ROLE,
    ROUGH_NUMBER,
    SHARE,
    SHARE_WORDS,
    SWEDISH_STOPWORDS,
    WEB_ADDRESS,
    YEAR,
    YEAR_OR_DATE,
    YEAR_SPAN,
)

# Question kinds whose answer must contain something specific.
NEEDS = ("year", "duration", "count", "amount", "name")
# Kinds a unit should fit, but whose absence is no reason to abstain: "Vart vänder jag mig?"
# is answered by "ditt lokala bibliotek" as well as by a phone number.
PREFERS = ("where", "who", "contact")


# Kinds whose fact a unit's own heading can give for everything under it: "### 2024-05-29" dates
# its changes, "## EDAF45, 7,5 högskolepoäng" counts the course's credits.
HEADED = ("year", "duration", "count", "amount")


def fits(info: QuestionInfo, text: str, meta: dict) -> bool:
    """Whether text, or for a figure its unit's own heading, holds what the question needs."""
    return fits_text(info, text, meta) or fits_by_heading(info, meta)


def fits_by_heading(info: QuestionInfo, meta: dict) -> bool:
    """The unit's innermost heading holds the year, period, count or amount asked for."""
    title = heading(meta)
    return info.kind in HEADED and bool(title) and fits_text(info, title, meta)


def fits_text(info: QuestionInfo, text: str, meta: dict) -> bool:
    """Whether text holds what the kind of question needs."""
    kind = info.kind
    if kind == "year":
        # A year the question itself names ("... IT-konsulttjänster 2021?") answers nothing.
        asked = {m.group(0) for m in YEAR_OR_DATE.finditer(info.original)}
        if any(m.group(0) not in asked for m in YEAR_OR_DATE.finditer(text)):
            return True
        return any(m.group(0)[-4:] not in info.original for m in EARLY_YEAR.finditer(text))
    if kind == "duration":
        return bool(DURATION.search(text))
    if kind == "count":
        # List numbering ("1. ...") and years are not amounts; and the number must count the
        # thing asked about ("Hur många medlemmar" -> "55 medlemmar", not "fyra regioner").
        # Version numbers ("IIIF 3.0") count nothing either; Swedish decimals ("7,5") do.
        text = IDENTIFIER.sub("", ENUMERATION.sub("", text))
        counted = [w for w in info.counted if stem(w) not in info.ubiquitous]
        text = re.sub(r"\d+\.\d+", "", _without_years(text, counted))
        if SHARE_WORDS & set(info.counted):
            # "Hur stor andel": a percentage or "tre av tio". "Hur stor del av materialet" is
            # answered by a share too, or by how much of it ("1,5 miljoner titlar").
            if SHARE.search(text):
                return True
            return "del" in info.counted and bool(NUMBER.search(text))
        if ASKS_PART.search(info.original) and SHARE.search(text):
            return True  # "Hur många av regionerna": "hälften", "sju av åtta"
        if info.english and ASKS_SHARE.search(info.original) and SHARE.search(text):
            return True
        if ASKS_SIZE.search(info.original) and AMOUNT.search(text):
            # "Hur stor investering": a measure, written after what it measures ("15 miljoner").
            return True
        if counted:
            if (
                len(counted) > 1
                and counted[0] in MEASURE_UNITS
                and measures_other(text, counted[0], counted[1])
            ):
                # "Hur många milligram järn ...?" is not answered by "1 milligram A-vitamin".
                return counts(text, counted[1])
            return any(counts(text, w) for w in counted)
        return bool(NUMBER.search(text))
    if kind == "amount":
        # "Vad kostar ...?" wants money; "Hur mycket paracetamol ...?" any measure, or a part
        # of something ("minskar med en tredjedel").
        if COST_QUESTION.search(info.original):
            return bool(MONEY.search(text))
        return bool(AMOUNT.search(text) or SHARE.search(text))
    if kind == "list":
        # A list, or a sentence that names several things ("Zenica och Puerto Cabezas").
        inside = {n.text for n in find_names(text) if not n.opens}
        return bool(meta.get("is_list") or len(inside) >= 2)
    if kind == "why":
        return bool(PURPOSE.search(text))
    if kind == "where":
        for group in info.name_groups:
            last = re.escape(group[-1]) if group else ""
            if last and re.search(rf"(?i:{last})\w*{LOCATED}", text):
                return True
        return bool(PLACE_PREPOSITION.search(text)) and bool(
            new_names(text, info, meta, places=True)
        )
    if kind == "name":
        return bool(new_names(text, info, meta))
    if kind == "contact":
        return has_contact(info.original, text)
    if kind == "who":
        # Policy text answers "Vem ...?" with roles and bodies as often as with names.
        return bool(new_names(text, info, meta) or ROLE.search(text))
    return False


def has_contact(question: str, text: str) -> bool:
    """Text gives the contact detail asked for: a phone number, an e-mail address, or (when
    the question names neither) either of them or a web address."""
    phone = any(
        sum(c.isdigit() for c in m.group(0)) in PHONE_DIGITS for m in PHONE_NUMBER.finditer(text)
    )
    email = bool(EMAIL_ADDRESS.search(text))
    if ASKS_PHONE.search(question):
        return phone
    if ASKS_EMAIL.search(question):
        return email
    return phone or email or bool(WEB_ADDRESS.search(text))


def _without_years(text: str, counted: list[str]) -> str:
    """text without its years and dates; a year-shaped figure right before the counted thing
    is a count ("cirka 2000 elevers uppgifter")."""

    def drop(m: re.Match) -> str:
        figure = m.group(0)
        # The very next word, with nothing but a space between: "Agenda 2030: Luleås invånare"
        # counts no invånare.
        after = re.match(r"[ \u00a0]+([^\W\d_]+)", text[m.end() :])
        if not (figure.isdigit() and after):
            return ""
        return figure if any(counts(f"{figure} {after.group(1)}", w) for w in counted) else ""

    return YEAR_OR_DATE.sub(drop, text)


def _genitive_base(token: str) -> str | None:
    """The word a possible genitive is of ("elevers" -> "elever"): an -s after a vowel or -r/-n;
    None for any other word."""
    base = without_genitive(token)
    return base if base and base[-1] in "aeiouyåäörn" else None


def counts(text: str, target: str) -> bool:
    """A number followed, within three words, by the counted thing (or a compound of it), or
    the counted thing labelling a number right after it."""
    toks = tokens(text)
    # Tokens split at hyphens, so "HVB-hem" is sought by its first part ("tre av länets HVB-hem").
    parts = tokens(target)
    want = stem(parts[0] if len(parts) > 1 else target)
    same = {stem(w) for group in COUNT_SYNONYMS if target in group for w in group}
    # A figure joined to the counted thing by a hyphen: "250-årsjubileet" counts years.
    if re.search(rf"\d-{re.escape(fold(target))}", fold(text)):
        return True
    for i, tok in enumerate(toks):
        # A labelled figure: "Högskolepoäng: 7,5", "Antal platser: 120".
        if stem(tok) == want and any(t.isdigit() for t in toks[i + 1 : i + 3]):
            return True
        # A number compounded with the counted thing: "fyraåriga" counts years.
        number = next((n for n in NUMBER_WORDS if tok.startswith(n)), None)
        if number and len(tok) > len(number) + 1 and tok[len(number) :].startswith(want):
            return True
        # "hälften av", "en tredjedel av", "ett fyrtiotal" count as well as a number does.
        if tok.isdigit() or tok in NUMBER_WORDS or _vague_number(tok):
            if any(t in ("st", "stycken") for t in toks[i + 1 : i + 2]):
                return True  # "minsta förpackning 28 st": "st" counts whatever is asked about
            # A genitive counts its thing too: "2000 elevers uppgifter" counts elever.
            near = toks[i + 1 : i + 4]
            bases = [b for t in near if (b := _genitive_base(t))]
            for follower in [stem(t) for t in near] + [stem(b) for b in bases]:
                if (
                    follower == want
                    # "55 medlemskommuner" counts kommuner; "bildhantering" counts no bilder.
                    or (len(want) >= 4 and follower.endswith(want))
                    # "710 000 invånare" counts the people asked about.
                    or follower in same
                    # "1 000 relationer" counts the "pendlingsrelationer" asked about.
                    or (len(follower) >= 5 and want.endswith(follower))
                ):
                    return True
    return False


def _vague_number(token: str) -> bool:
    return bool(FRACTION.fullmatch(token) or ROUGH_NUMBER.fullmatch(token))


def new_names(text: str, info: QuestionInfo, meta: dict | None = None, places: bool = False):
    """Names in text that the question does not already name: capitalised words inside a
    sentence, or uncommon ones opening it, that are not the unit's own heading nor the
    corpus's subject ("Luleå")."""
    asked = {stem(fold(n)) for n in info.names} | set(info.focus_stems)
    if not places:  # "i Luleå" answers where, but "Luleå" answers no "vem" or "vad heter"
        asked |= info.ubiquitous
    if meta is not None:
        # Words of the unit's own heading name its topic, not an answer ("Internationella").
        asked |= {stem(t) for t in tokens(meta.get("section", ""))}
    out = []
    for name in find_names(text):
        low = fold(name.text)
        base = without_genitive(low)
        forms = {stem(low), stem(base)} if base else {stem(low)}
        if forms & asked or (name.opens and is_common_word(low)):
            continue
        out.append(name.text)
    return out


def terms_of(text: str, info: QuestionInfo) -> tuple[frozenset[str], frozenset[str]]:
    """Words and stems of text, with the other spelling of any acronym ("UBC")."""
    return _aliased(text, info.aliases)


def _aliased(
    text: str, aliases: dict[str, tuple[str, ...]] | None
) -> tuple[frozenset[str], frozenset[str]]:
    """Words and stems of text (read once, _terms), plus the other spelling of its acronyms."""
    words, stems = _terms(text)
    if aliases:
        # Tokens and aliases are folded already: the other spelling joins as words and stems.
        extra = with_aliases(words, aliases) - words
        if extra:
            return words | extra, stems | {stem(t) for t in extra}
    return words, stems


def measures_other(text: str, unit: str, thing: str) -> bool:
    """A figure in the unit asked about measures something the text names right after the unit,
    and the text never names the thing the question measures ("1 milligram A-vitamin" for
    "Hur många milligram järn ...?")."""
    toks = tokens(text)
    if mentions(thing, set(toks), {stem(t) for t in toks}):
        return False
    want = stem(unit)
    for i, tok in enumerate(toks):
        before = toks[max(0, i - 2) : i]
        if stem(tok) != want or not any(t.isdigit() or t in NUMBER_WORDS for t in before):
            continue
        # Single letters are parts of a name ("A-vitamin" is "a", "vitamin").
        measured = next((t for t in toks[i + 1 : i + 3] if len(t) > 1), None)
        if (
            measured
            and not measured.isdigit()
            and measured not in SWEDISH_STOPWORDS
            and measured != "per"
        ):
            return True
    return False


def mentions(name: str, words: Set[str], stems: Set[str]) -> bool:
    return stem(name) in stems or compound_match(stem(name), words)


def name_forms(name: str) -> set[str]:
    """The ways a text may mention a name of the question: itself, without a genitive -s
    ("Luleås"), or a country's adjective ("Sverige": "svenska")."""
    low = fold(name)
    forms = {low}
    if base := without_genitive(low):
        forms.add(base)
    if low in DEMONYMS:
        forms.add(DEMONYMS[low])
    return forms


# The head of a compound name is an everyday word of at least this many letters and at least
# this common (wordfreq's Zipf scale): "mötet", "strategin", "programmet", "flottan".
COMPOUND_HEAD_LETTERS = 5
COMPOUND_HEAD_ZIPF = 3.0


def coined_modifier(name: str, corpus_stems: set[str]) -> str | None:
    """The naming part of a compound name the documents never use, or None. A resident writes
    "Natomötet" or "Ukrainastrategin" where the page says "Natos utrikesministermöte" or
    "strategin ... Ukrainas behov": the name inside (Nato, Ukraina) is what a passage must
    mention, as a name. A compound the documents do use ("EuropaForum") must be mentioned whole,
    and so must a body's name ("Socialstyrelsen" is no "social" anything)."""
    low = fold(name)
    if stem(low) in corpus_stems or low.endswith(INSTITUTION_HEADS):
        return None
    for i in range(3, len(low) - COMPOUND_HEAD_LETTERS + 1):
        if zipf(low[i:]) >= COMPOUND_HEAD_ZIPF:
            return low[:i]
    return None


def names_in(texts: list[str]) -> set[str]:
    """The stems of the capitalised words of texts that do not open a sentence: what they
    mention as names ("Väster om staden" names nothing)."""
    return {stem(fold(n.text)) for t in texts for n in find_names(t) if not n.opens}


def specific_names(info: QuestionInfo) -> list[str]:
    """The question's names that are not the corpus's own subject ("Luleå")."""
    return [n for n in info.names if not any(stem(x) in info.ubiquitous for x in name_forms(n))]


def names_share(info: QuestionInfo, text: str) -> float:
    """Share of the question's specific names and version numbers that text mentions."""
    names = specific_names(info)
    if not names and not info.versions:
        return 0.0
    words, stems = terms_of(text, info)
    found = sum(1 for n in names if any(mentions(x, words, stems) for x in name_forms(n)))
    found += sum(1 for v in info.versions if has_version(v, text))
    return found / (len(names) + len(info.versions))


def has_version(version: str, text: str) -> bool:
    """text names that version ("v1.3", "1.3") and not only a longer one ("1.3.2")."""
    return bool(re.search(rf"(?<![\d.]){re.escape(version)}(?![\d]|\.\d)", text))


def other_entity(info: QuestionInfo, meta: dict) -> float:
    """1 when the unit's own heading names something the question does not, while the question
    names something specific: under "## Tromsø", a sentence answers about Tromsø."""
    names = specific_names(info)
    title = heading(meta)
    if not names or not title:
        return 0.0
    words, stems = terms_of(title, info)
    if any(mentions(n, words, stems) for n in names):
        return 0.0
    asked = {stem(fold(n)) for n in info.names} | set(info.focus_stems) | info.ubiquitous
    # A heading's first word is capitalised anyway, so only the names inside it count
    # ("Bottenviksbågen Bothnian Arc rf" names Bothnian Arc).
    for name in find_names(title):
        low = fold(name.text)
        if name.opens:
            continue
        if stem(low) not in asked and not is_common_word(low) and len(low) > 2:
            return 1.0
    return 0.0


def defines(info: QuestionInfo, text: str) -> float:
    """1 when text defines what a "Vad är X?" question asks about ("X är ...", "X innebär")."""
    if not info.defines:
        return 0.0
    subject = [t for t in tokens(info.defines) if len(t) > 2]
    if not subject:
        return 0.0
    head = re.escape(stem(subject[-1]))
    folded = fold(text)
    long_form = info.aliases.get(fold(info.defines.strip()), ())
    if long_form and all(w in folded for w in long_form):
        return 1.0  # "Vad står AEBR för?": the unit spells out the acronym
    if info.spells_out and long_form:
        return 0.0  # what AEBR is does not say what the letters stand for
    if re.search(rf"\b\w*{head}\w*\b[^.;:]{{0,60}}?\b{DEFINING_VERBS}\b", folded[:200]):
        return 1.0
    if re.search(rf"\b{NAMING_VERBS}\b[^.]{{0,40}}{head}", folded):
        return 1.0
    if re.search(rf"\b\w*{head}\w*{APPOSITION}", folded):
        return 1.0
    if re.search(rf"(?:^|\n)[\s*_-]*\w*{head}\w*[*_]*\s*[-–:]\s+\w", folded):
        return 1.0  # a glossary line: "**Bibliografi** - förteckning över material ..."
    if re.search(rf"(?:^|\n)\s*\|\s*[`*_]*{head}\w*[`*_]*\s*\|\s*\w", folded):
        return 1.0  # a glossary table row: "| `kba` | interna källor | ..."
    return 0.0


def coverage(
    stems: list[str],
    text: str,
    context: str,
    idf: dict[str, float],
    aliases=None,
    context_credit: float = 0.5,
    parts_credit: float = 0.7,
) -> tuple[float, set[str]]:
    """IDF-weighted share of the stems found in text; a stem found only in its context, or
    only as the two parts of a compound, gets part of the credit (the Tuning's)."""
    if not stems:
        return 0.0, set()
    words, text_stems = _aliased(text, aliases)
    context_stems = _terms(context)[1]
    total = got = 0.0
    matched: set[str] = set()
    default_idf = max(idf.values(), default=1.0)
    for s in dict.fromkeys(stems):
        w = idf.get(s, default_idf)
        total += w
        if s in text_stems or compound_match(s, words):
            got += w
            matched.add(s)
        elif parts_match(s, words):
            got += parts_credit * w  # "tjänsteresor" ~ "resor i tjänsten": both parts
            matched.add(s)
        elif s in context_stems:
            got += context_credit * w
            matched.add(s)
    return (got / total if total else 0.0), matched


@lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A text's folded word tokens and their stems. Each candidate's text is read four or five
    times per question (own words, statement, context, follow-up topic), and neighbouring
    questions read the same units."""
    words = frozenset(tokens(text))
    return words, frozenset(stem(t) for t in words)


def parts_match(s: str, words: Set[str]) -> bool:
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


def compound_match(s: str, words: Set[str]) -> bool:
    """A stem matches inside a Swedish compound: as its first part, as its head, or after a
    verb particle ("följer upp" -> "uppföljningen")."""
    if len(s) < 4:
        return False
    # One str.startswith with a tuple per word: this runs for every question stem against
    # every word of every candidate, and was the answerer's largest cost.
    starts = (s, *(p + s for p in PARTICLES))
    return any(w.startswith(starts) or (len(w) > len(s) + 2 and w.endswith(s)) for w in words)


def heading(meta: dict) -> str:
    """The innermost heading a unit stands under ("Tromsø", not the whole trail)."""
    return (meta.get("section") or "").split(SECTION_SEPARATOR)[-1]


def own_text(record: Record) -> str:
    """The unit's words with the sentence that introduces it ("Medlemmarna på svensk sida: ...
    På finsk sida: ..."), but not a heading: a heading is shared by the whole section."""
    intro = record.meta.get("intro", "")
    return record.text if intro == heading(record.meta) else f"{intro} {record.text}"


def unit_context(record: Record) -> str:
    """What a unit is about beyond its own words: section trail and introducing sentence."""
    meta = record.meta
    return f"{meta.get('section', '')} {meta.get('intro', '')}"


def unmentioned_years(info: QuestionInfo, cand) -> list[str]:
    """Years the question names ("... för 2024?") that the candidate's passage never mentions
    although it is dated by others: its unit, section trail, chunk, title and the document's
    date. A passage about 2023 does not answer for 2024; one that names no year at all may hold
    for any year, so it is not held against. A question for a year or a time ("Vilket år ...",
    "När ...") is not held to the years it names: they frame what it asks, or are a claim to be
    checked ("Min chef säger 1995 ...")."""
    if info.kind == "year" or ASKS_YEAR.search(info.original):
        return []
    asked = dict.fromkeys(YEAR.findall(DECADE.sub("", info.original)))
    if not asked:
        return []
    meta = cand.record.meta
    parts = [cand.record.text, unit_context(cand.record), cand.chunk.text, meta.get("title", "")]
    parts.append(str(meta.get("updated", "")))
    text = " ".join(parts)
    seen = set(YEAR.findall(text))
    if not seen:
        return []
    # "programperioden 2021–2027" speaks of every year in it.
    for first, last in YEAR_SPAN.findall(text):
        seen |= {str(y) for y in range(int(first), int(last) + 1)}
    return [y for y in asked if y not in seen]
