"""The register's rows: the organisations, networks, agreements and twin towns a corpus names.

Rows are found from document structure and language, never from a list of names: a heading
that is a name, in a section about the body's ties to others (ingest.swedish.REGISTER_CUE),
and the items of a list its lead-in introduces as twin towns or members. The same tie named in
several documents becomes one row with every source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.text import find_names, zipf
from ingest.chunking import SECTION_SEPARATOR, flowed_lines
from ingest.headings import HEADING, trail_at, trails
from ingest.loaders import SourceDocument
from ingest.swedish import (
    HEADING_TOPIC,
    NOT_A_MEMBERSHIP,
    NOT_A_TIE,
    REGISTER_CUE,
    REGISTER_LEAD,
    REGISTER_TYPES,
    TIE_IN_TEXT,
    TIE_WISH,
    TITLE_TIE,
)
from ingest.text_split import sentence_spans
from ingest.textnorm import fold

# A word this rare in Swedish (wordfreq's Zipf scale) is a name when it is capitalised.
RARE = 3.0
# How much of a section's opening says what kind of tie it is.
OPENING_CHARS = 300
_TOKEN = re.compile(r"[^\W_][\w'´’-]*")
_LEAD_IN_LIST = re.compile(
    r"^([^\n]*:)[ \t]*\n(?:[ \t]*\n)?((?:[ \t]*[-*][ \t]+[^\n]+\n?)+)", re.MULTILINE
)
_ITEM = re.compile(r"^[ \t]*[-*][ \t]+([^\n]+)", re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """Where a row is named: the document, its heading trail, and the verbatim words."""

    doc_id: str
    updated: str
    section: str
    quote: str


@dataclass
class Row:
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


def find_rows(documents: list[SourceDocument], owner: frozenset[str] = frozenset()) -> list[Row]:
    """Every tie the documents name, merged across documents; owner holds the lower-cased words
    of the body's own name, which never make a heading a name by themselves."""
    found: list[Row] = []
    for doc in documents:
        found += _heading_rows(doc, owner) + _list_rows(doc) + _text_rows(doc, owner)
        found += _title_rows(doc)
    for row in found:  # before merging: a spelt-out name can join two rows into one
        _spell_out(row, documents)
    rows = _merge(found)
    for row in rows:
        _add_own_pages(row, documents)
        # A kind word in one of its own names says best what it is ("Samiskt Parlamentariskt
        # Råd" for the row found as "SPR").
        named = next((k for k in map(tie_type, row.names()) if k), None)
        if named and row.type != "twin town":
            row.type = named
    return rows


def _spell_out(row: Row, documents: list[SourceDocument]) -> None:
    """An acronym's full name where a document spells it out, as an alias: the row "SPR" is
    also "Samiskt Parlamentariskt Råd" when a page writes "Samiskt Parlamentariskt Råd (SPR)"."""
    for acronym in [n for n in row.names() if _is_acronym(n)]:
        before = re.compile(r"((?:[^\W\d_][\w'´’-]*\s+){1,8})\(" + re.escape(acronym) + r"\)")
        for doc in documents:
            for m in before.finditer(doc.body):
                full = _spelt(m.group(1).split(), acronym)
                if full and all(_key(full) != _key(n) for n in row.names()):
                    row.aliases.append(full)


def _is_acronym(name: str) -> bool:
    return 2 <= len(name) <= 6 and name.isupper() and name.isalpha() and zipf(name.lower()) < RARE


def _spelt(words: list[str], acronym: str) -> str | None:
    """The shortest run of the last words whose initials (and inner letters) spell the acronym:
    "... genom Samiskt Parlamentariskt Råd" and "SPR" -> "Samiskt Parlamentariskt Råd"."""
    for k in range(1, len(words) + 1):
        run = words[-k:]
        if run[0][:1].isupper() and _spells(run, acronym.upper()):
            return " ".join(run)
    return None


def _spells(words: list[str], letters: str) -> bool:
    """Each word gives its initial and perhaps more of its letters, in order; a short
    lower-case word ("of", "för") may give none."""
    if not words:
        return not letters
    word, rest = words[0], words[1:]
    if letters and word[0].upper() == letters[0]:
        for n in range(1, len(letters) + 1):
            if _subsequence(letters[1:n], word[1:].upper()) and _spells(rest, letters[n:]):
                return True
    return word.islower() and len(word) <= 3 and _spells(rest, letters)


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _add_own_pages(row: Row, documents: list[SourceDocument]) -> None:
    """A document titled with the row's name is the row's own page, a source of it throughout
    (its sentences about "rådet" or "samarbetet" need not repeat the name)."""
    keys = {_key(n) for n in row.names()}
    for doc in documents:
        title = _title(doc)
        name, aliases = split_name(title)
        named = any(_key(n) in keys for n in [name, *aliases])
        if named and not any(s.doc_id == doc.doc_id and s.section == title for s in row.sources):
            row.sources.append(Source(doc.doc_id, doc.updated, title, title))


