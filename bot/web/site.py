"""The web chat's identity: title, municipality, example questions and where to ask instead."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from config.settings import Settings

log = logging.getLogger(__name__)

SITE_FILE = "site.yaml"
# Neutral texts for a corpus without site.yaml: the page must not name another municipality.
DEFAULT_TITLE = "Fråga kommunens policydokument"
DEFAULT_MUNICIPALITY = "kommunen"


@dataclass(frozen=True)
class Site:
    title: str = DEFAULT_TITLE
    municipality: str = DEFAULT_MUNICIPALITY
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
        example_questions=tuple(str(q) for q in examples if str(q).strip()),
        contact=(settings.contact or str(data.get("contact") or "")).strip(),
    )
