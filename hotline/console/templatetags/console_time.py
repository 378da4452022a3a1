"""Times as the console shows them: in the viewer's zone with UTC beside it, zones by their neutral
abbreviation (CET/CEST), never by a city (which would be one party's capital shown to another party).

    {% load console_time %}
    {{ message.created_at|local_and_utc }}   <time datetime="2026-12-04T00:47:00+00:00">
                                             04 Dec 2026 01:47 CET · 00:47 UTC</time>
    {{ due_at|local_and_utc:"seconds" }}     … 01:47:05 CET · 00:47:05 UTC
    {{ due_at|local_and_utc:"time" }}        01:47 CET · 00:47 UTC (no date)
    {{ moment|zone_abbreviation }}           "CET" or "CEST": the viewer's zone at that moment

The viewer's zone is the active one (UserTimeZoneMiddleware). When the UTC day differs from the local day,
the UTC side names its day too ("04 Dec 2026 00:30 CET · 03 Dec 23:30 UTC"). The browser's twin is
`Hotline.whenWithUtc` in console.js, which writes the same text.
"""

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

FORMATS = {"": "%H:%M", "seconds": "%H:%M:%S", "time": "%H:%M"}


def _moment(value) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def local_and_utc_text(moment: datetime, style: str = "") -> str:
    clock = FORMATS.get(style, FORMATS[""])
    local = timezone.localtime(moment)
    utc = moment.astimezone(UTC)
    with_date = style != "time"
    local_text = f"{local:%d %b %Y} {local:{clock}}" if with_date else f"{local:{clock}}"
    utc_day = f"{utc:%d %b} " if with_date and local.date() != utc.date() else ""
    return f"{local_text} {local.tzname()} · {utc_day}{utc:{clock}} UTC"


@register.filter
def local_and_utc(value, style: str = ""):
    """A <time> with the local time, its zone's abbreviation and UTC beside it; "" for no time."""
    moment = _moment(value)
    if moment is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), local_and_utc_text(moment, style))


@register.filter
def zone_abbreviation(value=None) -> str:
    """The viewer's zone at that moment (now without one) as its abbreviation: "CET", "CEST"."""
    moment = _moment(value) or timezone.now()
    return timezone.localtime(moment).tzname() or ""
