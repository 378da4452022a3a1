"""The calendar of notified activities: the exercises and drone flights a reader may see, laid out by
local day for the console's month view, and the same set as an iCalendar (RFC 5545) feed per party.

Who sees what is asked of visibility.py only. A feed is fetched by calendar clients, which cannot sign
in: its token names a party, and the feed holds what any organisation of that party may see (each
organisation asked as a reader of its own), so the feed states no rule of its own.
"""

import calendar as gregorian
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core import signing
from django.urls import reverse
from icalendar import Calendar, Event

from accounts.models import Organisation, Party
from incidents.notifications.choices import ExerciseType, FlightState
from incidents.notifications.models import CalendarFeed, DroneFlight, ExerciseNotification
from incidents.notifications.rules import late_text
from incidents.notifications.visibility import OrganisationReader, visible_exercises, visible_flights

FEED_SALT = "hotline.calendar-feed"
PRODUCT_ID = "-//Hotline//Notified activities//EN"
EXERCISE = "exercise"
FLIGHT = "flight"


# --- what a reader sees -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """One entry of the calendar: an exercise notification (as its latest version says) or a drone
    flight (spanning its volumes)."""

    kind: str  # EXERCISE or FLIGHT
    reference: str
    title: str
    party: str
    starts_at: datetime
    ends_at: datetime
    state: str
    state_label: str
    cancelled: bool
    source: ExerciseNotification | DroneFlight

    @property
    def path(self) -> str:
        """The activity's console page."""
        return page_of(self.kind, self.reference)

    def covers(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and self.ends_at > starts_at


def page_of(kind: str, reference: str) -> str:
    return reverse("notifications:exercise" if kind == EXERCISE else "notifications:flight", args=[reference])


def _exercise(notification: ExerciseNotification) -> Activity:
    version = notification.latest
    return Activity(
        EXERCISE,
        notification.reference,
        version.designation,
        notification.organisation.party.code,
        version.starts_at,
        version.ends_at,
        "cancelled" if notification.cancelled else "notified",
        "cancelled" if notification.cancelled else "notified",
        notification.cancelled,
        notification,
    )


def _flight(flight: DroneFlight) -> Activity:
    return Activity(
        FLIGHT,
        flight.reference,
        f"Drone flight: {flight.aircraft_type}",
        flight.organisation.party.code,
        flight.starts_at,
        flight.ends_at,
        flight.state,
        flight.get_state_display().lower(),
        flight.state == FlightState.CANCELLED,
        flight,
    )


def exercises_of(reader):
    return visible_exercises(reader).filter(latest__isnull=False).select_related("organisation__party", "latest")


def flights_of(reader):
    return visible_flights(reader).select_related("organisation__party")


def activities(
    exercises, flights, *, starts_at: datetime | None = None, ends_at: datetime | None = None
) -> list[Activity]:
    """The activities of both querysets that overlap [starts_at, ends_at) (all without a window),
    earliest start first."""
    if starts_at is not None and ends_at is not None:
        exercises = exercises.filter(latest__starts_at__lt=ends_at, latest__ends_at__gt=starts_at)
        flights = flights.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
    found = [_exercise(notification) for notification in exercises] + [_flight(flight) for flight in flights]
    return sorted(found, key=lambda activity: (activity.starts_at, activity.reference))


# --- the month view ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    date: date
    in_month: bool
    is_today: bool
    activities: list[Activity]


@dataclass(frozen=True)
class Month:
    first: date
    starts_at: datetime  # the grid's first local midnight (a Monday, perhaps in the month before)
    ends_at: datetime  # the midnight after the grid's last Sunday

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return self.first + timedelta(days=gregorian.monthrange(self.first.year, self.first.month)[1])

    def days(self) -> list[date]:
        count = (self.ends_at.date() - self.starts_at.date()).days
        return [self.starts_at.date() + timedelta(days=offset) for offset in range(count)]


def parse_month(text: str, today: date) -> date:
    """The first day of `text` ("2026-12"); this month for anything else. Years are kept within a
    range where the grid's weeks before and after still exist."""
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)
    return first if 1900 <= first.year <= 9000 else today.replace(day=1)


def month_of(first: date, zone) -> Month:
    """The weeks (Monday to Sunday) that hold the month, bounded by local midnights in `zone`."""
    last = first.replace(day=gregorian.monthrange(first.year, first.month)[1])
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=7 - last.weekday())
    return Month(first, local_midnight(grid_start, zone), local_midnight(grid_end, zone))


def local_midnight(day: date, zone) -> datetime:
    # Local midnight, whatever the offset that day (DST): ZoneInfo resolves the wall-clock time.
    return datetime.combine(day, time(), tzinfo=zone)


def weeks(month: Month, found: list[Activity], zone, today: date) -> list[list[Day]]:
    """The grid: each local day with the activities that cover any part of it."""
    days = []
    for day in month.days():
        starts_at, ends_at = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
        days.append(
            Day(day, day.month == month.first.month, day == today, [a for a in found if a.covers(starts_at, ends_at)])
        )
    return [days[index : index + 7] for index in range(0, len(days), 7)]


# --- the iCalendar feed -----------------------------------------------------------------------------


def feed_generation(party: Party) -> int:
    feed = CalendarFeed.objects.filter(party=party).first()
    return feed.generation if feed else 0


