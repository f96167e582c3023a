"""Question analysis: the kind of answer wanted; follow-ups condensed with the conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.text import (
    Vocabulary,
    content_stems,
    expand_acronyms,
    find_names,
    fold,
    is_common_word,
    is_english,
    stem,
    tokens,
    zipf,
)
from ingest.swedish import (
    ANAPHORA,
    ARTICLE_PHRASE,
    ARTICLES,
    COUNTED,
    COUNTED_ENGLISH,
    DEFINITE_NOUN,
    DEFINITION_QUESTION,
    DEMONSTRATIVE,
    ELLIPSIS_START,
    ENGLISH_COUNTED_WORDS,
    ENGLISH_I,
    ENGLISH_NOT_POINTING,
    ENGLISH_STOPWORDS,
    FRAME_NOUNS,
    FRONTED_INTERROGATIVE,
    HOW_MANY,
    INDEFINITE_ARTICLES,
    INTERROGATIVES,
    KIND_CUES,
    NARROWING,
    NON_VERB_OPENERS,
    OBJECT_DET,
    OPENING_CONJUNCTIONS,
    OPENING_WORDS,
    PARTITIVE,
    PASSIVE_VERB,
    PLACING_WORDS,
    PREAMBLE_END,
    QUESTION_WORDS,
    RELATIVE_HEAD,
    SWEDISH_INTERROGATIVES,
    SWEDISH_STOPWORDS,
    TARGET,
    VERB_LIKE,
    VERSION,
    YEAR_FRAME,
    YESNO_START,
)


@dataclass
class QuestionInfo:
    """A question as the answerer sees it."""

    original: str
    query: str  # condensed: self-contained text used for retrieval
    kind: str  # count | year | why | where | who | list | yesno | what
    english: bool
    focus_stems: list[str] = field(default_factory=list)  # content of the question itself
    context_stems: list[str] = field(default_factory=list)  # content borrowed from history
    followup: bool = False
    names: list[str] = field(default_factory=list)  # places and organisations it names
    name_groups: list[list[str]] = field(default_factory=list)  # "Union of the Baltic Cities"
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # UBC <-> its long form
    ubiquitous: frozenset[str] = frozenset()  # stems in most of the corpus ("luleå")
    focus_words: list[str] = field(default_factory=list)  # the question's own topical words
    target: str | None = None  # the word right after the question phrase ("ordförande")
    counted: list[str] = field(default_factory=list)  # "Hur många *svenska medlemmar*"
    missing: list[str] = field(default_factory=list)  # topical words found nowhere in the corpus
    defines: str | None = None  # "Vad är X?": X, whose definition is wanted
    spells_out: bool = False  # "Vad står X för?": the long form of the acronym X is wanted
    narrows: bool = False  # "Vilka av dem/av de X ...?": asks for part of a list
    previous_kind: str | None = None  # the kind of the question it follows up
    opening_stem: str | None = None  # the stem of its first word (the verb of a yes/no question)
    versions: list[str] = field(default_factory=list)  # "version 1.3.2": "1.3.2"

    @property
    def target_missing(self) -> bool:
        """The very thing asked about is nowhere in the corpus ("Vem är ordförande ...?")."""
        return self.target is not None and self.target in self.missing

    @property
    def missing_share(self) -> float:
        """Share of the question's topics the corpus lacks; a multi-word name is one topic."""
        name_words = {t for group in self.name_groups for t in group}
        topics = len([w for w in self.focus_words if w not in name_words]) + len(self.name_groups)
        # A follow-up's topic comes from the conversation: it counts as one topic more.
        topics += 1 if self.context_stems else 0
        # A missing verb is more often a paraphrase ("träffas" for "sammanträder") than a
        # missing fact, so it weighs half; a missing noun ("budget", "avgift") weighs fully.
        weight = sum(0.5 if VERB_LIKE.search(w) else 1.0 for w in self.missing)
        return weight / max(topics, 1)


def question_kind(text: str) -> str:
    # "Jag får pension. Måste jag ...?": the question is its last sentence, not the preamble.
    text = PREAMBLE_END.split(text.strip())[-1]
    where = dict(KIND_CUES)["where"]
    if where.search(text):
        return "where"  # "Var ligger ...?" opens with a verb-like word but asks for a place
    if _opens_with_verb(text) and not HOW_MANY.search(text):
        return "yesno"
    found = [
        (kind, m)
        for kind, pattern in KIND_CUES
        if (m := pattern.search(text)) and not _figure_in_clause(text, kind, m)
    ]
    if not found:
        return "what"
    kind, first = found[0]
    # Swedish puts the question phrase first: "När ändrades antalet ...?" asks when, whatever
    # cue word ("antalet", "beloppet") follows. A bare "Vilken/Vilka" opens many kinds of
    # question ("Vilken e-postadress ...?") and does not decide it.
    opening = OPENING_WORDS.match(text)
    start = opening.end() if opening else 0
    if first.start() > start:
        for other, m in found[1:]:
            if m.start() <= start and other != "list":
                return other
    return kind


