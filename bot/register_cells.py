"""The register's cells: each row's questions asked through the chat's pipeline, values read from
the cited words.

A cell is filled only from a sentence of a cited passage that is about the row (it names the
row, or it stands in the row's own section) and that says what the cell asks ("sedan 2015",
"vilande", "syftar till"); otherwise it stays empty, as the chat abstains. The value of a
sentence cell (purpose, members, role) is that sentence, verbatim. Where documents disagree the
newer one fills the cell and the older value is kept as a conflict.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache

from bot.compose import CLOSE_CODES, Answer
from bot.register import RARE, Row, _key, split_name
from bot.register_store import CELLS, Cell, Conflict, Entry, Ref
from bot.text import find_names, zipf
from ingest.chunking import SECTION_SEPARATOR, flowed_lines, unwrap
from ingest.headings import trail_at, trails
from ingest.loaders import SourceDocument
from ingest.swedish import (
    ATTRIBUTION,
    DEFINES_FOR,
    FOUNDING_VERB,
    JOIN_VERB,
    MEMBERS_BETWEEN,
    MEMBERS_CUE,
    OWN_COMPANY,
    OWNER_BODY,
    OWNER_NAMED,
    OWNER_VERB,
    PURPOSE_CUES,
    REGISTER_QUESTIONS,
    ROLE_CUE,
    ROLE_NOW,
    ROLE_PAST,
    SIGNING,
    SINCE_YEAR,
    STATUS_ACTS,
    STATUS_CUES,
    STATUS_HEDGE,
    STATUS_OTHER_SUBJECT,
    TIE_NOUNS,
    TODAY,
    YEAR,
)
from ingest.text_split import sentence_spans

Ask = Callable[[str], Answer]
COMMON = 4.5  # a word this frequent ("En", "Varje") opens a phrase, never a place's name
# Cells whose differing values are a conflict; purpose and role differ in wording only.
COMPARED = ("since", "status", "members")
# Cells whose value is a whole sentence; the others are read from a few words of one.
SENTENCE_CELLS = ("purpose", "members", "role")


def owner_of(doc: SourceDocument, not_owners: set[str] = frozenset()) -> str:
    """The body a document speaks for: the name most often before a verb of membership
    ("Luleå kommun är medlem i", "Sametinget deltar i"); "" when no sentence says."""
    counts: Counter[str] = Counter()
    for line in doc.body.split("\n"):
        if not line.startswith("#"):  # headings name topics, not who speaks
            _count_owners(line, not_owners, counts)
    if not counts:
        # No sentence says who is a member: the body the document names most ("Nacka
        # kommun", "Region Jämtland Härjedalen"), if any.
        named = (m.group().strip() for m in OWNER_NAMED.finditer(doc.body))
        counts.update(n for n in named if zipf(n.split()[0].lower()) < COMMON)  # not "En kommun"
    if not counts:
        return ""
    # "Luleå kommun" and "Luleå" are one owner; the fuller form names it.
    best = counts.most_common(1)[0][0]
    head = best.split()[0]
    fuller = [n for n in counts if n.split()[0] == head and len(n) > len(best)]
    return max(fuller, key=len) if fuller else best


def _count_owners(line: str, not_owners: set[str], counts: Counter[str]) -> None:
    for n in find_names(line, runs=True):
        after = line[n.start + len(n.text) :]
        body = OWNER_BODY.match(after)
        name = n.text + (body.group() if body else "")
        rest = after[body.end() :] if body else after
        if not OWNER_VERB.match(rest) or _key(n.text) in not_owners:
            continue
        if not body and n.opens and all(zipf(w.lower()) >= RARE for w in n.words):
            continue  # "Kommunen har", "Vi deltar": a common word opening a sentence
        counts[name] += 1


def own_companies(documents: list[SourceDocument]) -> dict[str, str]:
    """The companies the body owns, as the documents introduce them: {acronym or name: name}
    ("LBR": "Luleå Business Region"). A tie whose subject is one of them is the company's."""
    out: dict[str, str] = {}
    for doc in documents:
        for m in OWN_COMPANY.finditer(doc.body):
            name = m.group("name")
            out.setdefault(m.group("acronym") or name, name)
    names = set(out.values())
    # "kommuns bolag Luleå Business Regions internationella arbete": a genitive of a name
    # introduced elsewhere is that name.
    return {k: v for k, v in out.items() if not (v.endswith("s") and v[:-1] in names)}


