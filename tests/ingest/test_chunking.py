"""Structure-aware chunking on the real corpus and on small inputs."""

from __future__ import annotations

from ingest.chunking import build_units_and_chunks, flowed_lines, split_sentences, to_documents
from ingest.loaders import SourceDocument, discover, load_file


def _real_docs():
    from config.settings import DEFAULT_CORPUS

    return {d.doc_id: d for d in map(load_file, discover(DEFAULT_CORPUS))}


def _units(doc: SourceDocument):
    return [d for d in to_documents(doc) if d.metadata["level"] == "unit"]


def test_twin_town_list_stays_with_its_lead_in() -> None:
    plan = _real_docs()["plan-internationellt-arbete"]
    units = [u for u in _units(plan) if "Luleå har sex vänorter:" in u.page_content]
    assert len(units) == 1
    text = units[0].page_content
    for town in [
        "Kemi",
        "Tromsø",
        "Murmansk",
        "Santa Lucia de Tirajana",
        "Puerto Cabezas",
        "Zenica",
    ]:
        assert town in text
    assert units[0].metadata["is_list"] is True
    assert units[0].metadata["section"] == "Vänorter"


def test_every_span_is_verbatim_and_carries_metadata() -> None:
    for doc in _real_docs().values():
        for d in to_documents(doc):
            m = d.metadata
            verbatim = doc.body[m["start"] : m["end"]]
            assert d.page_content[m["prefix_len"] :] == verbatim
            assert m["doc_id"] == doc.doc_id and m["title"] == doc.title
            assert m["updated"] == doc.updated
            assert m["section"]


def test_section_path_is_the_heading_trail() -> None:
    plan = _real_docs()["plan-internationellt-arbete"]
    sections = {u.metadata["section"] for u in _units(plan)}
    assert "Europa > Union of the Baltic Cities" in sections


def test_page_furniture_is_flagged() -> None:
    page = _real_docs()["internationella-organisationer"]
    flagged = [u.page_content for u in _units(page) if u.metadata["furniture"]]
    assert any("Länk till annan webbplats" in t for t in flagged)
    assert any("logotype" in t for t in flagged)
    assert not any("Luleå kommun är medlem i Arctic Mayors Forum." in t for t in flagged)


def test_sentences_do_not_break_at_abbreviations() -> None:
    body = 'Luleå kommun var en s.k. "first-wave signatory". Det var 2020.'
    spans = split_sentences(body, 0, len(body))
    assert [body[s:e] for s, e in spans] == [
        'Luleå kommun var en s.k. "first-wave signatory".',
        "Det var 2020.",
    ]


def test_long_paragraphs_split_into_bounded_chunks() -> None:
    body = "# T\n\n" + " ".join(f"Mening nummer {i} handlar om något." for i in range(60))
    chunks = build_units_and_chunks(body, max_chars=300)
    assert len(chunks) > 1
    assert all(c.end - c.start <= 300 for c in chunks)


def _unit_texts(body: str) -> list[str]:
    return [body[u.start : u.end] for c in build_units_and_chunks(body) for u in c.units]


def test_sentences_do_not_break_at_legal_references_or_swedish_abbreviations() -> None:
    body = (
        "Enligt 10 kap. 2a § OSL ska bl.a. uppgifter skyddas, t.ex. journaler. "
        "Det gäller ca. 300 st. system. Nej. Av kostnadsskäl räcker det."
    )
    assert [body[s:e] for s, e in split_sentences(body, 0, len(body))] == [
        "Enligt 10 kap. 2a § OSL ska bl.a. uppgifter skyddas, t.ex. journaler.",
        "Det gäller ca. 300 st. system.",
        "Nej.",
        "Av kostnadsskäl räcker det.",
    ]


def test_a_list_belongs_to_the_sentence_before_it_whatever_its_punctuation() -> None:
    for lead in ("utifrån fyra aspekter.", "bland annat att;", "följande:"):
        body = f"# T\n\n## A\n\nInformationen skyddas {lead}\n\n- Ett\n- Två\n"
        units = [u for c in build_units_and_chunks(body) for u in c.units]
        assert len(units) == 1 and units[0].is_list
        assert body[units[0].start : units[0].end].startswith("Informationen skyddas")


def test_a_loose_list_is_one_list_with_its_lead_in() -> None:
    """Items spaced apart by blank lines (common in pages converted from HTML) are still one
    list, as in Markdown; a paragraph after a blank line ends it."""
    body = (
        "# T\n\n## A\n\nLänsstyrelsens uppgifter är att\n\n- utreda\n\n- sköta tillsyn\n\n"
        "- ge råd\n\nKommunen beslutar om bygglov.\n"
    )
    units = [u for c in build_units_and_chunks(body) for u in c.units]
    listed = [body[u.start : u.end] for u in units if u.is_list]
    assert len(listed) == 1
    assert listed[0].startswith("Länsstyrelsens uppgifter") and listed[0].endswith("- ge råd")
    assert body[units[-1].start : units[-1].end] == "Kommunen beslutar om bygglov."


def test_a_list_right_after_a_heading_is_introduced_by_the_heading() -> None:
    body = "# T\n\n## Vilka handlingar behövs?\n\n- Situationsplan\n- Fasadritning\n"
    (unit,) = [u for c in build_units_and_chunks(body) for u in c.units]
    assert unit.is_list and unit.intro == "Vilka handlingar behövs?"