def _figure_in_clause(text: str, kind: str, cue: re.Match) -> bool:
    """A count or amount cue inside a question opened by another question word is a clause of
    it, not what it asks: "Till vilken myndighet ska de redovisa hur mycket el ...?" asks for
    an agency. Within the opening phrase ("Vilket belopp", "Från hur många") it decides."""
    if kind not in ("count", "amount"):
        return False
    words = list(re.finditer(r"[^\W\d_][\w:-]*", text))
    i = 1 if words and words[0].group().lower() in OPENING_CONJUNCTIONS else 0
    if i + 1 < len(words) and words[i + 1].group().lower() in SWEDISH_INTERROGATIVES:
        i += 1  # "Till vilken ...", "Av vilka ...": a preposition, then the question word
    if i >= len(words) or words[i].group().lower() not in SWEDISH_INTERROGATIVES:
        return False
    # The question word and the two words after it are the opening phrase.
    last = words[min(i + 2, len(words) - 1)]
    return cue.start() > last.start()


def _opens_with_verb(text: str) -> bool:
    """Swedish and English yes/no questions open with the finite verb ("Krävs det ...?",
    "Måste alla ...?"): the first word is neither an interrogative nor a known non-verb."""
    if YESNO_START.match(text):
        return True
    toks = tokens(text)
    if len(toks) < 3 or not text.rstrip().endswith("?"):
        return False
    first = toks[0]
    if any(t in INTERROGATIVES for t in toks[1:3]) or FRONTED_INTERROGATIVE.search(text):
        # "Genom vad ...?", "Tillsammans med vilka ...?": a preposition, then the question word;
        # "According to the minister, what ...?": a phrase and a comma, then the question word.
        return False
    return (
        first not in INTERROGATIVES
        and first not in NON_VERB_OPENERS
        and not text.lstrip()[:1].isdigit()
    )


def focus_stems(text: str) -> list[str]:
    """Stems of the words that name what is asked about (no question words or stopwords)."""
    return content_stems(text, extra_stop=QUESTION_WORDS | ENGLISH_STOPWORDS)


def _names(text: str) -> list[str]:
    """Capitalised words that are not the question's first word: places, organisations."""
    first = re.search(r"[^\W\d_]", text)
    return [
        n.text
        for n in find_names(text)
        if (first is None or n.start > first.start())
        # A common word opening a later sentence ("... 1995. Vilket år") is no name; inside a
        # sentence a capital is ("... i Malmö?").
        and not (n.opens and is_common_word(fold(n.text)))
        and not _english_i(text, n.start, n.text)
    ]


def _name_groups(text: str) -> list[list[str]]:
    """Runs of capitalised words after the first word, each as its list of tokens."""
    first = re.match(r"\s*\S+", text)
    start = first.end() if first else 0
    return [
        n.words
        for n in find_names(text, runs=True)
        if n.start >= start and not _english_i(text, n.start, n.text)
    ]


def _english_i(text: str, start: int, name: str) -> bool:
    """The English pronoun "I" ("Can I park there?", "What should I check if I ..."), not a
    name: a lone capital I before a lower-case word. "Coreper I-frågor" keeps its I; in a
    Swedish question a lone I ("bilaga I till") would match every preposition "i" anyway."""
    return name == "I" and bool(ENGLISH_I.match(text, start))


def _defined_phrase(phrase: str) -> str:
    """The thing a "Vad är X?" question asks about, without its article or what places it:
    "en bibliografi i Libris söktjänst" -> "bibliografi"."""
    words = phrase.split()
    while len(words) > 1 and fold(words[0]) in ARTICLES:
        words = words[1:]
    for i, word in enumerate(words[1:], start=1):
        if fold(word) in PLACING_WORDS:
            return " ".join(words[:i])
    return " ".join(words)