def _heading_rows(doc: SourceDocument, owner: frozenset[str]) -> list[Row]:
    out = []
    marks = trails(doc.body)
    # Words the document capitalises inside a sentence: its proper names ("med Uleåborg").
    # Headings are left out: their words are capitalised as titles, not as names.
    prose = HEADING.sub("", doc.body)
    proper = {n.text for n in find_names(prose) if not n.opens}
    for i, (start, level, trail) in enumerate(marks):
        parts = trail.split(SECTION_SEPARATOR)
        if level < 2 or len(parts) < 2:
            continue  # the title names the document, not a tie
        heading = parts[-1]
        end = marks[i + 1][0] if i + 1 < len(marks) else len(doc.body)
        text = doc.body[start:end]
        parent = SECTION_SEPARATOR.join(parts[:-1])
        name, aliases = split_name(heading)
        if HEADING_TOPIC.match(name):
            continue
        # A heading over several named sub-sections groups ties ("Europa" over "SERN",
        # "Union of the Baltic Cities", ...); it is a category, not one of them.
        children = [
            t.split(SECTION_SEPARATOR)[-1]
            for _, _, t in marks[i + 1 :]
            if t.startswith(trail + SECTION_SEPARATOR) and t.count(SECTION_SEPARATOR) == len(parts)
        ]
        if sum(is_name(split_name(c)[0], owner, proper) for c in children) >= 2:
            continue
        if not is_name(name, owner, proper) or not (
            REGISTER_CUE.search(parent) or REGISTER_CUE.search(_opening(text)) or tie_type(heading)
        ):
            continue
        kind = tie_type(heading) or context_type(text[:OPENING_CHARS]) or context_type(parent)
        out.append(
            Row(
                name,
                kind or "partnership",
                aliases,
                [Source(doc.doc_id, doc.updated, trail, heading)],
            )
        )
    return out


def _opening(text: str) -> str:
    """A section's first two sentences after its heading: where it says what it is about
    ("X är ett nätverk för ...", "Kommunen är medlem i X"); a cue word further down is about
    something else (a service's "i samarbete med", "organisationer" it serves)."""
    body = text.split("\n", 1)[1] if "\n" in text else ""
    lines = [line for line in body.split("\n") if line.strip() and not line.startswith("#")]
    first = lines[0] if lines else ""
    spans = sentence_spans(first)[:2]
    return first[: spans[-1][1]] if spans else first


def _list_rows(doc: SourceDocument) -> list[Row]:
    """Twin towns listed after a lead-in that introduces them ("Luleå har sex vänorter:")."""
    out = []
    marks = trails(doc.body)
    for m in _LEAD_IN_LIST.finditer(doc.body):
        lead_in = m.group(1)
        if tie_type(lead_in) != "twin town":
            continue
        section = trail_at(marks, m.start())
        for item in _ITEM.findall(m.group(2)):
            name = re.split(r"[,(–]| - ", item, maxsplit=1)[0].strip(" *_.")
            if name[:1].isupper():  # a place, not a clause ("- delta i EU-projekt")
                out.append(
                    Row(
                        name,
                        "twin town",
                        [],
                        [Source(doc.doc_id, doc.updated, section, item.strip())],
                    )
                )
    return out


def _title(doc: SourceDocument) -> str:
    """The document's title as its body gives it (its level-1 heading), else its metadata's."""
    marks = trails(doc.body)
    return marks[0][2] if marks and marks[0][1] == 1 else doc.title


def _title_rows(doc: SourceDocument) -> list[Row]:
    """A document whose title announces an agreement is about that agreement."""
    title = _title(doc)
    m = TITLE_TIE.match(title.strip())
    if m is None:
        return []
    name = m.group(1).strip(" .:")
    name = name[0].upper() + name[1:]
    return [Row(name, "agreement", [], [Source(doc.doc_id, doc.updated, title, title)])]