def company_of(row: Row, companies: dict[str, str]) -> str:
    """The owned company whose tie the row is: the subject that opens its source sentence
    ("LBR är medlem i Swedish Network of Convention Bureaus"), or ""."""
    for source in row.sources:
        for short, name in companies.items():
            if re.match(rf"\W*(?:{re.escape(short)}|{re.escape(name)})\b", source.quote):
                return name
    return ""


def owner_words(owners: list[str]) -> frozenset[str]:
    """The lower-cased words of the owners' names and their genitives, for find_rows."""
    words = {w.lower() for o in owners for w in o.split() if w[:1].isupper()}
    return frozenset(words | {w + "s" for w in words})


def fill(
    row: Row,
    owner: str,
    ask: Ask,
    docs: dict[str, SourceDocument],
    others: list[str] | tuple[str, ...] = (),
) -> Entry:
    """The row as a register entry, each cell asked for and cited, or left empty; others are
    the names of the register's other rows."""
    topic = _Topic(row, docs, others)
    templates = REGISTER_QUESTIONS.get(row.type) or REGISTER_QUESTIONS["other"]
    cells: dict[str, Cell] = {}
    conflicts: list[Conflict] = []
    for name in CELLS:
        template = templates.get(name)
        if template is None:
            continue
        question = template.format(name=row.name, owner=owner or "kommunen")
        answer = ask(question)
        if answer.abstained and answer.abstain_code not in CLOSE_CODES:
            continue  # as in the chat: what the documents do not say stays unsaid
        # A close abstention ("other-entity", "near-miss") says the documents speak of the
        # topic but the best unit does not name the row or say the cell's kind of thing. The
        # reader below makes both checks on every sentence it takes, so the units further
        # down are read, as the chat itself looks a few units down for one that names the row.
        # The quoted units first, then the pipeline's next best ones.
        passages = [(c.doc_id, c.section, c.quote) for c in answer.citations]
        passages += [(r.meta["doc_id"], r.meta.get("section", ""), r.text) for r in answer.ranked]
        # The pipeline found that the documents speak of the row; its own section may say
        # what the best units leave out.
        passages += topic.own_passages()
        found = _first(name, passages, topic, owner)
        if found is None:
            continue
        cell, older = _newest(name, found, topic, owner)
        cells[name] = cell
        conflicts += [Conflict(cell=name, value=c.value, ref=c.ref) for c in older]
    role = cells.get("role")
    if "status" in templates and "status" not in cells and role and holds_now(role.ref.quote):
        # No sentence gives the status, but the owner holds a role in the tie now ("kansli-
        # funktionen finns i Luleå"): that sentence says the tie is active.
        cells["status"] = Cell(value="active", ref=role.ref)
    return Entry(
        owner=owner,
        name=row.name,
        aliases=row.aliases,
        type=row.type,
        sources=[_ref(docs[s.doc_id], s.section, s.quote) for s in row.sources],
        cells=cells,
        conflicts=conflicts,
    )


