"""How values are written in the JSON Hotline hands out (API, event outbox, console payloads), once for
every app. A utility module: it imports no app."""

from datetime import date, datetime


def iso_time(value: datetime | date | None) -> str | None:
    """ISO 8601 as Python writes it (`2026-11-25T08:00:00+00:00`; a date as `2026-11-25`), or None."""
    return value.isoformat() if value is not None else None
