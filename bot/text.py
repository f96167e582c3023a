"""Swedish text normalisation: tokens, Snowball stems, stopwords and corpus vocabulary checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from ingest.swedish import (
    ACRONYM_DEF,
    ENGLISH_STOPWORDS,
    FOLD,
    INFLECTIONS,
    INSTITUTION_HEADS,
    NAME_JOINERS,
    QUESTION_WORDS,
    SWEDISH_STOPWORDS,
    SYMBOL_WORDS,
)

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+", re.UNICODE)

_stemmer = Stemmer.Stemmer("swedish")


def fold(text: str) -> str:
    return text.casefold().translate(FOLD)


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    return _stemmer.stemWord(token) if not token.isdigit() else token


@dataclass(frozen=True)
class Name:
    """A capitalised word or run of words: a place, an organisation or a person."""

    text: str
    start: int
    opens: bool  # it opens the text, a sentence or a list item, so capitals prove nothing

    @property
    def words(self) -> list[str]:
        return tokens(self.text)


_NAME_RUN = re.compile(rf"[A-ZÅÄÖ][\w'’-]*(?:\s+(?:{NAME_JOINERS}\s+)*[A-ZÅÄÖ][\w'’-]*)*")
_SINGLE = re.compile(r"[^\W\d_][\w'’-]*")


def find_names(text: str, runs: bool = False) -> list[Name]:
    """Capitalised words (or, with runs, runs of them) in text, in order.

    The one place that decides what a name is; callers drop the ones that open a sentence
    (opens) or that are common words.
    """
    out = []
    for m in (_NAME_RUN if runs else _SINGLE).finditer(text):
        if not m.group()[0].isupper():
            continue
        before = text[: m.start()].rstrip(' \t"”“(')
        opens = not before or before[-1] in ".:!?\n-•;>" or bool(re.search(r"\d[.)]$", before))
        out.append(Name(m.group(), m.start(), opens))
    return out


def content_stems(text: str, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """Stems of the words that carry meaning (no stopwords, no one-letter words)."""
    out = []
    for tok in tokens(text):
        if len(tok) < 2 and not tok.isdigit():
            continue
        if tok in SWEDISH_STOPWORDS or tok in extra_stop:
            continue
        out.append(stem(tok))
    return out


def index_stems(text: str) -> list[str]:
    """Tokens for BM25: stems of all non-stopwords."""
    return content_stems(text)


def is_english(text: str) -> bool:
    """A cheap language guess: English function words outnumber Swedish ones."""
    toks = tokens(text)
    en = sum(1 for t in toks if t in ENGLISH_STOPWORDS and t not in SWEDISH_STOPWORDS)
    sv = sum(1 for t in toks if t in SWEDISH_STOPWORDS or t in QUESTION_WORDS)
    return en >= 2 and en > sv


def find_acronyms(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms the documents define, "Union of the Baltic Cities (UBC)".

    Returns acronym -> the long form's capitalised words ("union", "baltic", "cities"). The
    long form must spell the acronym with its initials, so "Luleå kommun (LBR)" is not one.
    """
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for m in ACRONYM_DEF.finditer(text):
            acronym = m.group(2)
            words = [w for w in re.split(r"[\s-]+", m.group(1)) if w[:1].isupper()]
            for start in range(len(words)):
                if "".join(w[0] for w in words[start:]).upper() == acronym:
                    found.setdefault(fold(acronym), tuple(fold(w) for w in words[start:]))
                    break
    return found


def abbreviates(acronym: str, text: str) -> bool:
    """Whether an acronym ("VGR") spells the initials of a run of capitalised words in text
    ("Västra Götalandsregionen"), a compound's institution head counting as a word."""
    if not (2 <= len(acronym) <= 6 and acronym.isupper() and acronym.isalpha()):
        return False
    initials = ""
    for word in re.findall(r"[A-ZÅÄÖ][\wåäö]*", text):
        initials += word[0].lower()
        low = word.lower()
        head = next((h for h in INSTITUTION_HEADS if low.endswith(h) and len(low) > len(h)), None)
        if head:
            initials += head[0]
    return acronym.lower() in initials


def with_aliases(words: set[str], aliases: dict[str, tuple[str, ...]]) -> set[str]:
    """Words plus the other spelling of any acronym they contain ("ubc" <-> its long form)."""
    out = set(words)
    for acronym, long_words in aliases.items():
        if acronym in out:
            out.update(long_words)
        elif all(w in out for w in long_words):
            out.add(acronym)
    return out