class _Topic:
    """What counts as being about a row: a sentence that names it, or the row's own section."""

    def __init__(
        self, row: Row, docs: dict[str, SourceDocument], others: list[str] | tuple[str, ...] = ()
    ) -> None:
        self.row, self.docs = row, docs
        keys = {_key(n) for n in row.names()}
        self.others = [
            _mention_pattern(n) for n in others if len(_key(n)) >= 2 and _key(n) not in keys
        ]
        self.names_given = tuple(row.names())
        self.names = [_mention_pattern(n) for n in row.names() if len(_key(n)) >= 2]
        # A source whose section is a whole document's title: a page titled with the row's
        # name, its own page (the first source among equals).
        whole = [
            s for s in row.sources if s.quote == s.section and SECTION_SEPARATOR not in s.section
        ]
        self.pages = {s.doc_id for s in whole}
        # Sections headed by the row's name (with their sub-sections) are about it throughout.
        # Kept with and without the document's title: citations name sections without it.
        self.own = {
            (s.doc_id, form)
            for s in row.sources
            # headed by the row's name, or the whole document when its title names the row
            if _key(split_name(s.section.split(SECTION_SEPARATOR)[-1])[0]) in keys or s in whole
            if not self._about_another(s.doc_id, s.section)
            for form in (s.section, _untitled(s.section))
        }

    def _about_another(self, doc_id: str, section: str) -> bool:
        """A section headed by the row whose text never names it but names another row is
        about that one: under "Europaforum Norra Sverige - ..." a plan describes North Sweden
        European Office ("Målet med verksamheten är ...")."""
        text = _section_text(self.docs[doc_id], section)
        if self.names_it(text) or _SAYS_IT.search(text):
            return False
        return any(p.search(text) for p in self.others)

    def names_it(self, sentence: str) -> bool:
        return any(p.search(sentence) for p in self.names)

    def said_of_another(self, name: str, sentence: str) -> bool:
        """The role or members the sentence names are another row's: "Luleå och Uleåborg är
        grundare av föreningen Bottenviksbågen" is a role in Bottenviksbågen, and regions that
        "bildar ett gemensamt North Sweden European Office" are that office's members, even in
        a section about a neighbouring tie."""
        cue = (ROLE_CUE if name == "role" else MEMBERS_CUE).search(sentence)
        after = sentence[cue.end() :] if cue else ""
        return any(p.search(after) for p in self.others) and not self.names_it(after)

    def in_anothers(self, doc_id: str, section: str) -> bool:
        """The section is headed by another row's name and is not the row's own: what it says
        ("Föreningens huvudsakliga syfte är ... mellan Murmansk och Bodö") is that row's."""
        heading = section.split(SECTION_SEPARATOR)[-1]
        if self.in_own(doc_id, section) or self.names_it(heading):
            return False
        return any(p.search(heading) for p in self.others)

    def in_own(self, doc_id: str, section: str) -> bool:
        return any(
            doc_id == d and (section == s or section.startswith(s + SECTION_SEPARATOR))
            for d, s in self.own
        )

    def own_passages(self) -> list[tuple[str, str, str]]:
        """(doc id, section, line) of every line in the sections where the row is named: its
        own sections, and the sections of the lists and sentences that name it."""
        named = {(s.doc_id, s.section) for s in self.row.sources}
        out = []
        for doc_id in dict.fromkeys(s.doc_id for s in self.row.sources):
            doc = self.docs[doc_id]
            marks = trails(doc.body)
            for start, line in _lines(doc.body):
                section = trail_at(marks, start)
                if (doc_id, section) in named or self.in_own(doc_id, section):
                    out.append((doc_id, section, line))
        return out

    def sentences_elsewhere(self, not_doc: str) -> Iterator[tuple[SourceDocument, str, str]]:
        """(document, section, sentence) about the row in the row's other documents."""
        for doc_id in dict.fromkeys(s.doc_id for s in self.row.sources):
            if doc_id == not_doc:
                continue
            doc = self.docs[doc_id]
            marks = trails(doc.body)
            for line_start, line in _lines(doc.body):
                section = trail_at(marks, line_start)
                own = self.in_own(doc_id, section)
                for a, b in _sentences(line):
                    sentence = line[a:b]
                    if own or self.names_it(sentence):
                        yield doc, section, sentence


# A sentence that opens with the tie's kind word, definite ("Föreningen har till ändamål ...",
# "Nätverket har 55 medlemmar"), speaks of the section's own tie without naming it.
_DEFINITE_TIE = r"(?:" + "|".join(n.capitalize() for n in TIE_NOUNS) + r")\w*?(?:en|et|na)"
_SAYS_IT = re.compile(r"(?:^|[.!?]\s+)" + _DEFINITE_TIE + r"\b", re.MULTILINE)
# The same kind word as the sentence's subject, a genitive allowed ("Föreningens syfte är").
_TIE_SUBJECT = re.compile(r"\W*" + _DEFINITE_TIE + r"s?\b")


