"""HTML for the web chat, from the Jinja2 templates in templates/ (autoescaped).

Everything shown comes from two places we do not control, the question and the documents;
templates escape every value, so neither can inject markup, run script or load an image.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.compose import ABSTAIN_TEXT
from bot.localtime import format_local
from bot.site import Site
from bot.web import markup, sources

ENV = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
KIND_NAMES = {"plan": "Plan", "webbsida": "Webbsida", "dokument": "Dokument"}


def _render(template: str, **values: Any) -> str:
    return ENV.get_template(template).render(**values).strip()


def answer_data(answer: Any) -> dict:
    """An Answer (or its dict) as a plain dict, keeping the reason of an abstention."""
    data = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)
    data.setdefault("abstain_code", getattr(answer, "abstain_code", ""))
    data["citations"] = [
        asdict(c) if is_dataclass(c) else dict(c) for c in data.get("citations") or []
    ]
    return data


def _squash(text: str) -> str:
    return " ".join(str(text or "").split())


def _card(c: Mapping, answer_text: str, index: int | None) -> dict:
    """A source card; its quote is left out when the answer already shows all of it."""
    quote = str(c.get("quote") or "")
    shown = bool(_squash(quote)) and _squash(quote) in _squash(answer_text)
    return {
        "n": c.get("n", ""),
        "title": c.get("title") or sources.UNTITLED,
        "short": sources.short_section(c.get("section")),
        "trail": sources.format_section(c.get("section")),
        "updated": c.get("updated") or "",
        "quote": None if shown else markup.blocks(quote),
        "url": markup.safe_url(c.get("url")),
        "index": index,
    }


def _abstention(text: str) -> tuple[str, str]:
    """(what is shown as the answer, the closest-section hint or ""). The answerer names the
    closest section only when the documents cover the topic (compose.CLOSE_CODES)."""
    if not text.startswith(ABSTAIN_TEXT):
        return text, ""
    return ABSTAIN_TEXT, text[len(ABSTAIN_TEXT) :].strip()


def answer_view(
    answer: Any, shown: str | None = None, contact: str = "", key: str = "pb-a", index=None
) -> dict:
    """What answer.j2 needs; ``shown`` is the part streamed so far (cards come at the end)."""
    data = answer_data(answer)
    done = shown is None
    text = str(data.get("answer") or "")
    hint = ""
    if data.get("abstained"):
        text, hint = _abstention(text)
    visible = text if done else shown
    return {
        "key": key,
        "done": done,
        "abstained": bool(data.get("abstained")),
        # Residents are told when a language model wrote the text (each sentence verified).
        "generated": data.get("answerer") == "generative",
        "blocks": markup.blocks(visible, refs=True),
        "hint": hint,
        "contact": markup.blocks(contact)[0].lines[0] if contact.strip() else None,
        "cards": [_card(c, text, index) for c in data["citations"]],
    }


def render_answer(answer: Any, shown: str | None = None, contact: str = "") -> str:
    return _render("answer.j2", a=answer_view(answer, shown, contact))


def render_conversation(turns: list[dict], contact: str = "") -> str:
    """Every turn: the question, then a placeholder, an error or the (partial) answer."""
    views = []
    for i, turn in enumerate(turns):
        key = f"pb-t{i}"
        view = {**turn, "key": key, "busy": turn["state"] in ("pending", "streaming")}
        if "answer" in turn:
            shown = turn.get("shown") if turn["state"] == "streaming" else None
            view["answer"] = answer_view(turn["answer"], shown, contact, key, index=i)
        views.append(view)
    return _render("conversation.j2", turns=views)


def render_notice(message: str, kind: str = "error") -> str:
    return _render("notice.j2", message=message, kind=kind)


def render_announcement(text: str) -> str:
    return _render("announce.j2", text=markup.plain(text))


def render_header(site: Site) -> str:
    return _render("header.j2", site=site)


def render_status(status: Mapping | None) -> str:
    """The index's status line; ``None`` while the page is still fetching it, so the page
    never claims an empty index before it knows."""
    if status is None:
        return _render("status.j2", s=None)
    values = {
        "documents": status.get("documents", 0),
        "chunks": status.get("chunks", 0),
        "when": format_local(status.get("last_ingest")),
    }
    return _render("status.j2", s=values)


def render_document(
    docs: Mapping[str, Mapping],
    doc_id: str | None,
    section: str | None = None,
    passage: tuple[str, int, int] | None = None,
) -> str:
    """One document (or one section), grouped by section; ``passage`` (chunk id, start, end)
    is highlighted and can take focus, so a card's link lands on it."""
    entry = docs.get(doc_id or "")
    if not entry:
        return _render("document.j2", doc=None)
    groups: list[dict] = []
    chunks = sources.chunks_in(entry, section)
    for rec in chunks:
        trail = sources.format_section(rec.meta.get("section", ""))
        if not groups or groups[-1]["trail"] != trail:
            groups.append({"trail": trail, "chunks": []})
        hit = passage is not None and passage[0] == rec.id
        marks = [(passage[1], passage[2])] if hit else []
        groups[-1]["chunks"].append({"blocks": markup.blocks(rec.text, marks), "passage": hit})
    kind = entry.get("kind") or ""
    doc = {
        "title": entry.get("title") or sources.UNTITLED,
        "kind": KIND_NAMES.get(kind, kind),
        "updated": entry.get("updated") or "",
        "url": markup.safe_url(entry.get("url")),
        "count": len(chunks),
        "sections": groups,
    }
    return _render("document.j2", doc=doc)


def render_search(docs: Mapping[str, Mapping], query: str) -> str:
    """Search hits with every word highlighted (matched in the raw text, then escaped)."""
    result = sources.search(docs, query)
    hits = []
    for entry, rec in result.hits:
        section = sources.format_section(rec.meta.get("section", ""))
        hits.append(
            {
                "title": entry.get("title") or "",
                "updated": entry.get("updated") or "",
                "section": markup.inline(section, sources.term_spans(section, result.terms)),
                "blocks": markup.blocks(rec.text, sources.term_spans(rec.text, result.terms)),
            }
        )
    view = {
        "problem": result.problem,
        "query": result.query,
        "total": result.total,
        "hits": hits,
    }
    return _render("search.j2", r=view)


def render_gaps(groups: list, docs: Mapping[str, Mapping], period: str) -> str:
    """The "Obesvarade frågor" table: one row per closest section, with counts only (the
    page is public; the questions themselves are for ``policybot gaps``)."""
    rows = [
        {
            "label": g.label,
            "title": (docs.get(g.doc_id) or {}).get("title") or g.doc_id or "–",
            "abstained": g.abstained,
            "disliked": g.disliked,
            "count": g.count,
        }
        for g in groups
    ]
    view = {"groups": rows, "period": period, "total": sum(r["count"] for r in rows)}
    return _render("gaps.j2", g=view)


def render_register(view: Mapping) -> str:
    """The "Medlemskap och vänorter" table (bot/web/register.py builds the view)."""
    return _render("register.j2", r=view)