def _text_rows(doc: SourceDocument, owner: frozenset[str]) -> list[Row]:
    """Ties a sentence states: "LBR är medlem i Swedish Network of Convention Bureaus
    (SNCVB)", "har avslutat sitt samarbete med Kina", "deltar i nätverket SEA20"."""
    out = []
    marks = trails(doc.body)
    prose = HEADING.sub("", doc.body)
    proper = {n.text for n in find_names(prose) if not n.opens}
    for at, line in flowed_lines(doc.body):
        if line.startswith("#") or not line.strip():
            continue
        flat = line.replace("\n", " ")  # a hard-wrapped sentence read whole, same offsets
        for a, b in sentence_spans(flat):
            sentence, said = line[a:b], flat[a:b]  # the verbatim words, and as read
            for m in TIE_IN_TEXT.finditer(said):
                if m.group("kind") and NOT_A_TIE.match(m.group("kind")):
                    continue
                if TIE_WISH.search(said[: m.start()]):
                    continue
                named = _name_at(said, m.end())
                if named is None:
                    continue
                name, aliases = named
                if not is_name(name, owner, proper) or _key(name) in {_key(w) for w in owner}:
                    continue
                if _others_tie(said, m, owner):
                    continue
                kind = _text_kind(m, said)
                section = trail_at(marks, at + a)
                out.append(
                    Row(name, kind, aliases, [Source(doc.doc_id, doc.updated, section, sentence)])
                )
    return out


def _others_tie(sentence: str, m: re.Match[str], owner: frozenset[str]) -> bool:
    """The tie is another body's: a name other than the owner's is the subject right before
    the words ("Bothnian Arc är medlem i AEBR"), or the owner is among the partners named
    after them ("samarbetet med Arvidsjaur, Älvsbyn och Luleå kommun")."""
    # The partners named, up to a clause that says something else about them ("... (SNCVB)
    # som ... marknadsför Luleå"): the owner named there is no partner.
    partners = re.split(r"\b(?:som|för att|där|vilket|när)\b", sentence[m.end() :])[0]
    words_after = {w.lower() for w in _TOKEN.findall(partners)}
    if owner and words_after & owner:
        return True
    if m.group("partner") and NOT_A_TIE.search(sentence):
        return True  # working together within a project is the project, not a standing tie
    taking_part = m.group("member") and m.group(0).lower().startswith("deltar")
    if taking_part and NOT_A_MEMBERSHIP.search(partners):
        return True  # taking part in an evaluation or a course, not in a network "som" has one
    if not m.group("member"):
        return False
    before = find_names(sentence[: m.start()].rstrip(), runs=True)
    if before and before[0].start == 0 and owner:
        # The sentence opens with its subject: "Bothnian Arc rf, tillsammans med ..., är
        # medlem i AEBR" is the association's membership.
        return not {w.lower() for w in _TOKEN.findall(before[0].text)} & owner
    if not before or before[-1].start + len(before[-1].text) < len(sentence[: m.start()].rstrip()):
        return False  # no name right before: "Kommunen är medlem i", "och är medlem i"
    subject = {w.lower() for w in _TOKEN.findall(before[-1].text)}
    return bool(owner) and not subject & owner


def _name_at(sentence: str, at: int) -> tuple[str, list[str]] | None:
    """The capitalised name that starts at `at`, and an acronym in parentheses after it."""
    names = find_names(sentence[at:], runs=True)
    if not names or names[0].start != 0:
        return None
    name = names[0].text.strip(" .,:;")
    after = sentence[at + len(names[0].text) :]
    body = re.match(r"\s+(?:stad|kommun|region|universitet|högskola)\b", after)
    if body:  # "Helsingborgs stad": the place names the body only with its kind word
        name, after = name + body.group(), after[body.end() :]
    acronym = re.match(r"\s*\(([A-ZÅÄÖ][\w-]{1,10})\)", after)
    return name, [acronym.group(1)] if acronym else []


def _text_kind(m: re.Match[str], sentence: str) -> str:
    if m.group("twin"):
        return "twin town"
    if m.group("agreement"):
        return "agreement"
    if m.group("partner"):
        return "partnership"
    return tie_type(m.group("kind") or "") or tie_type(sentence) or "organisation"


def is_name(
    heading: str, owner: frozenset[str] = frozenset(), proper: set[str] | frozenset = frozenset()
) -> bool:
    """A heading that names something ("Arctic Mayors' Forum", "Uleåborg", "SEA20") rather than
    a topic ("Arktiskt samarbete", "Aktivitetsplan och ansvar", "Vänorter"). proper holds the
    words its document capitalises inside sentences, which are names however common."""
    tokens = _TOKEN.findall(heading)
    if len(tokens) > 2 and all(t.isupper() for t in tokens):
        # A heading in capitals shouts; read it as if it were written normally.
        tokens = _TOKEN.findall(heading.lower().capitalize())
    words = [t for t in tokens if t.lower() not in owner]
    for i, tok in enumerate(words):
        if REGISTER_CUE.match(tok):
            continue  # "Vänorter", "Nätverket": what kind of thing, not which
        if 2 <= len(tok) <= 6 and tok.isupper() and zipf(tok.lower()) < RARE:
            return True  # an acronym: SERN, ANEA, SEA20 (not a word in capitals: FAKTA)
        if not tok[0].isupper():
            continue
        if tok in proper and (i or len(tokens) == 1):
            return True
        if zipf(tok.lower()) >= RARE + (1.0 if i else 0.0):
            continue
        # A rare capitalised word names something, unless it only opens a phrase of ordinary
        # lower-case words ("Aktivitetsplan och ansvar").
        if i or len(tokens) == 1 or _capitalised_next(tokens, tok):
            return True
    return False