def _section_text(doc: SourceDocument, section: str) -> str:
    """The text right under a heading trail, up to the next heading."""
    marks = trails(doc.body)
    for i, (start, _, trail) in enumerate(marks):
        if trail == section:
            end = marks[i + 1][0] if i + 1 < len(marks) else len(doc.body)
            return doc.body[start:end].split("\n", 1)[-1]
    return ""


def _untitled(section: str) -> str:
    """A heading trail without the document's title, the form a citation gives."""
    parts = section.split(SECTION_SEPARATOR)
    return SECTION_SEPARATOR.join(parts[1:]) if len(parts) > 1 else section


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage, line by line: a list item is a sentence of its own, a
    sentence hard-wrapped over lines is one (the spans are slices of text as it is)."""
    spans, start = [], 0
    for line in unwrap(text).split("\n"):
        spans += [(start + a, start + b) for a, b in sentence_spans(line)]
        start += len(line) + 1
    return spans


def _full_section(doc: SourceDocument, sentence: str, cited: str) -> str:
    """The whole heading trail, title first, of the cited sentence in its document."""
    marks = trails(doc.body)
    found = [m.start() for m in re.finditer(re.escape(sentence), doc.body)]
    trails_found = [trail_at(marks, at) for at in found]
    for trail in trails_found:
        if trail.endswith(cited):
            return trail
    return trails_found[0] if trails_found else cited


@lru_cache(maxsize=4096)  # asked for each sentence read, with the same few names
def _mention_pattern(name: str) -> re.Pattern[str]:
    """The name as words, any punctuation or spacing between them, a genitive s allowed."""
    words = re.findall(r"\w+", name)
    return re.compile(r"\b" + r"\W{0,3}".join(map(re.escape, words)) + r"s?\b", re.IGNORECASE)


def _lines(body: str) -> Iterator[tuple[int, str]]:
    for start, line in flowed_lines(body):
        if line.strip() and not line.startswith("#"):
            yield start, line


def _first(
    name: str, passages: list[tuple[str, str, str]], topic: _Topic, owner: str
) -> Cell | None:
    """The sentence of the passages (doc id, section, text) that fills the cell: the strongest
    cue first, then the pipeline's order (the answer's citations, then its next best units)."""
    found: list[tuple[int, int, Cell]] = []
    for doc_id, section, text in passages:
        if doc_id not in topic.docs:
            continue
        own = topic.in_own(doc_id, section)
        doc = topic.docs[doc_id]
        # In another row's section, "Föreningens syfte ..." is that row's purpose, whatever
        # places it names.
        anothers = name in SENTENCE_CELLS and topic.in_anothers(doc_id, section)
        for a, b in _sentences(text):
            sentence = text[a:b]
            if not (own or topic.names_it(sentence)):
                continue
            value = read_value(name, sentence, owner, topic.names_given, doc.updated)
            other = name in ("role", "members") and topic.said_of_another(name, sentence)
            other = other or (anothers and _TIE_SUBJECT.match(sentence) is not None)
            if value is not None and other:
                continue
            if value is not None:
                ref = _ref(doc, _full_section(doc, sentence, section), sentence)
                rank = cue_rank(name, sentence, topic.names_given)
                found.append((rank, len(found), Cell(value=value, ref=ref)))
    if not found:
        return None
    # The strongest cue; among equals the newest document (it fills the cell where documents
    # differ), then the pipeline's order.
    best = min(f[0] for f in found)
    return max(
        (f for f in found if f[0] == best),
        key=lambda f: (f[2].ref.updated, f[2].ref.doc_id in topic.pages, -f[1]),
    )[2]


# A cue among a sentence's first words is its predicate ("Föreningen har till ändamål att",
# "UBC har som främsta målsättning"); further in, it is an aside ("grundades i Gdansk 1991 och
# upprättades i syfte att", "Den är utformad för att ... med syftet att").
PREDICATE_WORDS = 6
PURPOSE_MIN_WORDS = 5


def cue_rank(name: str, sentence: str, row_names: tuple[str, ...] = ()) -> int:
    """How strongly a sentence says the cell's kind of thing (0 strongest): the cue's strength,
    and whether the sentence says it from its first words. A sentence that defines the tie by
    what it is for ("EuropaForum är en mötesplats för politiker ...") ranks below the cue words
    of purpose and above a passing "för att"."""
    if name != "purpose":
        return 0
    *strong, passing = PURPOSE_CUES
    for i, cue in enumerate(strong):
        found = cue.search(sentence)
        if found:
            return 2 * i + int(_late(sentence, found))
    rest = _after_opening_name(sentence, row_names)
    if rest is not None and DEFINES_FOR.match(rest):
        return 2 * len(strong)
    found = passing.search(sentence)
    if found:
        return 2 * len(strong) + 1 + int(_late(sentence, found))
    return 99


def _late(sentence: str, cue: re.Match[str]) -> bool:
    return len(re.findall(r"\w+", sentence[: cue.start()])) >= PREDICATE_WORDS


def _after_opening_name(sentence: str, row_names: tuple[str, ...]) -> str | None:
    """What follows the tie's name where the sentence opens with it (a list dash or bullet
    before it allowed), or None: "SEA20 är ett nätverk ..." -> " är ett nätverk ..."."""
    opening = sentence.lstrip(" -–•*")
    for n in row_names:
        named = len(_key(n)) >= 2 and _mention_pattern(n).match(opening)
        if named:
            return opening[named.end() :]
    return None


def read_value(
    name: str,
    sentence: str,
    owner: str = "",
    row_names: tuple[str, ...] = (),
    dated: str | None = None,
) -> str | None:
    """What one sentence says for a cell, or None when it does not say it; row_names are the
    names of the tie the cell is about, dated the date of the sentence's document."""
    if name == "since":
        # "har funnits sedan 2000", "etablerades år 2000": the organisation's own start.
        m = SINCE_YEAR.search(sentence)
        if m and not FOUNDING_VERB.search(sentence[: m.start()]):
            return m.group(1)
        if JOIN_VERB.search(sentence) and not FOUNDING_VERB.search(sentence):
            year = YEAR.search(sentence)
            return year.group(1) if year else None
        # "idag ... för att underteckna ett avtal": the year of the page that says so.
        page_year = (dated or "")[:4]
        if page_year.isdigit() and TODAY.search(sentence) and SIGNING.search(sentence):
            return None if YEAR.search(sentence) else page_year
        return None
    if name == "status":
        if STATUS_HEDGE.search(sentence) or STATUS_OTHER_SUBJECT.search(sentence):
            return None
        kind = next((kind for kind, cue in STATUS_CUES if cue.search(sentence)), None)
        if kind == "active" and _row_acts(sentence, owner, row_names):
            return None
        return kind
    if sentence.rstrip().endswith(":"):
        return None  # a lead-in says nothing until its list follows
    if name == "purpose":
        # A few words ("Främjande av språklärande", one item of a list of areas) name a topic;
        # they do not say what the tie is for.
        if len(re.findall(r"\w+", sentence)) < PURPOSE_MIN_WORDS:
            return None
        return sentence.strip() if cue_rank(name, sentence, row_names) < 99 else None
    if name == "members":
        # Members are named or counted: a number, or at least two names.
        if _other_body(sentence, row_names):
            return None
        if MEMBERS_BETWEEN.search(sentence) and len(_facts(sentence)) >= 3:
            return sentence.strip()
        if not MEMBERS_CUE.search(sentence) or not (
            re.search(r"\d", sentence) or len(_facts(sentence)) >= 2
        ):
            return None
        return sentence.strip()
    said = ATTRIBUTION.sub("", sentence)  # a speaker's title is no role in the tie
    if not ROLE_CUE.search(said):
        return None
    if owner and not re.search(re.escape(owner.split()[0]), said):
        return None  # a role is the owner's own
    return sentence.strip()


