"""Swedish tokens and Snowball stems, and the corpus statistics that ingest saves for readers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from ingest.swedish import ACRONYM_DEF, ACRONYM_FIRST, FOLD, SWEDISH_STOPWORDS, SYMBOL_WORDS

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


def find_acronyms(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms the documents define, "Union of the Baltic Cities (UBC)".

    Returns acronym -> the long form's capitalised words ("union", "baltic", "cities"). The
    long form must spell the acronym with its initials, so "Luleå kommun (LBR)" is not one.
    """
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        pairs = [(m.group(2), m.group(1)) for m in ACRONYM_DEF.finditer(text)]
        pairs += [(m.group(1), m.group(2)) for m in ACRONYM_FIRST.finditer(text)]
        for acronym, long_form in pairs:
            words = [w for w in re.split(r"[\s-]+", long_form) if w[:1].isupper()]
            for start in range(len(words)):
                if "".join(w[0] for w in words[start:]).upper() == acronym:
                    found.setdefault(fold(acronym), tuple(fold(w) for w in words[start:]))
                    break
    return found


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


@dataclass
class CorpusStats:
    """What answering needs to know about the whole corpus, computed once per ingest.

    Readers load this instead of every passage, so start-up does not grow with the corpus:
    the words that occur (for "is this question word in the documents at all"), the acronyms
    the documents define, each document's and the corpus's subject, and the document
    frequency of stems over sentence units (the idf that weighs question words).
    """

    words: frozenset[str] = frozenset()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    symbols: frozenset[str] = frozenset()
    doc_subjects: dict[str, frozenset[str]] = field(default_factory=dict)
    ubiquitous: frozenset[str] = frozenset()
    unit_df: dict[str, int] = field(default_factory=dict)
    n_units: int = 0
    # Per document, its section trails in reading order: the outline that says which headings
    # stand under which ("6 Strategiska områden" > its eight areas).
    outlines: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        texts: list[str],
        docs: list[str] | None = None,
        bodies: list[str] | None = None,
        units: list[str] | None = None,
        sections: list[str] | None = None,
    ) -> CorpusStats:
        """texts: the chunks as searched (with section headings); bodies: the same passages
        without them, whose document frequency tells the corpus's subject; docs: their
        documents; units: the sentence units' texts, for idf; sections: the chunks' section
        trails, in reading order within each document."""
        words: set[str] = set()
        for text in texts:
            words.update(tokens(text))
        docs = docs or [""] * len(texts)
        # A heading that lists many places prefixes every passage under it; that does not make
        # those places the subject of the whole corpus, so frequency is counted without it.
        by_doc: dict[str, list[set[str]]] = {}
        for text, doc in zip(bodies or texts, docs, strict=True):
            by_doc.setdefault(doc, []).append({stem(t) for t in tokens(text)})
        # Per document, the stems in more than a quarter of its passages (and in two at least):
        # what the document is about as a whole ("malmö" in a page that names the city now
        # and then).
        doc_subjects = {doc: _frequent(passages, minimum=2) for doc, passages in by_doc.items()}
        # Stems in more than a quarter of all passages, and in every document, are the corpus's
        # own subject ("Luleå"); a name that only some documents use is never the subject
        # (Malmö in a corpus of Malmö's and Helsingborg's pages).
        everywhere = (
            frozenset.intersection(*(frozenset().union(*passages) for passages in by_doc.values()))
            if by_doc
            else frozenset()
        )
        unit_df: dict[str, int] = {}
        for unit in units or []:
            for s in {stem(t) for t in tokens(unit)}:
                unit_df[s] = unit_df.get(s, 0) + 1
        # Each trail once, in order of first appearance (a dict keeps insertion order).
        trails: dict[str, dict[str, None]] = {}
        for doc, trail in zip(docs, sections or [], strict=False):
            if trail:
                trails.setdefault(doc, {})[trail] = None
        return cls(
            words=frozenset(words),
            aliases=find_acronyms(texts),
            symbols=frozenset(c for c in set(SYMBOL_WORDS.values()) if any(c in t for t in texts)),
            doc_subjects=doc_subjects,
            ubiquitous=_frequent([p for ps in by_doc.values() for p in ps]) & everywhere,
            unit_df=unit_df,
            n_units=len(units or []),
            outlines={doc: list(t) for doc, t in trails.items()},
        )

    def to_json(self) -> dict:
        return {
            "words": sorted(self.words),
            "aliases": {k: list(v) for k, v in self.aliases.items()},
            "symbols": sorted(self.symbols),
            "doc_subjects": {k: sorted(v) for k, v in self.doc_subjects.items()},
            "ubiquitous": sorted(self.ubiquitous),
            "unit_df": self.unit_df,
            "n_units": self.n_units,
            "outlines": self.outlines,
        }

    @classmethod
    def from_json(cls, data: dict) -> CorpusStats:
        return cls(
            words=frozenset(data["words"]),
            aliases={k: tuple(v) for k, v in data["aliases"].items()},
            symbols=frozenset(data["symbols"]),
            doc_subjects={k: frozenset(v) for k, v in data["doc_subjects"].items()},
            ubiquitous=frozenset(data["ubiquitous"]),
            unit_df={k: int(v) for k, v in data["unit_df"].items()},
            n_units=int(data["n_units"]),
            outlines={k: list(v) for k, v in data["outlines"].items()},
        )

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of stems over the sentence units."""
        n = max(self.n_units, 1)
        return {s: math.log(1 + n / c) for s, c in self.unit_df.items()}