def test_a_read_more_pointer_does_not_swallow_the_list() -> None:
    body = "# T\n\n## H\n\nRitningar krävs. Läs mer om krav.\n\n- Situationsplan\n- Fasadritning\n"
    units = [u for c in build_units_and_chunks(body) for u in c.units]
    listed = [u for u in units if u.is_list]
    assert len(listed) == 1 and not listed[0].furniture
    assert body[listed[0].start : listed[0].end].startswith("- Situationsplan")


def test_units_know_their_footnotes_neighbours_and_introduction() -> None:
    body = (
        "# T\n\n## Mål\n\nTre av tio är nöjda[^1]. Staden har 52 000 invånare.\n\n"
        "[^1]: SIFO-undersökning 2020.\n"
    )
    units = [u for c in build_units_and_chunks(body) for u in c.units]
    first, second, note = units
    assert first.footnote_text == "SIFO-undersökning 2020."
    assert first.intro == "Mål" and second.intro == body[first.start : first.end]
    assert first.block == second.block != note.block
    assert note.footnote == "1"


def test_a_bold_line_heads_what_follows_it() -> None:
    body = (
        "# T\n\n### Bidrag\n\n**Får vi bidra uppströms?**\n\nJa. Se listan.\n\n"
        "**Ska alla vara med i ett team?**\n\nNej.\n"
    )
    units = [u for c in build_units_and_chunks(body) for u in c.units]
    assert [body[u.start : u.end] for u in units] == ["Ja.", "Se listan.", "Nej."]
    assert units[0].section == "Bidrag > Får vi bidra uppströms?"
    assert units[2].section == "Bidrag > Ska alla vara med i ett team?"  # a sibling, not nested


def test_a_hard_wrapped_sentence_is_one_sentence() -> None:
    body = (
        "Vilka nivåer som publiceras styrs av kolumnen `x` i\n"
        "tabellen `nivaer` — standard är `sk0`.\n"
        "Tjänsten heter\n"
        "**Hex Listener**.\n"
        "**Typ** - materialtyp\n"
        "**Ämne** - ord som posten beskrivs med\n"
        "**Medverkan** - personer\n"
    )
    got = [body[s:e] for s, e in split_sentences(body, 0, len(body))]
    assert got[0] == (
        "Vilka nivåer som publiceras styrs av kolumnen `x` i\n"
        "tabellen `nivaer` — standard är `sk0`."
    )
    assert got[1] == "Tjänsten heter\n**Hex Listener**."
    # Lines that each stand alone stay apart, even when one ends with a particle.
    assert got[2:] == [
        "**Typ** - materialtyp",
        "**Ämne** - ord som posten beskrivs med",
        "**Medverkan** - personer",
    ]


def test_a_long_line_wrapped_before_a_name_is_one_sentence() -> None:
    wrapped = (
        "För de myndigheter som använder fler lokaler får redovisningen, efter dialog med\n"
        "Energimyndigheten, begränsas till ett urval av dessa."
    )
    # A short unpunctuated line after a long one is a heading; a line ending in a URL a row.
    apart = [
        "Vi har utgått från verksamhetsområdets fokus och resultatindikatorer",
        "Bästa utveckling för alla",
        "Arkiv och samlingar finns på https://example.se/collection/amnesomrade",
        "Brott och straff finns på https://example.se/collection/brott-och-straff",
    ]
    body = "\n".join([wrapped, *apart]) + "\n"
    assert [body[s:e] for s, e in split_sentences(body, 0, len(body))] == [wrapped, *apart]


def test_a_chunk_is_retrieved_by_its_documents_title_too() -> None:
    doc = SourceDocument(
        "riktlinje",
        "Riktlinje för kakor",
        "2024-01-01",
        "dokument",
        None,
        "# Riktlinje för kakor\n\nInledning.\n\n## Samtycke\n\nKakor kräver samtycke.\n",
        "",
    )
    chunks = [d for d in to_documents(doc) if d.metadata["level"] == "chunk"]
    # The title is said once, also where the document's first heading repeats it.
    assert chunks[0].page_content.startswith("Riktlinje för kakor\nInledning.")
    consent = next(c for c in chunks if "samtycke" in c.page_content)
    assert consent.page_content.startswith("Riktlinje för kakor > Samtycke\n")


def test_a_table_of_contents_is_furniture() -> None:
    body = (
        "# Verktyget\n\n## Hoppa till sektion\n\n- [Hur det funkar](#hur-det-funkar)\n"
        "- Installera verktyget\n- Starta verktyget\n\n## Hur det funkar\n\nDet läser text.\n\n"
        "## Installera verktyget\n\nKör skriptet.\n\n## Starta verktyget\n\n"
        "Steg:\n\n- Öppna terminalen\n- Kör start\n- Vänta\n"
    )
    doc = SourceDocument("v", "Verktyget", "2024-01-01", "dokument", None, body, "")
    lists = {
        u.page_content.split("\n")[-1]: u.metadata["furniture"]
        for u in _units(doc)
        if u.metadata["is_list"]
    }
    assert lists == {"- Starta verktyget": True, "- Vänta": False}


def test_flowed_lines_join_soft_breaks_but_never_headings_or_list_items() -> None:
    body = (
        "# Rubrik\nvilket fortsätter\n\nEn mening som\nfortsätter här.\n- punkt ett\n- punkt två\n"
    )
    lines = flowed_lines(body)
    assert [text for _, text in lines] == [
        "# Rubrik",
        "vilket fortsätter",
        "",
        "En mening som\nfortsätter här.",
        "- punkt ett",
        "- punkt två",
        "",
    ]
    assert all(body[start : start + len(text)] == text for start, text in lines)
