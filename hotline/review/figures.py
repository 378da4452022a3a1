"""The commission's compliance figures: one module computes them; the console, the API, the exports and
the period report all read its dictionaries.

Definitions (the README's "Compliance figures" says the same):
- A period is `[since, until)`. Real traffic and EXERCISE traffic are computed apart, never mixed.
- Each thing owed is counted in the period in which it became owed (a message posted, a timer started, a
  check sent, a notification filed); what happened to it is read as it stands when the figures are
  computed (an acknowledgement given after the period still counts as given, and late or not by its
  own deadline).
- Percentiles are nearest-rank: p-th percentile of n sorted durations is the ⌈p·n/100⌉-th, computed in
  the database (ROW_NUMBER and COUNT window functions), the same on PostgreSQL and SQLite. Durations are
  whole seconds (rounded); a share is a fraction 0–1 to 4 places, None when nothing was owed.
- Night is 22:00–06:00 in the recipient organisation's own time zone, by when the message was posted.
- Reachability checks and exercise and drone-flight notifications have no drill form: their sections are
  None for EXERCISE traffic.
Figures hold no content: codes, counts and durations only. `items` lists the things behind a figure as
metadata; a view shows an incident's title only where the viewer may see it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from accounts.choices import PartyKind
from accounts.models import Organisation
from hotline.escalation.choices import Clock, DeliveryStatus, Severity, TimerState
from hotline.escalation.models import Delivery, Page, Timer
from hotline.formats import OFFSET_REQUIRED, iso_time
from hotline.reachability.models import CheckResponse
from incidents.choices import AckMethod
from incidents.models import Acknowledgement
from incidents.notifications.choices import VersionKind
from incidents.notifications.models import (
    DroneFlight,
    DroneFlightAcknowledgement,
    ExerciseAcknowledgement,
    ExerciseVersion,
    ObservationInvitation,
)
from incidents.notifications.recipients import invited_organisations
from incidents.timers import SUBJECT_KIND as INCIDENT_ACKNOWLEDGEMENT

PERCENTILES = (50, 90)
SEVERITIES = [severity.value for severity in reversed(Severity)]  # critical first
ACK_METHODS = [method.value for method in AckMethod]
PAGING_METHODS = ["console", "email", "sms", "webhook"]
NIGHT_STARTS, NIGHT_ENDS = 22, 6
LEVELS = (1, 2, 3)

PRESETS = {
    "last_30_days": "Last 30 days",
    "this_month": "This month",
    "last_month": "Last month",
    "last_quarter": "Last quarter",
    "year": "Last 12 months",
}
DEFAULT_PRESET = "last_30_days"


# --- the period -----------------------------------------------------------------------------------------


def _zone():
    return timezone.get_default_timezone()


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=_zone())


def _month_start(day: date, months_back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """`[since, until)`, aware; `exercise` picks drill traffic instead of real traffic."""

    since: datetime
    until: datetime
    exercise: bool = False

    def __post_init__(self):
        if timezone.is_naive(self.since) or timezone.is_naive(self.until):
            raise ValueError("A period's times carry their offset.")
        if self.until <= self.since:
            raise ValueError("A period ends after it starts.")

    @classmethod
    def preset(cls, name: str, now: datetime | None = None, exercise: bool = False) -> Period:
        """A named period in the service's time zone (whole local days and months)."""
        now = timezone.localtime(now or timezone.now(), _zone())
        today = now.date()
        if name == "last_30_days":
            return cls(now - timedelta(days=30), now, exercise)
        if name == "this_month":
            return cls(_local_midnight(_month_start(today)), now, exercise)
        if name == "last_month":
            return cls(_local_midnight(_month_start(today, 1)), _local_midnight(_month_start(today)), exercise)
        if name == "last_quarter":
            quarter_start = _month_start(today, (today.month - 1) % 3)
            return cls(_local_midnight(_month_start(quarter_start, 3)), _local_midnight(quarter_start), exercise)
        if name == "year":
            return cls(_local_midnight(_month_start(today, 11)), now, exercise)
        raise ValueError(f"Unknown period {name[:40]!r}: choose one of {', '.join(PRESETS)}.")

    @classmethod
    def month(cls, year: int, month: int, exercise: bool = False) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(
            _local_midnight(date(year, month, 1)),
            _local_midnight(date(year, month, last) + timedelta(days=1)),
            exercise,
        )

    @property
    def label(self) -> str:
        since, until = timezone.localtime(self.since, _zone()), timezone.localtime(self.until, _zone())
        whole_days = since.time() == time() and until.time() == time()
        if whole_days and since.day == 1 and until.day == 1 and _month_start(until.date(), 1) == since.date():
            return f"{since:%B %Y}"
        if whole_days:
            return f"{since:%-d %b %Y} – {until - timedelta(days=1):%-d %b %Y}"
        return f"{since:%-d %b %Y %H:%M} – {until:%-d %b %Y %H:%M}"

    def as_dict(self) -> dict:
        return {
            "since": iso_time(self.since.astimezone(UTC)),
            "until": iso_time(self.until.astimezone(UTC)),
            "exercise": self.exercise,
        }


# --- helpers ----------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _seconds(value) -> int:
    return round(value.total_seconds()) if isinstance(value, timedelta) else round(value)


class _SecondsBetween(Func):
    """`end` − `start` in seconds, by SQLite itself: Django's subtraction of two times calls back into
    Python for every row there, which made a year's figures several times slower."""

    output_field = FloatField()
    template = "((julianday(%(expressions)s)) * 86400.0)"
    arg_joiner = ") - julianday("

    def __init__(self, end: str, start: str):
        super().__init__(F(end), F(start))


