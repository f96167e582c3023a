"""The deployment's identity: title, municipality, example questions and where to ask instead."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.text import fold, is_common_word, tokens
from config.settings import Settings
from ingest.swedish import BODY_KINDS

log = logging.getLogger(__name__)

SITE_FILE = "site.yaml"
# Neutral texts for a corpus without site.yaml: the page must not name another municipality.
DEFAULT_TITLE = "Fråga kommunens policydokument"
DEFAULT_MUNICIPALITY = "kommunen"
# The country every Swedish public body's documents are about without saying so.
DEFAULT_COUNTRY = "Sverige"


@dataclass(frozen=True)
class Site:
    title: str = DEFAULT_TITLE
    municipality: str = DEFAULT_MUNICIPALITY
    country: str = DEFAULT_COUNTRY
    example_questions: tuple[str, ...] = ()
    contact: str = ""


def _read_site_file(corpus_dir: Path) -> dict:
    path = corpus_dir / SITE_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        # A broken identity file must not stop the chat; the neutral texts are shown instead.
        log.warning("Could not read %s", path, exc_info=True)
        return {}
    return data if isinstance(data, dict) else {}


def load_site(settings: Settings) -> Site:
    """Settings first, then ``<corpus_dir>/site.yaml``, then the neutral defaults."""
    data = _read_site_file(Path(settings.corpus_dir))
    examples = settings.example_questions
    if examples is None:
        examples = data.get("example_questions") or []
    return Site(
        title=str(settings.site_title or data.get("title") or DEFAULT_TITLE),
        municipality=str(settings.municipality or data.get("municipality") or DEFAULT_MUNICIPALITY),
        country=str(data.get("country") or DEFAULT_COUNTRY),
        example_questions=tuple(str(q) for q in examples if str(q).strip()),
        contact=(settings.contact or str(data.get("contact") or "")).strip(),
    )


def owner_words(settings: Settings) -> frozenset[str]:
    """The words of the deployment's own name ("Krokoms kommun": krokoms, krokom) and of its
    country, which a resident adds to a question ("... i Krokom?", "... i Sverige?") though
    the documents seldom repeat them: a national agency's page says "fornlämningar", not
    "fornlämningar i Sverige"."""
    site = load_site(settings)
    out: set[str] = {fold(w) for w in tokens(site.country)}
    for low, forms in _name_words(site):
        if low not in BODY_KINDS and not is_common_word(low):
            out |= forms  # not "kommun", "region": a kind of body, not its name
    return frozenset(out)


def own_name_words(settings: Settings) -> frozenset[str]:
    """Every word of the deployment's own name, kinds of body and common words included
    ("Svenska kyrkan": svenska, kyrkan; "Region Västmanland": region, västmanland). A question
    that names the deployment ("... i Svenska kyrkans e-arkiv?") names what all its documents
    are about, though owner_words leaves these words out of the corpus's subject."""
    return frozenset(w for _, forms in _name_words(load_site(settings)) for w in forms)


def _name_words(site: Site) -> list[tuple[str, set[str]]]:
    """Each word of the deployment's name (none for the neutral default), with its forms: the
    word and its genitive's base ("Krokoms kommun" is Krokom's)."""
    if site.municipality == DEFAULT_MUNICIPALITY:
        return []
    out = []
    for word in tokens(site.municipality):
        low = fold(word)
        if len(low) >= 2:
            out.append((low, {low, low[:-1]} if low.endswith("s") and len(low) > 4 else {low}))
    return out