def expand_acronyms(text: str, aliases: dict[str, tuple[str, ...]]) -> str:
    """Add the other spelling of any acronym or long form the text uses, for matching."""
    toks = set(tokens(text))
    extra = []
    for acronym, long_words in aliases.items():
        has_acronym = acronym in toks
        has_long = all(w in toks for w in long_words)
        if has_acronym and not has_long:
            extra.append(" ".join(w.capitalize() for w in long_words))
        elif has_long and not has_acronym:
            extra.append(acronym.upper())
    return f"{text} ({', '.join(extra)})" if extra else text


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in Swedish (wordfreq's Zipf scale: 0 unknown, 7 'och')."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "sv")


def is_common_word(word: str) -> bool:
    """Very common Swedish words (Zipf >= 5, about once in 100,000 words) never name a topic."""
    return zipf(word) >= 5.0


def _edit_distance_within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b is at most limit (banded, early exit)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return False
        prev = cur
    return prev[-1] <= limit


# A stem in more than this share of a corpus's (or a document's) passages is its subject.
SUBJECT_SHARE = 0.25


def _frequent(passages: list[set[str]], minimum: int = 1) -> frozenset[str]:
    """The stems in more than SUBJECT_SHARE of the passages (and in `minimum` at least)."""
    counts: dict[str, int] = {}
    for stems in passages:
        for s in stems:
            counts[s] = counts.get(s, 0) + 1
    bar = SUBJECT_SHARE * max(len(passages), 1)
    return frozenset(s for s, n in counts.items() if n > bar and n >= minimum)


class Vocabulary:
    """Words and stems of the corpus, to tell whether a question word occurs in it at all.

    Swedish writes compounds as one word, so a question word counts as present when it is a
    corpus word, an inflection of one, a part of a corpus compound, or a compound whose head
    (last part) is a corpus word; "medlemsavgift" is not present just because "medlem" is.
    Misspelt words are matched to the closest corpus word (see correct()).
    """

    def __init__(
        self, texts: list[str], docs: list[str] | None = None, bodies: list[str] | None = None
    ) -> None:
        """texts: what is searched (with section headings); bodies: the same passages without
        them, whose document frequency tells the corpus's subject; docs: their documents."""
        self.aliases = find_acronyms(texts)
        self.symbols = {c for c in set(SYMBOL_WORDS.values()) if any(c in t for t in texts)}
        self.words: set[str] = set()
        docs = docs or [""] * len(texts)
        for text in texts:
            self.words.update(tokens(text))
        # A heading that lists many places prefixes every passage under it; that does not make
        # those places the subject of the whole corpus, so frequency is counted without it.
        by_doc: dict[str, list[set[str]]] = {}
        for text, doc in zip(bodies or texts, docs, strict=True):
            by_doc.setdefault(doc, []).append({stem(t) for t in tokens(text)})
        # Per document, the stems in more than a quarter of its passages (and in two at least):
        # what the document is about as a whole ("malmö" in a page that names the city now
        # and then).
        self.doc_subjects = {
            doc: _frequent(passages, minimum=2) for doc, passages in by_doc.items()
        }
        # Stems in more than a quarter of all passages, and in every document, are the corpus's
        # own subject ("Luleå"); a name that only some documents use is never the subject
        # (Malmö in a corpus of Malmö's and Helsingborg's pages).
        everywhere = (
            frozenset.intersection(*(frozenset().union(*passages) for passages in by_doc.values()))
            if by_doc
            else frozenset()
        )
        self.ubiquitous = _frequent([p for ps in by_doc.values() for p in ps]) & everywhere
        self.stems = {stem(w) for w in self.words}
        self._long = sorted(w for w in self.words | self.stems if len(w) >= 5)
        self._by_initial: dict[str, list[str]] = {}
        # Question words are corrected too ("vika" -> "vilka"), so they join the dictionary.
        for w in self.words | QUESTION_WORDS | {"vilka", "vilken", "vilket"}:
            if len(w) >= 4 and not w.isdigit():
                self._by_initial.setdefault(w[0], []).append(w)

    def has(self, word: str) -> bool:
        word = fold(word)
        if word in self.words or stem(word) in self.stems:
            return True
        if SYMBOL_WORDS.get(word, "\0") in self.symbols:
            return True
        if word.isdigit():
            return False
        for suffix in INFLECTIONS:
            if suffix and not word.endswith(suffix):
                continue
            base = word[: len(word) - len(suffix)] if suffix else word
            if len(base) >= 4 and any(w.startswith(base) or w.endswith(base) for w in self._long):
                return True
        # Compound: the head after some prefix is a corpus word, e.g. vänorts|avtal.
        for cut in range(3, len(word) - 3):
            head = word[cut:]
            if len(head) < 4 or head in SWEDISH_STOPWORDS:
                continue
            if head in self.words or (len(stem(head)) >= 4 and stem(head) in self.stems):
                return True
        return False

    @lru_cache(maxsize=4096)  # noqa: B019 - one vocabulary per snapshot, bounded cache
    def correct(self, word: str) -> str | None:
        """The corpus word a misspelt word most likely means, or None."""
        word = fold(word)
        if len(word) < 4 or word.isdigit():
            return None
        limit = 1 if len(word) < 9 else 2
        best = None
        for cand in self._by_initial.get(word[0], []):
            closer = best is None or abs(len(cand) - len(word)) < abs(len(best) - len(word))
            if closer and _edit_distance_within(word, cand, limit):
                best = cand
        return best