def _is_followup(question: str, previous: str = "") -> bool:
    toks = tokens(question)
    if not toks:
        return False
    if ELLIPSIS_START.match(question):
        return True
    if _points_back(question, previous) and not _names(question):
        return True
    # "det området", "den föreningen": a demonstrative with a definite noun points back.
    if DEMONSTRATIVE.search(question) and not _names(question):
        return True
    # "Måste man betala för det?": "det" as the object of a preposition.
    if OBJECT_DET.search(question) and not _names(question):
        return True
    # Very short questions without a name of their own ("Sedan när?", "Hur många?"), but not
    # one asking what "en zoonos" is: an indefinite article brings in something new.
    return len(focus_stems(question)) <= 1 and not _names(question) and not _defines_new(question)


def _points_back(question: str, previous: str) -> bool:
    """A pronoun of the question that points back into the conversation."""
    earlier = set(focus_stems(previous)) if previous else set()

    def article(m: re.Match) -> str:
        # The phrase's noun was spoken of before: "de övriga myndigheterna" after a question
        # about two authorities still points back. A pronoun before a verb and a possessive
        # ("När ska de lämna sin ...?") is no article.
        noun = m.group("noun")
        if fold(noun) in SWEDISH_STOPWORDS or any(
            _spoken_of(s, earlier) for s in focus_stems(noun)
        ):
            return m.group(0)
        return " "

    text = RELATIVE_HEAD.sub(" ", ARTICLE_PHRASE.sub(article, question))
    text = ENGLISH_NOT_POINTING.sub(" ", text)
    # Whole words, so that a compound ("it-brottslighet") is no English "it".
    return any(fold(w) in ANAPHORA for w in re.findall(r"[\w-]+", text))


def _spoken_of(noun: str, earlier: set[str]) -> bool:
    """The noun's stem is an earlier word, or the end of a compound in it ("deklaration" after
    "språkdeklarationen")."""
    return noun in earlier or (len(noun) >= 4 and any(e.endswith(noun) for e in earlier))


def _defines_new(question: str) -> bool:
    """A definition question about something with an indefinite article, or about one bare
    noun: "Vad är ett förlagslån?", "What is a pawn loan?", "Vad är livränta?". A definite
    noun ("Vad innebär avtalet?") or a pronoun may be the earlier topic."""
    defined = DEFINITION_QUESTION.match(question)
    phrase = defined and (defined.group(1) or defined.group(2))
    if not phrase:
        return False
    words = [fold(w) for w in phrase.split()]
    if words[0] in INDEFINITE_ARTICLES:
        return True
    bare = len(words) == 1 and not DEFINITE_NOUN.match(words[0])
    return bare and words[0] not in SWEDISH_STOPWORDS | ENGLISH_STOPWORDS


def counted_words(question: str, english: bool = False) -> list[str]:
    """What a "hur många" question counts: the one or two words after it ("svenska medlemmar");
    for an English question, the Swedish words for the ones it names."""
    if english:
        m = COUNTED_ENGLISH.search(question)
        found = [fold(w) for w in m.groups() if w] if m else []
        return [sv for w in found for sv in ENGLISH_COUNTED_WORDS.get(w, ())]
    m = COUNTED.search(question)
    if not m:
        return []
    words = [fold(w.split(":")[0]) for w in m.groups() if w]
    if words[0] in SWEDISH_STOPWORDS:  # "Hur många har ...?" names no counted thing
        return []
    if PASSIVE_VERB.fullmatch(words[0]):  # nor does "Hur många drabbas ...?"
        return []
    return [w for w in words if w not in SWEDISH_STOPWORDS and w not in QUESTION_WORDS]


def target_word(question: str) -> str | None:
    """The head word right after the question phrase, if there is one."""
    m = TARGET.match(question)
    if not m:
        return None
    word = fold(m.group(1))
    if word in SWEDISH_STOPWORDS or word in QUESTION_WORDS or word in FRAME_NOUNS:
        return None
    opener = fold(m.group(0).split()[0])
    if opener in ("vad", "vem") and len(m.group(0).split()) == 2:
        # Swedish puts the verb right after "vad"/"vem" ("Vad kännetecknar ...", "Vem
        # bestämmer ..."): a verb the documents word differently, not a missing topic.
        return None
    return word