def holds_now(sentence: str) -> bool:
    """The role sentence is told in the present: the owner holds it now."""
    said = ATTRIBUTION.sub("", sentence)
    return bool(ROLE_NOW.search(said)) and not ROLE_PAST.search(said)


def _row_acts(sentence: str, owner: str, row_names: tuple[str, ...]) -> bool:
    """The sentence opens with the tie's own name and says what it does ("SPR ... deltar på
    arktiska konferenser"): the organisation's doings, not the owner's tie to it."""
    if not STATUS_ACTS.search(sentence) or (owner and owner.split()[0] in sentence):
        return False
    return _after_opening_name(sentence, row_names) is not None


def _other_body(sentence: str, row_names: tuple[str, ...]) -> bool:
    """The sentence opens with another body as its subject: "Samrådsgruppen består av ..." in a
    page about an agreement. "Rådet" in a page about a council is the tie itself."""
    # A noun in its definite form opens the sentence ("Samrådsgruppen", not "Idag har").
    m = re.match(r"\W*([A-ZÅÄÖ][a-zåäö]{2,}?)(?:en|et|na)\s+(?:består|har)\b", sentence)
    if m is None or not row_names:
        return False
    stem = m.group(1).lower()
    words = {w.lower() for n in row_names for w in re.findall(r"\w{3,}", n)}
    if any(w.startswith(stem) or stem.startswith(w) for w in words):
        return False
    return not any(stem.startswith(noun) for noun in TIE_NOUNS)