def _capitalised_next(tokens: list[str], tok: str) -> bool:
    j = tokens.index(tok) + 1
    return j < len(tokens) and tokens[j][0].isupper()


def split_name(heading: str) -> tuple[str, list[str]]:
    """The name a heading gives, and the other names it gives in parentheses or after a dash:
    "Barents Road Internationella förening (Barents Väg)" -> name, ["Barents Väg"]."""
    aliases = [a.strip() for a in re.findall(r"\(([^)]+)\)", heading)]
    if "/" in heading:  # "Europeisk volontärtjänst/ANEA": two names for one section
        aliases += [p.strip() for p in re.sub(r"\([^)]*\)", "", heading).split("/")]
    name = re.sub(r"\s*\([^)]*\)", "", heading)
    name = re.split(r"\s+[-–]\s+", name, maxsplit=1)[0].strip(" .:")
    name = REGISTER_LEAD.sub("", name)
    # "Nätverket SEA20": a leading word that says what kind of thing it is, is no part of it.
    kind_word = re.match(r"(\S+)\s+(?=\S)", name)
    rest = name[kind_word.end() :] if kind_word else ""
    if kind_word and REGISTER_CUE.match(kind_word.group(1)) and " " not in rest and is_name(rest):
        name = name[kind_word.end() :]
    return name, [a for a in aliases if a and a != name]


def context_type(text: str) -> str | None:
    """The kind of tie the words around a name say, leaving out kind words that belong to other
    names: "via Barents Road Internationella föreningen" or a parent heading listing "Arctic
    Mayors´ Forum" says nothing of what Bodö is; "Luleås vänort" does."""
    for kind, pattern in REGISTER_TYPES:
        for m in pattern.finditer(text):
            before = re.findall(r"[\w´'’-]+|[.!?:(/,]", text[: m.start()])
            # A capitalised word before it makes it part of a name, unless that word is a
            # genitive ("Luleås vänort").
            in_name = len(before) > 1 and before[-1][:1].isupper() and before[-1][-1] != "s"
            if not in_name:
                return kind
    return None


def tie_type(text: str) -> str | None:
    for kind, pattern in REGISTER_TYPES:
        if pattern.search(text):
            return kind
    return None


def _key(name: str) -> str:
    return re.sub(r"[^\w]|_", "", fold(name))


def _same(a: Row, b: Row) -> bool:
    return same_names(a.names(), b.names())


def same_names(a: list[str], b: list[str]) -> bool:
    """Two lists of names name the same tie: one name is the other's, or its first words
    ("Bottenviksbågen" and "Bottenviksbågen Bothnian Arc rf", not "Europa" and "EuropaForum")."""
    words_a, words_b = [_words(n) for n in a], [_words(n) for n in b]
    return any(x and y and (x[: len(y)] == y or y[: len(x)] == x) for x in words_a for y in words_b)


def _words(name: str) -> tuple[str, ...]:
    return tuple(_key(w) for w in re.findall(r"\w+", name))


def _merge(rows: list[Row]) -> list[Row]:
    """One row per tie; the newest document's name leads, the others become aliases."""
    merged: list[Row] = []
    for row in rows:
        same = next((m for m in merged if _same(m, row)), None)
        if same is None:
            merged.append(row)
            continue
        # Only a strictly newer document renames a row: within one document the first name
        # found (a heading before a sentence that abbreviates it) leads.
        newer = row.sources[0].updated > max(s.updated for s in same.sources)
        names = (
            [row.name, *row.aliases, same.name, *same.aliases]
            if newer
            else [same.name, *same.aliases, row.name, *row.aliases]
        )
        same.name = names[0]
        same.aliases = [n for n in dict.fromkeys(names[1:]) if _key(n) != _key(same.name)]
        same.sources.append(row.sources[0])
        if same.type == "partnership" and row.type != "partnership":
            same.type = row.type
    return merged