def _duration(end: str, start: str):
    """How long from `start` to `end`: PostgreSQL subtracts natively (an interval sorts faster than the
    numeric of EXTRACT(EPOCH …)), SQLite through julianday."""
    if connection.vendor == "sqlite":
        return _SecondsBetween(end, start)
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _party_field(organisation_field: str) -> str:
    """`recipient_id` → `recipient__party_id`: the party of the organisation a row is grouped by."""
    return organisation_field.removesuffix("_id") + "__party_id"


def _percentiles(queryset, value, partitions: dict[str, list[str]]) -> dict[str, dict[tuple, dict]]:
    """Nearest-rank p50 and p90 and the maximum of `value` within each group of each named partition, in
    one query: each row is ranked within its group of every partition (window functions), and only the
    rows at a wanted rank come back."""
    annotations, wanted = {}, Q()
    for index, fields in enumerate(partitions.values()):
        groups = [F(field) for field in fields]
        position, size = f"position_{index}", f"size_{index}"
        annotations[position] = Window(RowNumber(), partition_by=groups, order_by=[F("measured").asc(), F("pk").asc()])
        annotations[size] = Window(Count("pk"), partition_by=groups)
        wanted |= Q(**{position: F(size)})
        for percentile in PERCENTILES:
            wanted |= Q(**{position: (F(size) * percentile + 99) / 100})
    ranked = queryset.annotate(measured=value).annotate(**annotations)
    fields = sorted({field for fields in partitions.values() for field in fields})
    found: dict[str, dict[tuple, dict]] = {name: {} for name in partitions}
    for row in ranked.filter(wanted).values(*fields, *annotations, "measured"):
        seconds = _seconds(row["measured"])
        for index, (name, fields_of) in enumerate(partitions.items()):
            size, position = row[f"size_{index}"], row[f"position_{index}"]
            hits = [f"p{percentile}" for percentile in PERCENTILES if position == (size * percentile + 99) // 100]
            hits += ["max"] if position == size else []
            if hits:
                entry = found[name].setdefault(tuple(row[field] for field in fields_of), {})
                entry.update(dict.fromkeys(hits, seconds))
    return found


def _durations(queryset, value, organisation_field: str, extra: tuple = ()) -> dict[tuple, dict]:
    """Percentiles per organisation and per party (and per `extra` within them), keyed ("", organisation,
    *extra) and ("party:", party, *extra)."""
    found = _percentiles(
        queryset,
        value,
        {"": [organisation_field, *extra], "party:": [_party_field(organisation_field), *extra]},
    )
    return {(prefix, *key): spread for prefix, by_key in found.items() for key, spread in by_key.items()}


def _spread(found: dict | None) -> dict:
    found = found or {}
    return {"p50": found.get("p50"), "p90": found.get("p90"), "max": found.get("max")}


def _counts(queryset, groups: list[str], **counts) -> dict:
    """{(group values…): {name: count}} in one grouped query."""
    rows = queryset.values(*groups).annotate(
        **{name: Count("pk", filter=condition) for name, condition in counts.items()}
    )
    return {tuple(row[group] for group in groups): {name: row[name] for name in counts} for row in rows}


def _merge(into: dict, counts: dict) -> None:
    for key, values in counts.items():
        into.setdefault(key, {}).update(values)


class _Organisations:
    """The member parties' organisations, and how a count per organisation adds up per party."""

    def __init__(self):
        self.all = list(
            Organisation.objects.filter(party__kind=PartyKind.MEMBER)
            .select_related("party")
            .order_by("party__code", "code")
        )
        self.party_of = {organisation.pk: organisation.party_id for organisation in self.all}
        self.parties = []
        for organisation in self.all:
            if not self.parties or self.parties[-1].pk != organisation.party_id:
                self.parties.append(organisation.party)
        self.zones = sorted({organisation.time_zone for organisation in self.all})

    def member_filter(self, field: str) -> Q:
        return Q(**{f"{field}__in": list(self.party_of)})

    def by_party(self, per_organisation: dict) -> dict:
        """Add up count dictionaries keyed (organisation, …) into (party, …)."""
        totals: dict = {}
        for (organisation_id, *rest), counts in per_organisation.items():
            party = totals.setdefault((self.party_of[organisation_id], *rest), {})
            for name, count in counts.items():
                party[name] = party.get(name, 0) + count
        return totals


class _Grouping:
    """How rows are grouped: per organisation, or per organisation and calendar month (the trend), the
    month read in the service's zone from the field that places a row in its period."""

    def __init__(self, by_month: bool):
        self.by_month = by_month

    def rows(self, queryset, placed_by: str):
        return queryset.annotate(month=TruncMonth(placed_by, tzinfo=_zone())) if self.by_month else queryset

    def groups(self, organisation_field: str) -> list[str]:
        return [organisation_field, "month"] if self.by_month else [organisation_field]

    @property
    def extra(self) -> tuple:
        return ("month",) if self.by_month else ()


# --- the sections ------------------------------------------------------------------------------------


def _zone_groups(zones: list[str], period: Period) -> dict[str, list[str]]:
    """The zones whose offsets agree at every hour of the period, each group under one name: the region's
    seven all keep CET/CEST, so the acknowledgements take one query per figure instead of one per zone.
    The group's name is a region's ("Europe/…"): PostgreSQL reads "CET" in AT TIME ZONE as the fixed
    +01:00 abbreviation, not as the zone with summer time that Python (and so SQLite) reads."""
    hours = int((period.until - period.since).total_seconds() // 3600) + 1
    groups: dict[tuple, list[str]] = {}
    for zone in zones:
        info = ZoneInfo(zone)
        offsets = tuple((period.since + timedelta(hours=hour)).astimezone(info).utcoffset() for hour in range(hours))
        groups.setdefault(offsets, []).append(zone)
    return {next((zone for zone in same if "/" in zone), same[0]): same for same in groups.values()}


def _night():
    hour = "message__created_at__hour"
    return Q(**{f"{hour}__gte": NIGHT_STARTS}) | Q(**{f"{hour}__lt": NIGHT_ENDS})


def _acknowledgements(period: Period, orgs: _Organisations, grouping: _Grouping) -> tuple[dict, dict]:
    """Incident messages' acknowledgements owed by each organisation: (counts, durations). The trend
    (by month) needs neither severities nor night and day."""
    base = grouping.rows(
        Acknowledgement.objects.filter(
            orgs.member_filter("organisation_id"),
            message__created_at__gte=period.since,
            message__created_at__lt=period.until,
            message__incident__exercise=period.exercise,
        ),
        "message__created_at",
    )
    given, within = Q(acknowledged_at__isnull=False), Q(acknowledged_at__lte=F("due_at"))
    counts = dict(
        owed=Q(),
        given=given,
        within_deadline=within,
        late=Q(acknowledged_at__gt=F("due_at")),
        open=Q(acknowledged_at__isnull=True),
    )
    counts.update({f"method_{method}": Q(method=method) for method in ACK_METHODS})
    detailed = not grouping.by_month
    if detailed:
        for severity in SEVERITIES:
            of = Q(message__incident__severity=severity)
            counts.update({f"{severity}_owed": of, f"{severity}_given": of & given, f"{severity}_within": of & within})
    raw: dict = {}
    durations = {"all": {}, "severity": {}, "night": {}}
    time_taken = _duration("acknowledged_at", "message__created_at")
    groups = grouping.groups("organisation_id")
    for zone_name, same in _zone_groups(orgs.zones, period).items():
        # The hour lookups read the current time zone: the organisations' own, one query per set of zones
        # that keep the same offsets over the period.
        with timezone.override(zone_name):
            in_zone = base.filter(organisation__time_zone__in=same)
            night = _night()
            zone_counts = dict(counts)
            if detailed:
                for name, when in (("night", night), ("day", ~night)):
                    zone_counts.update({f"{name}_owed": when, f"{name}_within": when & within})
            raw.update(_counts(in_zone, groups, **zone_counts))
            acknowledged = in_zone.filter(given)
            partitions = {
                (prefix, "all"): [field, *grouping.extra]
                for prefix, field in (("", "organisation_id"), ("party:", "organisation__party_id"))
            }
            if detailed:
                acknowledged = acknowledged.annotate(
                    at_night=Case(When(night, then=Value("night")), default=Value("day"))
                )
                for prefix, field in (("", "organisation_id"), ("party:", "organisation__party_id")):
                    partitions[(prefix, "severity")] = [field, "message__incident__severity"]
                    partitions[(prefix, "night")] = [field, "at_night"]
            for (prefix, which), by_key in _percentiles(acknowledged, time_taken, partitions).items():
                durations[which].update({(prefix, *key): spread for key, spread in by_key.items()})
    # Zones split a party's rows: its percentiles hold when every organisation of a party shares a zone,
    # which the region's do (CET/CEST); the party's figures are then exact.
    return raw, durations


def _acknowledgement_section(raw: dict | None, durations: dict, key: tuple) -> dict:
    raw = raw or {}
    get = lambda name: raw.get(name, 0)  # noqa: E731
    severity = {
        level: {
            "owed": get(f"{level}_owed"),
            "given": get(f"{level}_given"),
            "within_deadline": get(f"{level}_within"),
            "p50_s": durations["severity"].get((*key, level), {}).get("p50"),
        }
        for level in SEVERITIES
    }
    time_of_day = {
        name: {
            "owed": get(f"{name}_owed"),
            "within_deadline": get(f"{name}_within"),
            "p50_s": durations["night"].get((*key, name), {}).get("p50"),
        }
        for name in ("night", "day")
    }
    return {
        "owed": get("owed"),
        "given": get("given"),
        "within_deadline": get("within_deadline"),
        "within_deadline_share": _share(get("within_deadline"), get("owed")),
        "late": get("late"),
        "open": get("open"),
        "time_to_acknowledge_s": _spread(durations["all"].get(key)),
        "by_method": {method: get(f"method_{method}") for method in ACK_METHODS},
        "by_severity": severity,
        "by_time_of_day": time_of_day,
    }


def _timers(period: Period, orgs: _Organisations):
    return Timer.objects.filter(
        orgs.member_filter("recipient_id"),
        started_at__gte=period.since,
        started_at__lt=period.until,
        exercise=period.exercise,
    )


def _escalation(period: Period, orgs: _Organisations, grouping: _Grouping) -> dict:
    """Every acknowledgement clock started against each organisation (of messages, notifications and
    checks): the levels its pages reached (1 the on-duty officer, 2 the supervisors, 3 the head), its
    repeats, its pages and deliveries. Reply clocks remind rather than escalate: they are in `replies`."""
    timers = grouping.rows(_timers(period, orgs).filter(clock=Clock.ACKNOWLEDGEMENT), "started_at")
    raw = _counts(timers, grouping.groups("recipient_id"), timers=Q())
    # Pages and deliveries are filtered on their timer's own columns (one join), not `timer__in=timers`,
    # which joins the wide timer table twice.
    on = dict(
        timer__recipient_id__in=list(orgs.party_of),
        timer__started_at__gte=period.since,
        timer__started_at__lt=period.until,
        timer__exercise=period.exercise,
        timer__clock=Clock.ACKNOWLEDGEMENT,
    )
    pages = grouping.rows(Page.objects.filter(**on), "timer__started_at")
    rows = pages.values(*grouping.groups("timer__recipient_id")).annotate(
        pages=Count("pk"),
        repeats=Count("pk", filter=Q(repeat__gt=0)),
        **{f"reached_level_{level}": Count("timer_id", filter=Q(level__gte=level), distinct=True) for level in LEVELS},
    )
    for row in rows:
        key = (row.pop("timer__recipient_id"), *((row.pop("month"),) if grouping.by_month else ()))
        raw.setdefault(key, {}).update(row)
    deliveries = grouping.rows(
        Delivery.objects.filter(**{f"page__{name}": value for name, value in on.items()}), "page__timer__started_at"
    )
    by_method = {f"sent_{method}": Q(method=method) for method in PAGING_METHODS}
    by_method.update({f"failed_{method}": Q(method=method, status=DeliveryStatus.FAILED) for method in PAGING_METHODS})
    _merge(raw, _counts(deliveries, grouping.groups("page__timer__recipient_id"), **by_method))
    return raw


def _escalation_section(raw: dict | None) -> tuple[dict, dict]:
    raw = raw or {}
    escalation = {
        "timers": raw.get("timers", 0),
        **{f"reached_level_{level}": raw.get(f"reached_level_{level}", 0) for level in LEVELS},
        "repeats": raw.get("repeats", 0),
        "pages": raw.get("pages", 0),
        "deliveries": {method: raw.get(f"sent_{method}", 0) for method in PAGING_METHODS},
    }
    return escalation, {method: raw.get(f"failed_{method}", 0) for method in PAGING_METHODS}


def _replies(period: Period, orgs: _Organisations, grouping: _Grouping) -> tuple[dict, dict]:
    """Requests for assistance: the reply clock of each recipient. A clock cancelled because the incident
    was resolved or closed is owed no more and is left out."""
    clocks = grouping.rows(
        _timers(period, orgs)
        .filter(subject_kind=INCIDENT_ACKNOWLEDGEMENT, clock=Clock.REPLY)
        .exclude(state=TimerState.CANCELLED),
        "started_at",
    )
    replied = Q(state=TimerState.ACKNOWLEDGED)
    raw = _counts(
        clocks,
        grouping.groups("recipient_id"),
        owed=Q(),
        within_clock=replied & Q(stopped_at__lte=F("deadline")),
        late=replied & Q(stopped_at__gt=F("deadline")),
        open=~replied,
    )
    took = _duration("stopped_at", "started_at")
    return raw, _durations(clocks.filter(replied), took, "recipient_id", grouping.extra)


def _reply_section(raw: dict | None, durations: dict, key: tuple) -> dict:
    raw = raw or {}
    found = durations.get(key, {})
    return {
        "owed": raw.get("owed", 0),
        "within_clock": raw.get("within_clock", 0),
        "within_clock_share": _share(raw.get("within_clock", 0), raw.get("owed", 0)),
        "late": raw.get("late", 0),
        "open": raw.get("open", 0),
        "time_to_reply_s": {"p50": found.get("p50"), "p90": found.get("p90")},
    }


def _reachability(period: Period, orgs: _Organisations, now: datetime, grouping: _Grouping) -> tuple[dict, dict]:
    responses = grouping.rows(
        CheckResponse.objects.filter(
            orgs.member_filter("organisation_id"),
            reachability_check__started_at__gte=period.since,
            reachability_check__started_at__lt=period.until,
        ),
        "reachability_check__started_at",
    )
    raw = _counts(
        responses,
        grouping.groups("organisation_id"),
        checks=Q(),
        within_window=Q(acknowledged_at__lte=F("due_at")),
        late=Q(acknowledged_at__gt=F("due_at")),
        missed=Q(acknowledged_at__isnull=True, due_at__lte=now),
        pending=Q(acknowledged_at__isnull=True, due_at__gt=now),
    )
    took = _duration("acknowledged_at", "reachability_check__started_at")
    answered = responses.filter(acknowledged_at__isnull=False)
    return raw, _durations(answered, took, "organisation_id", grouping.extra)


def _reachability_section(raw: dict | None, durations: dict, key: tuple) -> dict:
    raw = raw or {}
    found = durations.get(key, {})
    return {
        "checks": raw.get("checks", 0),
        "within_window": raw.get("within_window", 0),
        "within_window_share": _share(raw.get("within_window", 0), raw.get("checks", 0)),
        "late": raw.get("late", 0),
        "missed": raw.get("missed", 0),
        "pending": raw.get("pending", 0),
        "time_to_answer_s": {"p50": found.get("p50"), "p90": found.get("p90")},
    }


def _not_superseded_while_pending():
    """A version's acknowledgement is owed unless a newer version replaced it before it was given."""
    newer = ExerciseVersion.objects.filter(
        notification=OuterRef("version__notification"), number__gt=OuterRef("version__number")
    )
    return Q(acknowledged_at__isnull=False) | ~Exists(newer)


def _notifications(period: Period, orgs: _Organisations, grouping: _Grouping) -> tuple[dict, dict]:
    """Exercise and drone-flight notifications: the notifying organisation's timeliness, and each
    recipient's acknowledgements and observation replies (the trend, by month, needs only timeliness)."""
    in_period = dict(filed_at__gte=period.since, filed_at__lt=period.until)
    versions = grouping.rows(
        ExerciseVersion.objects.filter(orgs.member_filter("notification__organisation_id"), **in_period), "filed_at"
    )
    notices = Q(kind=VersionKind.NOTICE)
    raw = _counts(
        versions,
        grouping.groups("notification__organisation_id"),
        exercises_notified=notices,
        exercises_on_time=notices & Q(late_by_s__isnull=True),
        amendments=Q(kind=VersionKind.AMENDMENT),
        cancellations=Q(kind=VersionKind.CANCELLATION),
    )
    lateness = versions.filter(notices, late_by_s__isnull=False)
    durations = {
        "late": _durations(lateness, F("late_by_s"), "notification__organisation_id", grouping.extra),
        "versions": {},
    }
    flights = grouping.rows(DroneFlight.objects.filter(orgs.member_filter("organisation_id"), **in_period), "filed_at")
    _merge(
        raw,
        _counts(
            flights, grouping.groups("organisation_id"), flights_notified=Q(), flights_on_time=Q(late_by_s__isnull=True)
        ),
    )
    if grouping.by_month:
        return raw, durations

    crossings = DroneFlightAcknowledgement.objects.filter(
        orgs.member_filter("organisation_id"),
        cross_border=True,
        flight__filed_at__gte=period.since,
        flight__filed_at__lt=period.until,
    )
    _merge(
        raw,
        _counts(
            crossings,
            ["organisation_id"],
            cross_border_owed=Q(),
            before_activation=Q(acknowledged_at__lte=F("flight__starts_at")),
        ),
    )
    version_acks = ExerciseAcknowledgement.objects.filter(
        orgs.member_filter("organisation_id"),
        _not_superseded_while_pending(),
        version__filed_at__gte=period.since,
        version__filed_at__lt=period.until,
    )
    _merge(
        raw,
        _counts(version_acks, ["organisation_id"], versions_owed=Q(), versions_given=Q(acknowledged_at__isnull=False)),
    )
    took = _duration("acknowledged_at", "version__filed_at")
    durations["versions"] = _durations(version_acks.filter(acknowledged_at__isnull=False), took, "organisation_id")

    invitations = ObservationInvitation.objects.filter(
        created_at__gte=period.since, created_at__lt=period.until
    ).select_related("notification")
    for invitation in invitations:  # a handful a year: who was invited is the notification's own rule
        replied = set(
            invitation.replies.filter(replied_at__lte=invitation.reply_by).values_list("organisation_id", flat=True)
        )
        for organisation in invited_organisations(invitation.notification) & set(orgs.party_of):
            counts = raw.setdefault((organisation,), {})
            counts["invited"] = counts.get("invited", 0) + 1
            counts["invitations_answered"] = counts.get("invitations_answered", 0) + (organisation in replied)
    return raw, durations


def _notification_section(raw: dict | None, durations: dict, key: tuple) -> dict:
    raw = raw or {}
    get = lambda name: raw.get(name, 0)  # noqa: E731
    late = durations["late"].get(key, {})
    versions = durations["versions"].get(key, {})
    return {
        "exercises": {
            "notified": get("exercises_notified"),
            "on_time": get("exercises_on_time"),
            "on_time_share": _share(get("exercises_on_time"), get("exercises_notified")),
            "late_by_s": {"median": late.get("p50"), "worst": late.get("max")},
            "amendments": get("amendments"),
            "cancellations": get("cancellations"),
        },
        "observation_invitations": {
            "invited": get("invited"),
            "answered": get("invitations_answered"),
            "answered_share": _share(get("invitations_answered"), get("invited")),
        },
        "drone_flights": {
            "notified": get("flights_notified"),
            "on_time": get("flights_on_time"),
            "on_time_share": _share(get("flights_on_time"), get("flights_notified")),
        },
        "cross_border": {
            "owed": get("cross_border_owed"),
            "before_activation": get("before_activation"),
            "before_activation_share": _share(get("before_activation"), get("cross_border_owed")),
        },
        "version_acknowledgements": {
            "owed": get("versions_owed"),
            "given": get("versions_given"),
            "given_share": _share(get("versions_given"), get("versions_owed")),
            "time_s": {"p50": versions.get("p50"), "p90": versions.get("p90")},
        },
    }


# --- the whole ------------------------------------------------------------------------------------------


def main_figures(figures: dict) -> dict:
    """The main figures of one organisation's (or one party's) figures: a dashboard row, a trend point."""
    acknowledgements = figures["acknowledgements"]
    reachability = figures.get("reachability") or {}
    notifications = figures.get("notifications") or {}
    return {
        "owed": acknowledgements["owed"],
        "within_deadline_share": acknowledgements["within_deadline_share"],
        "ack_p50_s": acknowledgements["time_to_acknowledge_s"]["p50"],
        "ack_p90_s": acknowledgements["time_to_acknowledge_s"]["p90"],
        "open": acknowledgements["open"],
        "reached_level_3": figures["escalation"]["reached_level_3"],
        "deliveries_failed": sum(figures["deliveries_failed"].values()),
        "reply_share": figures["replies"]["within_clock_share"],
        "reachability_share": reachability.get("within_window_share"),
        "checks_missed": reachability.get("missed"),
        "exercise_on_time_share": (notifications.get("exercises") or {}).get("on_time_share"),
        "flights_on_time_share": (notifications.get("drone_flights") or {}).get("on_time_share"),
    }


MAIN_FIGURES = tuple(
    main_figures(
        {
            "acknowledgements": _acknowledgement_section(None, {"all": {}, "severity": {}, "night": {}}, ("",)),
            "escalation": _escalation_section(None)[0],
            "deliveries_failed": _escalation_section(None)[1],
            "replies": _reply_section(None, {}, ("",)),
        }
    )
)


def _median(values: list) -> float | int | None:
    """Nearest-rank median (the ⌈n/2⌉-th), as for every percentile here."""
    known = sorted(value for value in values if value is not None)
    return known[(len(known) + 1) // 2 - 1] if known else None


def regional_median(organisations: list[dict]) -> dict:
    """Each main figure's median over the region's organisations: what a party's own figures are read
    against, without naming any other party."""
    rows = [main_figures(organisation) for organisation in organisations]
    return {name: _median([row[name] for row in rows]) for name in MAIN_FIGURES}


class _Gathered:
    """Every section's counts and durations for a period, grouped as `grouping` says."""

    def __init__(self, period: Period, orgs: _Organisations, now: datetime, grouping: _Grouping):
        self.drills = period.exercise
        acks, self.ack_durations = _acknowledgements(period, orgs, grouping)
        replies, self.reply_durations = _replies(period, orgs, grouping)
        reachability, self.reach_durations = ({}, {}) if self.drills else _reachability(period, orgs, now, grouping)
        notifications, self.notice_durations = ({}, {}) if self.drills else _notifications(period, orgs, grouping)
        self.raw = {
            "acknowledgements": acks,
            "escalation": _escalation(period, orgs, grouping),
            "replies": replies,
            "reachability": reachability,
            "notifications": notifications,
        }
        self.per_party = {section: orgs.by_party(counts) for section, counts in self.raw.items()}

    def figures(self, key: tuple, prefix: str = "") -> dict:
        """The figures of one organisation (`key` (organisation id, …)) or, with prefix "party:", of one
        party ((party id, …))."""
        counts = self.per_party if prefix else self.raw
        at = (prefix, *key)
        escalation, failed = _escalation_section(counts["escalation"].get(key))
        return {
            "acknowledgements": _acknowledgement_section(counts["acknowledgements"].get(key), self.ack_durations, at),
            "escalation": escalation,
            "deliveries_failed": failed,
            "replies": _reply_section(counts["replies"].get(key), self.reply_durations, at),
            "reachability": None
            if self.drills
            else _reachability_section(counts["reachability"].get(key), self.reach_durations, at),
            "notifications": None
            if self.drills
            else _notification_section(counts["notifications"].get(key), self.notice_durations, at),
        }


def compute(period: Period, now: datetime | None = None) -> dict:
    """Every figure of the period, per organisation with its party's totals, and the regional median."""
    now = now or timezone.now()
    orgs = _Organisations()
    gathered = _Gathered(period, orgs, now, _Grouping(by_month=False))
    parties, organisations = [], []
    for party in orgs.parties:
        members = [
            {
                "organisation": organisation.code,
                "name": organisation.name,
                "kind": organisation.kind,
                **gathered.figures((organisation.pk,)),
            }
            for organisation in orgs.all
            if organisation.party_id == party.pk
        ]
        organisations.extend(members)
        totals = gathered.figures((party.pk,), prefix="party:")
        parties.append({"party": party.code, "name": party.name, "totals": totals, "organisations": members})
    return {
        **period.as_dict(),
        "computed_at": iso_time(now),
        "parties": parties,
        "region": {"median": regional_median(organisations)},
    }


def trend(until: datetime | None = None, exercise: bool = False, months: int = 12) -> list[dict]:
    """The main figures month by month, per party and the regional median, over the last `months`
    calendar months up to and including the one `until` falls in (that one up to `until`): one pass over
    the whole span grouped by month, not one computation per month."""
    until = until or timezone.now()
    # The month of the last instant before `until`: an `until` at midnight on the 1st ends the month before.
    local = timezone.localtime(until - timedelta(microseconds=1), _zone()).date()
    firsts = [_month_start(local, back) for back in reversed(range(months))]
    span = Period(_local_midnight(firsts[0]), until, exercise)
    orgs = _Organisations()
    gathered = _Gathered(span, orgs, until, _Grouping(by_month=True))
    points = []
    for first in firsts:
        month_start = _local_midnight(first)
        whole = Period.month(first.year, first.month, exercise)
        period = Period(whole.since, min(whole.until, until), exercise)
        members = [main_figures(gathered.figures((o.pk, month_start))) for o in orgs.all]
        points.append(
            {
                "month": f"{first:%Y-%m}",
                **period.as_dict(),
                "parties": {
                    party.code: main_figures(gathered.figures((party.pk, month_start), prefix="party:"))
                    for party in orgs.parties
                },
                "region": {name: _median([row[name] for row in members]) for name in MAIN_FIGURES},
            }
        )
    return points


# --- the items behind a figure -------------------------------------------------------------------------


def _row(kind: str, reference: str, organisation: str, **fields) -> dict:
    row = {
        "kind": kind,
        "reference": reference,
        "organisation": organisation,
        "counterpart": "",
        "severity": "",
        "tlp": "",
        "exercise": False,
        "started_at": None,
        "due_at": None,
        "done_at": None,
        "late_by_s": None,
        "method": "",
        "level": None,
        "incident_id": None,
    }
    for name, value in fields.items():
        row[name] = iso_time(value) if isinstance(value, datetime) else value
    return row


def _late_by(done, due) -> int | None:
    return _seconds(done - due) if done is not None and due is not None and done > due else None


def _acknowledgement_rows(queryset) -> list[dict]:
    rows = queryset.select_related("message__incident", "message__organisation", "organisation").order_by(
        "message__created_at", "pk"
    )
    return [
        _row(
            "acknowledgement",
            f"{a.message.incident.reference} #{a.message.number}",
            a.organisation.code,
            counterpart=a.message.organisation.code,
            severity=a.message.incident.severity,
            tlp=a.message.incident.tlp,
            exercise=a.message.incident.exercise,
            started_at=a.message.created_at,
            due_at=a.due_at,
            done_at=a.acknowledged_at,
            late_by_s=_late_by(a.acknowledged_at, a.due_at),
            method=a.method,
            incident_id=a.message.incident_id,
        )
        for a in rows
    ]


def _timer_rows(queryset, kind: str = "timer", level: dict | None = None) -> list[dict]:
    """Timers as rows; the incident behind an incident acknowledgement's clock is named."""
    timers = list(queryset.select_related("recipient", "sender").order_by("started_at", "pk"))
    incident_of = {
        a.pk: a
        for a in Acknowledgement.objects.filter(
            pk__in=[t.subject_id for t in timers if t.subject_kind == INCIDENT_ACKNOWLEDGEMENT]
        ).select_related("message__incident")
    }
    rows = []
    for timer in timers:
        acknowledgement = incident_of.get(timer.subject_id) if timer.subject_kind == INCIDENT_ACKNOWLEDGEMENT else None
        incident = acknowledgement.message.incident if acknowledgement else None
        done = timer.stopped_at if timer.state == TimerState.ACKNOWLEDGED else None
        rows.append(
            _row(
                kind,
                f"{incident.reference} #{acknowledgement.message.number}"
                if incident
                else f"{timer.subject_kind} {timer.subject_id}",
                timer.recipient.code,
                counterpart=timer.sender.code,
                severity=timer.severity,
                tlp=incident.tlp if incident else "",
                exercise=timer.exercise,
                started_at=timer.started_at,
                due_at=timer.deadline,
                done_at=done,
                late_by_s=_late_by(done, timer.deadline),
                level=(level or {}).get(timer.pk),
                incident_id=incident.pk if incident else None,
            )
        )
    return rows


ITEM_FIGURES = {
    "acknowledgements.within_deadline": "Acknowledgements given within the deadline",
    "acknowledgements.late": "Acknowledgements given late",
    "acknowledgements.open": "Acknowledgements still open",
    "replies.late": "Replies to requests for assistance given late",
    "replies.open": "Requests for assistance still without a reply",
    "escalation.reached_level_1": "Escalations that reached level 1 (the duty officer)",
    "escalation.reached_level_2": "Escalations that reached level 2 (the supervisors)",
    "escalation.reached_level_3": "Escalations that reached level 3 (the head)",
    "deliveries.failed": "Failed deliveries",
    "reachability.late": "Reachability checks answered late",
    "reachability.missed": "Reachability checks missed",
    "exercises.late": "Exercise notifications filed late",
    "flights.late": "Drone flights notified late",
    "cross_border.after_activation": "Cross-border flights not acknowledged before activation",
    "versions.open": "Notification versions not acknowledged",
}
REAL_ONLY_FIGURES = {
    "reachability.late",
    "reachability.missed",
    "exercises.late",
    "flights.late",
    "cross_border.after_activation",
    "versions.open",
}


def items(
    period: Period,
    figure: str,
    organisation_code: str | None = None,
    party_code: str | None = None,
    now: datetime | None = None,
) -> list[dict]:
    """The things behind one figure, as metadata rows, oldest first (for all the member parties, one
    party, or one organisation)."""
    if figure not in ITEM_FIGURES:
        raise ValueError(f"Unknown figure {figure!r}.")
    if period.exercise and figure in REAL_ONLY_FIGURES:
        return []
    now = now or timezone.now()
    orgs = _Organisations()
    members = [o.pk for o in orgs.all]
    if organisation_code is not None:
        members = [o.pk for o in orgs.all if o.code == organisation_code]
    elif party_code is not None:
        members = [o.pk for o in orgs.all if o.party.code == party_code]
    section, _, which = figure.partition(".")
    if section == "acknowledgements":
        acks = Acknowledgement.objects.filter(
            organisation_id__in=members,
            message__created_at__gte=period.since,
            message__created_at__lt=period.until,
            message__incident__exercise=period.exercise,
        )
        wanted = {
            "within_deadline": Q(acknowledged_at__lte=F("due_at")),
            "late": Q(acknowledged_at__gt=F("due_at")),
            "open": Q(acknowledged_at__isnull=True),
        }[which]
        return _acknowledgement_rows(acks.filter(wanted))
    timers = _timers(period, orgs).filter(recipient_id__in=members, clock=Clock.ACKNOWLEDGEMENT)
    if section == "replies":
        timers = _timers(period, orgs).filter(recipient_id__in=members)
        clocks = timers.filter(subject_kind=INCIDENT_ACKNOWLEDGEMENT, clock=Clock.REPLY).exclude(
            state=TimerState.CANCELLED
        )
        replied = Q(state=TimerState.ACKNOWLEDGED)
        wanted = replied & Q(stopped_at__gt=F("deadline")) if which == "late" else ~replied
        return _timer_rows(clocks.filter(wanted), kind="reply")
    if section == "escalation":
        level = int(which.rsplit("_", 1)[1])
        reached = dict(
            Page.objects.filter(timer__in=timers, level__gte=level)
            .values("timer_id")
            .annotate(top=Max("level"))
            .values_list("timer_id", "top")
        )
        return _timer_rows(timers.filter(pk__in=list(reached)), level=reached)
    if section == "deliveries":
        deliveries = (
            Delivery.objects.filter(page__timer__in=timers, status=DeliveryStatus.FAILED)
            .select_related("page__timer__recipient", "page__timer__sender")
            .order_by("page__created_at", "pk")
        )
        return [
            _row(
                "delivery",
                f"page {d.page_id} · {d.get_method_display()}",
                d.page.timer.recipient.code,
                counterpart=d.page.timer.sender.code,
                severity=d.page.timer.severity,
                exercise=d.page.timer.exercise,
                started_at=d.page.created_at,
                due_at=d.send_before,
                method=d.method,
                level=d.page.level,
            )
            for d in deliveries
        ]
    if section == "reachability":
        responses = CheckResponse.objects.filter(
            organisation_id__in=members,
            reachability_check__started_at__gte=period.since,
            reachability_check__started_at__lt=period.until,
        )
        wanted = (
            Q(acknowledged_at__gt=F("due_at")) if which == "late" else Q(acknowledged_at__isnull=True, due_at__lte=now)
        )
        return [
            _row(
                "check",
                r.reachability_check.reference,
                r.organisation.code,
                started_at=r.reachability_check.started_at,
                due_at=r.due_at,
                done_at=r.acknowledged_at,
                late_by_s=_late_by(r.acknowledged_at, r.due_at),
                method=r.method,
            )
            for r in responses.filter(wanted)
            .select_related("reachability_check", "organisation")
            .order_by("reachability_check__started_at", "pk")
        ]
    if section == "exercises":
        versions = ExerciseVersion.objects.filter(
            notification__organisation_id__in=members,
            kind=VersionKind.NOTICE,
            late_by_s__isnull=False,
            filed_at__gte=period.since,
            filed_at__lt=period.until,
        ).select_related("notification__organisation")
        return [
            _row(
                "exercise",
                f"{v.notification.reference} v{v.number}",
                v.notification.organisation.code,
                started_at=v.filed_at,
                due_at=v.starts_at,
                late_by_s=v.late_by_s,
            )
            for v in versions.order_by("filed_at", "pk")
        ]
    if section == "flights":
        flights = DroneFlight.objects.filter(
            organisation_id__in=members, late_by_s__isnull=False, filed_at__gte=period.since, filed_at__lt=period.until
        ).select_related("organisation")
        return [
            _row(
                "flight",
                f.reference,
                f.organisation.code,
                started_at=f.filed_at,
                due_at=f.starts_at,
                late_by_s=f.late_by_s,
            )
            for f in flights.order_by("filed_at", "pk")
        ]
    if section == "cross_border":
        crossings = DroneFlightAcknowledgement.objects.filter(
            organisation_id__in=members,
            cross_border=True,
            flight__filed_at__gte=period.since,
            flight__filed_at__lt=period.until,
        ).exclude(acknowledged_at__lte=F("flight__starts_at"))
        return [
            _row(
                "flight",
                a.flight.reference,
                a.organisation.code,
                counterpart=a.flight.organisation.code,
                started_at=a.flight.filed_at,
                due_at=a.flight.starts_at,
                done_at=a.acknowledged_at,
                late_by_s=_late_by(a.acknowledged_at, a.flight.starts_at),
                method=a.method,
            )
            for a in crossings.select_related("flight__organisation", "organisation").order_by("flight__filed_at", "pk")
        ]
    # versions.open
    pending = ExerciseAcknowledgement.objects.filter(
        _not_superseded_while_pending(),
        organisation_id__in=members,
        acknowledged_at__isnull=True,
        version__filed_at__gte=period.since,
        version__filed_at__lt=period.until,
    )
    return [
        _row(
            "version",
            f"{a.version.notification.reference} v{a.version.number}",
            a.organisation.code,
            counterpart=a.version.notification.organisation.code,
            started_at=a.version.filed_at,
            due_at=a.due_at,
        )
        for a in pending.select_related("version__notification__organisation", "organisation").order_by(
            "version__filed_at", "pk"
        )
    ]


NOTABLE_FIGURES = [
    "acknowledgements.late",
    "acknowledgements.open",
    "reachability.missed",
    "exercises.late",
    "flights.late",
    "cross_border.after_activation",
]


def notable(period: Period, now: datetime | None = None) -> list[dict]:
    """What the period report lists by name: late and missing acknowledgements, missed checks, late
    notifications (metadata rows, each with its `figure`)."""
    return [{"figure": figure, **row} for figure in NOTABLE_FIGURES for row in items(period, figure, now=now)]


# --- a period from a request -------------------------------------------------------------------------

LONGEST_PERIOD = timedelta(days=400)


# Periods lie in these years: beyond them a date is a typing mistake, and near the calendar's ends a day's
# arithmetic overflows.
MIN_YEAR, MAX_YEAR = 2000, 2100


def period_bound(text: str, name: str, end: bool) -> datetime:
    """An RFC 3339 time with its offset, or a date (local midnight; an end date counts as a whole day),
    in MIN_YEAR–MAX_YEAR. ValueError says what is wrong, for a person. The API and the console's form
    both read periods through it."""
    text = text.strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
        moment = None if day else datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{name}: give a date (2026-11-01) or a time with its offset (2026-11-01T00:00:00Z)."
        ) from None
    if not MIN_YEAR <= (day or moment).year <= MAX_YEAR:
        raise ValueError(f"{name}: a period lies between the years {MIN_YEAR} and {MAX_YEAR}.")
    if day is not None:
        return _local_midnight(day + timedelta(days=1) if end else day)
    if moment.tzinfo is None:
        raise ValueError(f"{name}: {OFFSET_REQUIRED}")
    return moment


def period_from(params, now: datetime | None = None) -> Period:
    """The period a request asks for: `preset`, or `since` and `until` (either may be left out: the
    last 30 days end now), and `exercise` (true/false). ValueError says what is wrong, for a person."""
    now = now or timezone.now()
    exercise_text = (params.get("exercise") or "false").strip().lower()
    if exercise_text not in ("true", "false"):
        raise ValueError("exercise: true for drill traffic, false for real traffic.")
    exercise = exercise_text == "true"
    preset = (params.get("preset") or "").strip()
    since_text, until_text = (params.get("since") or "").strip(), (params.get("until") or "").strip()
    if preset and (since_text or until_text):
        raise ValueError("Give a preset or a from–to period, not both.")
    if preset or not (since_text or until_text):
        return Period.preset(preset or DEFAULT_PRESET, now, exercise)
    until = period_bound(until_text, "until", end=True) if until_text else now
    since = period_bound(since_text, "since", end=False) if since_text else until - timedelta(days=30)
    if until <= since:
        raise ValueError("The period must end after it starts.")
    if until - since > LONGEST_PERIOD:
        raise ValueError(f"A period is at most {LONGEST_PERIOD.days} days.")
    return Period(since, until, exercise)
