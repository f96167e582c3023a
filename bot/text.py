"""Swedish text normalisation: tokens, Snowball stems, stopwords and corpus vocabulary checks."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.swedish import (
    ENGLISH_STOPWORDS,
    INFLECTIONS,
    INSTITUTION_HEADS,
    NAME_JOINERS,
    NAME_LINKS,
    QUESTION_WORDS,
    SWEDISH_STOPWORDS,
    SYMBOL_WORDS,
)
from ingest.textnorm import (  # noqa: F401 - re-exported: the one tokenizer and stemmer
    CorpusStats,
    content_stems,
    fold,
    index_stems,
    stem,
    tokens,
)


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


def without_genitive(word: str) -> str | None:
    """word without its genitive -s ("luleås" -> "luleå", "kommuners" -> "kommuner"), or None
    when it has none. A word of four letters or fewer keeps its s ("Lars", "SKRs"): too short to
    tell a genitive from a stem."""
    return word[:-1] if len(word) > 4 and word.endswith("s") else None


def is_english(text: str) -> bool:
    """A cheap language guess: English function words outnumber Swedish ones."""
    toks = tokens(text)
    en = sum(1 for t in toks if t in ENGLISH_STOPWORDS and t not in SWEDISH_STOPWORDS)
    sv = sum(1 for t in toks if t in SWEDISH_STOPWORDS or t in QUESTION_WORDS)
    return en >= 2 and en > sv


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


def spells_name(acronym: str, text: str, prose: bool = False) -> bool:
    """Whether an acronym ("MR") spells the initials of consecutive words of text that start at
    a capitalised one ("Mänskliga rättigheter"): a Swedish name capitalises its first word only.
    The small words inside a name ("för", "och") have no letter of their own. In running prose
    (not a title) every sentence opens with a capital, so there the first word must not be a
    very common one: "En utredning" does not spell "EU", "Europeiska unionen" does."""
    if not (2 <= len(acronym) <= 6 and acronym.isupper() and acronym.isalpha()):
        return False
    words = [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() not in NAME_LINKS]
    want = acronym.lower()
    for i, word in enumerate(words):
        run = words[i : i + len(want)]
        spelled = word[0].isupper() and "".join(w[0].lower() for w in run) == want
        if spelled and not (prose and is_common_word(word.lower())):
            return True
    return False


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


def _has_prefix(sorted_words: list[str], prefix: str) -> bool:
    """Whether some word of the sorted list starts with prefix."""
    i = bisect.bisect_left(sorted_words, prefix)
    return i < len(sorted_words) and sorted_words[i].startswith(prefix)


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


class Vocabulary:
    """Words and stems of the corpus, to tell whether a question word occurs in it at all.

    Swedish writes compounds as one word, so a question word counts as present when it is a
    corpus word, an inflection of one, a part of a corpus compound, or a compound whose head
    (last part) is a corpus word; "medlemsavgift" is not present just because "medlem" is.
    Misspelt words are matched to the closest corpus word (see correct()). Built from the
    CorpusStats that ingest saved, or from texts directly (CorpusStats.build's arguments).
    """

    def __init__(
        self,
        texts: list[str] | None = None,
        docs: list[str] | None = None,
        bodies: list[str] | None = None,
        *,
        stats: CorpusStats | None = None,
        owner: frozenset[str] = frozenset(),
        own_name: frozenset[str] = frozenset(),
    ) -> None:
        """owner: the words of the deployment's own name (bot.site.owner_words). They count as
        corpus words and as its subject: "... i Krokom?" asks about Krokom's documents, which
        need not say "Krokom". own_name: every word of that name (bot.site.own_name_words),
        which a unit need not repeat when the question names the deployment."""
        stats = stats or CorpusStats.build(texts or [], docs, bodies)
        self.aliases = stats.aliases
        self.symbols = stats.symbols
        self.words = set(stats.words) | owner
        self.doc_subjects = stats.doc_subjects
        self.outlines = stats.outlines
        self.stems = {stem(w) for w in self.words}
        self.ubiquitous = stats.ubiquitous | {stem(w) for w in owner}
        self.own_name = own_name
        # Sorted, and sorted reversed, so that "a corpus word starts (ends) with this" is a
        # binary search rather than a pass over the whole vocabulary.
        self._long = sorted(w for w in self.words | self.stems if len(w) >= 5)
        self._long_reversed = sorted(w[::-1] for w in self._long)
        # Spelling candidates by first letter and length, so correct() only looks at words
        # whose length is within the edit distance it allows.
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        # Question words are corrected too ("vika" -> "vilka"), so they join the dictionary.
        for w in sorted(self.words | QUESTION_WORDS | {"vilka", "vilken", "vilket"}):
            if len(w) >= 4 and not w.isdigit():
                self._by_shape.setdefault((w[0], len(w)), []).append(w)

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
            if len(base) >= 4 and (
                _has_prefix(self._long, base) or _has_prefix(self._long_reversed, base[::-1])
            ):
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
        """The corpus word a misspelt word most likely means, or None: the first within the
        edit limit, trying lengths closest to the word's first (alphabetical among equals)."""
        word = fold(word)
        if len(word) < 4 or word.isdigit():
            return None
        limit = 1 if len(word) < 9 else 2
        for diff in range(limit + 1):
            for length in sorted({len(word) - diff, len(word) + diff}):
                for cand in self._by_shape.get((word[0], length), []):
                    if _edit_distance_within(word, cand, limit):
                        return cand
        return None
