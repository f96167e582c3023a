"""Builds the register from the indexed corpus and stores it beside the index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from bot.register import _key, find_rows
from bot.register_cells import Ask, company_of, fill, own_companies, owner_of, owner_words
from bot.register_store import Register, register_source
from config.settings import Settings
from ingest.loaders import LoadError, SourceDocument, discover, load_file
from ingest.store import read_state

Progress = Callable[[int, int, str], None]


def build(
    documents: list[SourceDocument],
    ask: Ask,
    store_key: str = "",
    progress: Progress | None = None,
) -> Register:
    """Rows from the documents' structure and language, cells from the chat's answers."""
    docs = {d.doc_id: d for d in documents}
    # First pass without owners: the rows' own names must never be taken for an owner.
    first = find_rows(documents)
    row_keys = {_key(n) for r in first for n in r.names()}
    owners = {d.doc_id: owner_of(d, row_keys) for d in documents}
    companies = own_companies(documents)
    rows = find_rows(documents, owner_words([o for o in owners.values() if o] + list(companies)))
    entries = []
    for i, row in enumerate(rows):
        if progress:
            progress(i, len(rows), row.name)
        newest = sorted(row.sources, key=lambda s: s.updated, reverse=True)
        owner = company_of(row, companies) or next(
            (owners[s.doc_id] for s in newest if owners[s.doc_id]), ""
        )
        others = [n for r in rows if r is not row for n in r.names()]
        entries.append(fill(row, owner, ask, docs, others))
    if progress:
        progress(len(rows), len(rows), "")
    entries.sort(key=lambda e: (e.owner, e.type, e.name.casefold()))
    return Register(
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        store_key=store_key,
        rows=entries,
    )


def indexed_documents(settings: Settings) -> list[SourceDocument]:
    """The documents of the last ingest, read again from its corpus folder (files the ingest
    could not read are left out here too; it has named them)."""
    corpus = Path(read_state(settings).get("corpus_dir") or settings.corpus_dir)
    docs = []
    for path in discover(corpus):
        try:
            docs.append(load_file(path, settings.max_file_bytes))
        except LoadError:
            continue
    return docs


def rebuild_register(bot, progress: Progress | None = None) -> Register:
    """Build the register for the bot's index and store it where the web page reads it."""
    register = build(
        indexed_documents(bot.settings),
        bot.ask,
        store_key=index_key(bot.settings),
        progress=progress,
    )
    register_source(bot.settings).save(register)
    return register


def index_key(settings: Settings) -> str:
    """The generation of the index as it is now: the ingest state's, or with a Chroma server
    the one recorded in its collection (an ingest on another machine changes that one)."""
    if settings.chroma_host:
        from ingest.store import current_generation, make_client

        return str(current_generation(make_client(settings), settings.collection_name) or "")
    return str(read_state(settings).get("generation", ""))


def stored(settings: Settings) -> Register | None:
    """The stored register if it was built from the index as it is now; reads a small file
    (or one record of the Chroma server) and loads no model, so the web page and a warm
    `policybot register` open it at once."""
    register = register_source(settings).load()
    return register if register is not None and register.store_key == index_key(settings) else None