def _newest(name: str, found: Cell, topic: _Topic, owner: str) -> tuple[Cell, list[Cell]]:
    """The cell from the newest document that fills it, and older values that differ."""
    found = _newest_same(name, found, topic, owner)
    others: list[Cell] = []
    if name in COMPARED:
        for doc, section, sentence in topic.sentences_elsewhere(found.ref.doc_id):
            value = read_value(name, sentence, owner, topic.names_given, doc.updated)
            if (
                value is not None
                and _differs(name, value, found.value)
                and not any(o.ref.doc_id == doc.doc_id for o in others)
            ):
                others.append(Cell(value=value, ref=_ref(doc, section, sentence)))
    newer = [o for o in others if o.ref.updated > found.ref.updated]
    if newer:
        chosen = max(newer, key=lambda o: o.ref.updated)
        rest = [o for o in others if o is not chosen] + [found]
        return chosen, [o for o in rest if _differs(name, o.value, chosen.value)]
    return found, others


def _newest_same(name: str, found: Cell, topic: _Topic, owner: str) -> Cell:
    """The same value said in a newer document of the row: the newer one is cited, as it
    fills the cell where documents differ (a plan that repeats an older web page's words)."""
    same = []
    if name not in COMPARED and isinstance(found.value, str):
        # A sentence cell: the very sentence in any newer document of the corpus, even where
        # that document files it under another heading.
        for doc in topic.docs.values():
            newer = doc.updated and found.ref.updated and doc.updated > found.ref.updated
            if newer and found.value in doc.body:
                section = _full_section(doc, found.value, "")
                same.append(Cell(value=found.value, ref=_ref(doc, section, found.value)))
    for doc, section, sentence in topic.sentences_elsewhere(found.ref.doc_id):
        if not doc.updated or not found.ref.updated or doc.updated <= found.ref.updated:
            continue
        if name in COMPARED:
            value = read_value(name, sentence, owner, topic.names_given, doc.updated)
        else:  # a sentence cell: the very sentence
            value = sentence.strip() if sentence.strip() == found.value else None
        if value is not None and not _differs(name, value, found.value):
            same.append(Cell(value=value, ref=_ref(doc, section, sentence)))
    return max(same, key=lambda c: c.ref.updated) if same else found


def _differs(name: str, a: str | list[str], b: str | list[str]) -> bool:
    if name != "members":
        return a != b
    # Members differ when they name other places or numbers, not when only the wording does.
    return _facts(str(a)) != _facts(str(b))


def _facts(text: str) -> set[str]:
    numbers = set(re.findall(r"\d+", text))
    names = {n.text for n in find_names(text) if not n.opens}  # capitals inside a sentence
    return numbers | names


def _ref(doc: SourceDocument, section: str, quote: str) -> Ref:
    return Ref(
        doc_id=doc.doc_id,
        title=doc.title,
        section=section,
        updated=doc.updated,
        quote=quote,
        url=doc.url,
    )