def _check_words(question: str, vocabulary: Vocabulary | None) -> tuple[str, list[str], list[str]]:
    """Correct misspellings against the corpus; list topical words the corpus lacks.

    Returns the corrected question, its topical words and the missing ones. Very common words
    ("fortfarande", "ofta") are never counted as missing: they do not name what is asked about.
    """
    words = [w for w in tokens(question) if focus_stems(w)]
    if vocabulary is None:
        return question, [fold(w) for w in words], []
    corrected = question
    topical: list[str] = []
    missing: list[str] = []
    first = fold(tokens(question)[0]) if tokens(question) else ""
    for word in words:
        low = fold(word)
        if vocabulary.has(low):
            topical.append(low)
            continue
        fixed = vocabulary.correct(low)
        # Only misspellings are corrected: a real Swedish word the corpus lacks ("söker") is
        # kept, except a question word typed wrong at the start ("vika" for "vilka").
        if fixed is not None and (zipf(low) < 3.0 or (low == first and fixed in QUESTION_WORDS)):
            corrected = re.sub(rf"\b{re.escape(word)}\b", fixed, corrected, flags=re.I)
            if fixed not in QUESTION_WORDS:
                topical.append(fixed)
            continue
        if low.isdigit() or not is_common_word(low):
            topical.append(low)
            missing.append(low)
    return corrected, topical, missing


def analyse(
    question: str, history: list[str] | None = None, vocabulary: Vocabulary | None = None
) -> QuestionInfo:
    """Classify the question and, for a follow-up, carry over the topic of the conversation."""
    question = " ".join(question.split())
    history = [h for h in (history or []) if h and h.strip()]
    english = is_english(question)
    corrected, topical, missing = _check_words(question, None if english else vocabulary)
    info = QuestionInfo(
        original=question,
        query=expand_acronyms(corrected, vocabulary.aliases) if vocabulary else corrected,
        kind=question_kind(corrected),
        english=english,
        focus_stems=focus_stems(corrected),
        aliases=vocabulary.aliases if vocabulary else {},
        ubiquitous=vocabulary.ubiquitous if vocabulary else frozenset(),
        focus_words=topical,
        missing=missing,
        name_groups=_name_groups(corrected),
        target=target_word(corrected),
        counted=counted_words(corrected, english),
        names=[
            tok
            for name in _names(corrected)
            for part in re.split(r"[-'’]", name)
            if part[:1].isupper()
            for tok in tokens(part)
            # One capital letter names a thing too ("delområde H", "bilaga A").
            if (len(tok) > 1 or part.isupper()) and not tok.isdigit()
        ],
    )
    frame = YEAR_FRAME.search(corrected)
    if info.kind == "year" and frame:
        word = fold(frame.group(1) or frame.group(2))
        framed = stem(word)
        if len(info.focus_stems) > 1 and info.focus_stems.count(framed) == 1:
            info.focus_stems.remove(framed)
            # Nor does a corpus that never writes "datum" lack what is asked. The word still
            # counts among the question's words when the share of missing ones is judged:
            # "Vilket år anslöt ..." has three words, not two.
            info.missing = [w for w in info.missing if w != word]
    info.versions = [m.group(0).lstrip("vV") for m in VERSION.finditer(corrected)]
    first = tokens(corrected)
    info.opening_stem = stem(first[0]) if first else None
    defined = DEFINITION_QUESTION.match(corrected)
    info.defines = _defined_phrase(defined.group(1) or defined.group(2)) if defined else None
    info.spells_out = bool(defined and defined.group(2))
    # "Vilka av de djursjukdomar som ... är anmälningspliktiga?" asks for part of a set, as the
    # follow-up "Vilka av dem ...?" does: the sentence that picks the part, not the whole list.
    info.narrows = not info.english and bool(PARTITIVE.search(corrected))
    if not history or not _is_followup(question, history[-1]):
        return info
    previous = analyse(history[-1], history[:-1], vocabulary)
    info.followup = True
    info.previous_kind = previous.kind
    # "Sedan vilket år finns kontoret där?": the definite noun is the earlier topic.
    info.missing = [w for w in info.missing if not DEFINITE_NOUN.match(w)]
    info.narrows = bool(NARROWING.search(question)) and previous.kind in ("list", "count")
    if info.kind == "what" and len(tokens(question)) <= 4:
        # "Och Kemi?" asks the previous kind of question about something else.
        info.kind = previous.kind
    own_names = {fold(n) for n in _names(question)}
    borrowed = previous.query
    if own_names:
        # A new name replaces the names of the previous question ("Och Kemi?").
        for name in _names(previous.query):
            borrowed = re.sub(rf"\b{re.escape(name)}\b", " ", borrowed)
    borrowed = " ".join(w for w in borrowed.split() if fold(w) not in SWEDISH_STOPWORDS)
    info.query = f"{borrowed} {corrected}".strip()
    info.context_stems = [s for s in focus_stems(borrowed) if s not in info.focus_stems]
    if not info.focus_stems:
        # "Varför inte?", "Vem var det som sa det?": no topic of its own, so the conversation's
        # topic is what it asks about.
        info.focus_stems, info.context_stems = info.context_stems, []
    return info