def feed_token(party: Party) -> str:
    """The credential in a party's feed URL: the party's code and its feed's generation, signed with the
    deployment's secret (settings.SECRET_KEY). It does not expire; revoking the party's feed (a new
    generation, actions.do_revoke_calendar_feed) ends it, and rotating the secret ends every party's.
    The same party and generation give the same address: a calendar subscribed today and the address
    shown tomorrow are one feed (a timestamped signature made a new address every second)."""
    return signing.Signer(salt=FEED_SALT).sign_object([party.code, feed_generation(party)])


def feed_url(request, party: Party) -> str:
    """The party's feed address as the console shows it and the API answers it."""
    return request.build_absolute_uri(reverse("notifications:calendar-feed", args=[feed_token(party)]))


def _unsigned(token: str):
    """What a feed token carries, or None. A timestamped token (given out before addresses were stable,
    still valid) also passes the plain signer's check, as "payload:time", which is not JSON: the plain
    reading is tried first and the timestamped one when it fails either way."""
    for read in (signing.Signer(salt=FEED_SALT).unsign_object, lambda text: signing.loads(text, salt=FEED_SALT)):
        try:
            return read(token)
        except (signing.BadSignature, ValueError):
            continue
    return None


def party_of_token(token: str) -> Party | None:
    value = _unsigned(token)
    if value is None:
        return None
    if isinstance(value, str):  # a URL given out before feeds could be revoked: generation 0
        value = [value, 0]
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and type(value[1]) is int):
        return None
    party = Party.objects.filter(code=value[0]).first()
    if party is None or feed_generation(party) != value[1]:
        return None
    return party


def party_querysets(party: Party):
    """(exercises, flights) that an organisation of `party` may see: each organisation asked as a
    reader of its own, and what any of them sees taken together."""
    exercises, flights = ExerciseNotification.objects.none(), DroneFlight.objects.none()
    for organisation in Organisation.objects.filter(party=party).select_related("party"):
        reader = OrganisationReader(organisation)
        exercises |= exercises_of(reader)
        flights |= flights_of(reader)
    return exercises.select_related("organisation__party", "latest"), flights.select_related("organisation__party")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _exercise_event(notification: ExerciseNotification, url: str) -> Event:
    version = notification.latest
    reasons = (
        "; ".join(reason["text"] for reason in version.notifiable_reasons) or "below every threshold of the commission"
    )
    lines = [
        (
            f"{notification.reference}, notified by {notification.organisation.code} "
            f"({notification.organisation.party.name})."
        ),
        f"Type: {ExerciseType(version.exercise_type).label}.",
        f"Troops: {version.troops:,}.",
        f"Notifiable: {reasons}.",
    ]
    late = late_text(version.late_by_s, "day")
    if late:
        lines.append(f"Notified {late}.")
    if notification.cancelled:
        lines.append(f"Cancelled: {version.reason}")
    event = Event()
    event.add("uid", f"{notification.reference}@hotline")
    event.add("sequence", version.number)
    event.add("status", "CANCELLED" if notification.cancelled else "CONFIRMED")
    event.add("summary", f"{version.designation} ({notification.reference})")
    event.add("dtstart", _utc(version.starts_at))
    event.add("dtend", _utc(version.ends_at))
    # Without a METHOD, DTSTAMP is when the entry last changed (RFC 5545, 3.8.7.2).
    event.add("dtstamp", _utc(version.filed_at))
    event.add("last-modified", _utc(version.filed_at))
    event.add("description", "\n".join(lines))
    if version.place_names:
        event.add("location", version.place_names)
    event.add("url", url)
    event.add("categories", ["Exercise"])
    return event


def _flight_event(flight: DroneFlight, url: str) -> Event:
    # Only what the summary of a page says: where exactly, and why, stays in the console (TLP:AMBER).
    lines = [
        f"{flight.reference}, operated by {flight.organisation.code} ({flight.organisation.party.name}).",
        f"State: {flight.get_state_display().lower()}.",
        (
            f"Aircraft: {flight.aircraft_type}, {flight.get_aircraft_category_display()}"
            f"{', armed' if flight.armed else ''}."
        ),
    ]
    if flight.neighbours:
        lines.append("Within the buffer of: " + ", ".join(neighbour["party"] for neighbour in flight.neighbours) + ".")
    event = Event()
    event.add("uid", f"{flight.reference}@hotline")
    event.add("status", "CANCELLED" if flight.state == FlightState.CANCELLED else "CONFIRMED")
    event.add("summary", f"Drone flight {flight.reference}: {flight.aircraft_type}")
    event.add("dtstart", _utc(flight.starts_at))
    event.add("dtend", _utc(flight.ends_at))
    event.add("dtstamp", _utc(flight.updated_at))
    event.add("last-modified", _utc(flight.updated_at))
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("categories", ["Drone flight"])
    return event


def ical_feed(party: Party, exercises, flights, url_of) -> bytes:
    """The feed: one VEVENT per exercise notification (SEQUENCE its latest version) and per drone
    flight. `url_of(kind, reference)` gives the absolute URL of an activity's console page."""
    feed = Calendar()
    feed.add("prodid", PRODUCT_ID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", f"Hotline: notified activities ({party.code})")
    feed.add("x-wr-caldesc", "Exercises and drone flights notified through the hotline, as the console shows them.")
    for notification in exercises:
        feed.add_component(_exercise_event(notification, url_of(EXERCISE, notification.reference)))
    for flight in flights:
        feed.add_component(_flight_event(flight, url_of(FLIGHT, flight.reference)))
    return feed.to_ical()
