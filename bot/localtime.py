"""Timestamps shown to people: Swedish local time (Europe/Stockholm) with the date."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SWEDEN = ZoneInfo("Europe/Stockholm")
NEVER = "aldrig"


def format_local(value: object) -> str:
    """An ISO timestamp as e.g. "2026-01-15 11:30 (svensk tid)"; "aldrig" for none.

    Ingest writes UTC; a timestamp without a zone is read as UTC too, so the page and the
    command line always show the same local time.
    """
    if not value:
        return NEVER
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SWEDEN).strftime("%Y-%m-%d %H:%M") + " (svensk tid)"
