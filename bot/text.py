"""Swedish text normalisation: tokens, Snowball stems, stopwords and corpus vocabulary checks."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+", re.UNICODE)

# Nordic spellings of the same place (Tromsø/Tromsö, Bodø/Bodö) must meet.
_FOLD = str.maketrans({"ø": "ö", "æ": "ä", "é": "e", "è": "e", "ü": "u", "´": "'", "’": "'"})

SWEDISH_STOPWORDS = frozenset(
    """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
    icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde
    något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under
    någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli blev
    oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom mellan
    sådant varför varje vilka ditt vem vilket sitt sådana vart dina vars vårt våra ert era
    vilkas också ska skall finns fanns även vilket vilken vilka hur många mycket mer mest bara
    får fått gör göra gjorde gjort sa säga kommer kom ligger ligga hos enligt inför annat andra
    annan
    """.split()  # noqa: SIM905 - a word list reads better as text
)

ENGLISH_STOPWORDS = frozenset(
    """
    the a an of to in on at for with by from is are was were be been being do does did has have
    had what which who whom whose when where why how many much is it its this that these those
    and or not no yes there their they them city municipality about as can could will would
    should any all some me my our your you we i
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Words that frame a question but say nothing about its topic.
QUESTION_WORDS = frozenset(
    """
    vad vilka vilken vilket vem vems när var varför hur många mycket länge står betyder innebär
    berätta beskriv förklara nämn lista räkna ge finns säg tala heter hette kallas kallades
    förkortning förkortningen förkortningar stod nämns nämnas anges
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_stemmer = Stemmer.Stemmer("swedish")


def fold(text: str) -> str:
    return text.casefold().translate(_FOLD)


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    return _stemmer.stemWord(token) if not token.isdigit() else token


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


_INFLECTIONS = (
    "",
    "arna",
    "erna",
    "orna",
    "en",
    "et",
    "na",
    "er",
    "ar",
    "or",
    "t",
    "n",
    "s",
    "e",
    "a",
)


_ACRONYM_DEF = re.compile(
    r"((?:[A-ZÅÄÖ][\w-]*(?:\s+(?:of the|of|for|de|och))?\s+){0,5}[A-ZÅÄÖ][\w-]*)"
    r"\s*\(([A-ZÅÄÖ]{2,6})\)"
)


def find_acronyms(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms the documents define, "Union of the Baltic Cities (UBC)".

    Returns acronym -> the long form's capitalised words ("union", "baltic", "cities"). The
    long form must spell the acronym with its initials, so "Luleå kommun (LBR)" is not one.
    """
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for m in _ACRONYM_DEF.finditer(text):
            acronym = m.group(2)
            words = [w for w in re.split(r"[\s-]+", m.group(1)) if w[:1].isupper()]
            for start in range(len(words)):
                if "".join(w[0] for w in words[start:]).upper() == acronym:
                    found.setdefault(fold(acronym), tuple(fold(w) for w in words[start:]))
                    break
    return found


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


class Vocabulary:
    """Words and stems of the corpus, to tell whether a question word occurs in it at all.

    Swedish writes compounds as one word, so a question word counts as present when it is a
    corpus word, an inflection of one, a part of a corpus compound, or a compound whose head
    (last part) is a corpus word; "medlemsavgift" is not present just because "medlem" is.
    Misspelt words are matched to the closest corpus word (see correct()).
    """

    def __init__(self, texts: list[str]) -> None:
        self.aliases = find_acronyms(texts)
        self.words: set[str] = set()
        df: dict[str, int] = {}
        for text in texts:
            toks = tokens(text)
            self.words.update(toks)
            for s in {stem(t) for t in toks}:
                df[s] = df.get(s, 0) + 1
        # Stems in more than a quarter of the texts are the corpus's own subject ("Luleå").
        self.ubiquitous = frozenset(s for s, n in df.items() if n > 0.25 * max(len(texts), 1))
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
        if word.isdigit():
            return False
        for suffix in _INFLECTIONS:
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
