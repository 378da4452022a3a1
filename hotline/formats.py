"""How values are written in the JSON Hotline hands out (API, event outbox, console payloads) and in its
CSV downloads, and how times are read from it, once for every app. A utility module: it imports no app."""

from datetime import date, datetime

from django.utils.dateparse import parse_datetime

# What a client is told when a time it sends has no offset (a naive time would be read as server time).
OFFSET_REQUIRED = "A time is given in RFC 3339 with its offset, e.g. 2026-12-01T08:00:00Z."


def is_naive_time(value) -> bool:
    """Is this a time without an offset (a naive datetime, or text that parses to one)? Text that is no
    time at all is not naive: the field's own parsing refuses it."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value.strip())
        except ValueError:  # well-formed but impossible, e.g. 30 February
            return False
    return isinstance(value, datetime) and value.tzinfo is None


def iso_time(value: datetime | date | None) -> str | None:
    """ISO 8601 as Python writes it (`2026-11-25T08:00:00+00:00`; a date as `2026-11-25`), or None."""
    return value.isoformat() if value is not None else None


def zone_label() -> str:
    """The current zone as a form label names it: its abbreviations in winter and summer ("CET/CEST"), so
    that a time typed for July is not labelled with January's; never the zone's city (it may be another
    party's capital)."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    year = timezone.now().year
    names = dict.fromkeys(datetime(year, month, 1, 12, tzinfo=zone).tzname() or "" for month in (1, 7))
    return "/".join(name for name in names if name) or "UTC"


# A cell a spreadsheet would read as a formula (OWASP "CSV injection") is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """A value as a CSV cell of the review's downloads: empty for None, times in ISO 8601, lists joined by
    spaces, and text that a spreadsheet would run as a formula prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
