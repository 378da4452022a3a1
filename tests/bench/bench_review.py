"""Review figures: a year of 100,000 messages, computed for the commission (issue 16: under 2 s on PostgreSQL).

The year is written in bulk, not through the actions (posting 100,000 messages one by one is what
bench_audit measures), but with the rows the actions and the engine would have left:
- the demo's seven member parties, a CERT and a defence crisis centre each, the secretariat and two observers;
- incidents (one per ten messages, about 20 % EXERCISE) between member organisations, their threads
  (reports, notes, information, status changes, requests for assistance answered in the thread or not);
- one acknowledgement per other taking-part organisation of each message that needs one: most given within
  the deadline, some late, some never (methods console, API, link, phone);
- an acknowledgement clock per acknowledgement, a reply clock per recipient of a request for assistance,
  each with the pages its policy fired before it stopped (level 0, the deadline, supervisors, head and
  commission desk, repeats) and their deliveries (console, e-mail, SMS, webhook; some failed);
- weekly reachability checks with every checked organisation's response and clock;
- exercise notifications (notices, amendments, cancellations, some late) with their acknowledgements and
  observation invitations, drone flights (some late, some cross-border) with theirs.
Times are spread over the 365 days before today (UTC), more by day than by night.

Timed: `hotline.review.figures.compute(Period(year))` and `trend(until=…)`, 5 runs each (best and median),
with the number of queries of one run. Run it on SQLite and on PostgreSQL (DATABASE_URL) and compare.
"""

import math
import os
import random
import statistics
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from accounts.choices import ContactMethod, OrganisationKind, PartyKind
from accounts.demo import CAPITAL_ZONES, MEMBER_PARTIES, OTHER_PARTIES, UNITS
from accounts.models import Organisation, Party
from hotline.escalation.choices import Clock, DeliveryStatus, Severity, TimerState
from hotline.escalation.models import Delivery, Page, Timer
from hotline.escalation.policy import Policy
from hotline.reachability.models import CheckResponse, ReachabilityCheck
from hotline.reachability.timers import CHECK_SEVERITY
from hotline.reachability.timers import SUBJECT_KIND as CHECK_KIND
from incidents.choices import AckMethod, Category, MessageKind, Status, Tlp
from incidents.models import Acknowledgement, Incident, IncidentRecipient, Message
from incidents.notifications.choices import (
    AltitudeReference,
    AltitudeUnit,
    CommandLevel,
    DroneCategory,
    ExerciseType,
    FlightState,
    ReplyAnswer,
    VersionKind,
)
from incidents.notifications.models import (
    DroneFlight,
    DroneFlightAcknowledgement,
    DroneVolume,
    ExerciseAcknowledgement,
    ExerciseNotification,
    ExerciseVersion,
    ObservationInvitation,
    ObservationReply,
)
from incidents.notifications.timers import CROSS_BORDER_SEVERITY, EXERCISE_KIND, EXERCISE_SEVERITY, FLIGHT_KIND
from incidents.notifications.timers import FLIGHT_SEVERITY as DRONE_SEVERITY
from incidents.timers import SUBJECT_KIND as ACK_KIND

BULK = 2_000  # rows per INSERT
CHUNK_MESSAGES = 10_000  # messages planned and written per transaction
RUNS = 5
ORDER = [
    "incidents", "messages", "acknowledgements", "reply", "timers", "pages", "deliveries", "checks", "check",
    "exercise", "observation", "drone",
]  # fmt: skip
EXERCISE_SHARE = 0.2
SEVERITIES = [(Severity.LOW, 30), (Severity.MEDIUM, 35), (Severity.HIGH, 25), (Severity.CRITICAL, 10)]
TLPS = [(Tlp.CLEAR, 5), (Tlp.GREEN, 25), (Tlp.AMBER, 50), (Tlp.AMBER_STRICT, 12), (Tlp.RED, 8)]
ACK_METHODS = [(AckMethod.CONSOLE, 70), (AckMethod.API, 15), (AckMethod.LINK, 10), (AckMethod.PHONE, 5)]
# Of the acknowledgements owed: never given, given late; the rest within the deadline.
OPEN_SHARE, LATE_SHARE = 0.05, 0.11
# Of the recipients of a request for assistance: reply within the clock, after it; the rest never.
REPLY_WITHIN_SHARE, REPLY_LATE_SHARE = 0.75, 0.12
FAILS = {ContactMethod.EMAIL: 0.02, ContactMethod.SMS: 0.05, ContactMethod.WEBHOOK: 0.04}
CHECK_WINDOW_MINUTES = 30
FLIGHTS = 600
EXERCISES_PER_PARTY = 8
AREA = {"type": "Polygon", "coordinates": [[[19.0, 42.0], [19.1, 42.0], [19.1, 42.1], [19.0, 42.1], [19.0, 42.0]]]}


def weighted(rng: random.Random, table):
    return rng.choices([value for value, _ in table], weights=[weight for _, weight in table])[0]


@contextmanager
def times_as_given(*model_classes):
    """`auto_now` and `auto_now_add` fields keep the times of the year written here, not the moment of writing."""
    fields = [
        f
        for model in model_classes
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    ]
    kept = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in kept:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class Directory:
    members: list[Organisation]
    desk: Organisation  # the commission secretariat
    by_party: dict[str, list[Organisation]]

    def crisis_centre(self, party_code: str) -> Organisation:
        return next(o for o in self.by_party[party_code] if o.kind == OrganisationKind.CRISIS_CENTRE)


def directory() -> Directory:
    """The demo's parties and organisations (accounts/demo.py), without its people and rosters: the figures
    count organisations, and every page and delivery below names its addresses itself."""
    members, by_party = [], {}
    for position, (code, name, languages, _) in enumerate(MEMBER_PARTIES):
        party = Party.objects.create(code=code, name=name, kind=PartyKind.MEMBER, position=position)
        by_party[code] = [
            Organisation.objects.create(
                party=party,
                code=f"{code}-{unit}",
                name=f"{name} — {title}",
                kind=kind,
                time_zone=CAPITAL_ZONES[code],
                languages=languages,
            )
            for unit, title, kind in UNITS
        ]
        members += by_party[code]
    desk = None
    for position, (code, name, party_kind, org_code, org_name, org_kind, languages, _) in enumerate(
        OTHER_PARTIES, start=10
    ):
        party = Party.objects.create(code=code, name=name, kind=party_kind, position=position)
        organisation = Organisation.objects.create(
            party=party, code=org_code, name=org_name, kind=org_kind, time_zone=CAPITAL_ZONES[code], languages=languages
        )
        if org_kind == OrganisationKind.SECRETARIAT:
            desk = organisation
    return Directory(members, desk, by_party)


# --- escalation: the pages a clock fired before it stopped ------------------------------------------------


@dataclass
class Clocked:
    """A timer to write, with the pages (level, repeat, due) it fired before `stop` (or before the end of the
    year, for one still running)."""

    timer: Timer
    pages: list[tuple[int, int, datetime]] = field(default_factory=list)


def fired(policy: Policy, started_at: datetime, stop: datetime):
    """The pages (level, repeat, due) a clock fires before `stop`, as engine._advance steps it, and then
    (level, repeat, due) of the step that fires next, or None for that due when it is exhausted."""
    levels = policy.levels
    pages, level, repeat = [], 0, 0
    due = started_at + timedelta(seconds=levels[0]["after_s"])
    while due < stop:
        pages.append((level, repeat, due))
        if level + 1 < len(levels):
            level += 1
            due = started_at + timedelta(seconds=levels[level]["after_s"])
        elif policy.repeat_count is None or repeat < policy.repeat_count:
            repeat += 1
            due += timedelta(seconds=policy.repeat_every_s)
        else:
            return pages, level, repeat, None
    return pages, level, repeat, due


def abandoned(rng: random.Random, policy: Policy, started_at: datetime) -> datetime:
    """When a clock nobody answers is cancelled (the incident closed, the flight flown, the next check):
    after its last level and up to eight repeats."""
    last = policy.levels[-1]["after_s"] + policy.repeat_every_s * rng.randint(0, 8) + 60
    return started_at + timedelta(seconds=last)


def clocked(
    *,
    kind: str,
    subject_id: int,
    recipient: Organisation,
    sender: Organisation,
    severity: str,
    policy: Policy,
    started_at: datetime,
    stop: datetime | None,
    stop_state: str,
    end: datetime,
    clock: str = Clock.ACKNOWLEDGEMENT,
    exercise: bool = False,
    deadline: datetime | None = None,
    stopped_by: str = "",
) -> Clocked:
    """The timer and pages of a clock stopped at `stop` (given, replied, cancelled), exhausted before it,
    or still running at `end`."""
    stopped = stop is not None and stop < end
    pages, level, repeat, next_due = fired(policy, started_at, stop if stopped else end)
    timer = Timer(
        subject_kind=kind,
        subject_id=subject_id,
        clock=clock,
        recipient=recipient,
        sender=sender,
        severity=severity,
        exercise=exercise,
        policy=policy.snapshot(),
        started_at=started_at,
        deadline=deadline or started_at + policy.acknowledge_within,
        level=level,
        repeat=repeat,
    )
    if next_due is None:
        timer.state, timer.stopped_at = TimerState.EXHAUSTED, pages[-1][2]
    elif stopped:
        timer.state, timer.stopped_at, timer.stopped_by_label = stop_state, stop, stopped_by
    else:
        timer.state, timer.next_fire_at = TimerState.RUNNING, next_due
    return Clocked(timer, pages)


class Writer:
    """Writes timers with their pages and deliveries, counting what it wrote."""

    def __init__(self, rng: random.Random, desk: Organisation, counts: Counter):
        self.rng, self.desk, self.counts = rng, desk, counts

    def routes(self, timer: Timer, level: dict) -> list[tuple[str, str]]:
        """(method, address) of one page, as engine._routes would find them in the demo's directory."""
        recipient, methods = timer.recipient, set(level["methods"])
        domain = f"{recipient.code.lower()}.example"
        routes = [(ContactMethod.CONSOLE, f"console:{recipient.code}")] if ContactMethod.CONSOLE in methods else []
        people = {
            "organisation": [f"duty@{domain}"],
            "on_duty": [f"duty@{domain}"],
            "supervisors": [f"supervisor@{domain}"],
            "head": [f"head@{domain}"],
            "commission_desk": [f"duty@{self.desk.code.lower()}.example"],
        }
        for target in level["targets"]:
            for address in people.get(target, []):
                if ContactMethod.EMAIL in methods:
                    routes.append((ContactMethod.EMAIL, address))
                if ContactMethod.SMS in methods and target != "organisation":
                    routes.append((ContactMethod.SMS, f"sms:{address}"))
        if ContactMethod.WEBHOOK in methods and recipient.kind == OrganisationKind.CERT:
            routes.append((ContactMethod.WEBHOOK, f"https://hooks.{domain}/hotline"))
        return list(dict.fromkeys(routes))

    def write(self, items: list[Clocked]) -> None:
        timers = Timer.objects.bulk_create([item.timer for item in items], batch_size=BULK)
        pages = []
        for item, timer in zip(items, timers, strict=True):
            for level, repeat, due in item.pages:
                pages.append(
                    Page(
                        timer=timer,
                        level=level,
                        repeat=repeat,
                        due_at=due,
                        created_at=due + timedelta(milliseconds=self.rng.randint(150, 2500)),
                        targets=timer.policy["levels"][level]["targets"],
                    )
                )
        with times_as_given(Page):
            pages = Page.objects.bulk_create(pages, batch_size=BULK)
        deliveries = []
        for page in pages:
            for method, address in self.routes(page.timer, page.timer.policy["levels"][page.level]):
                failed = self.rng.random() < FAILS.get(method, 0)
                at = page.created_at
                deliveries.append(
                    Delivery(
                        page=page,
                        method=method,
                        address=address,
                        label=address,
                        status=DeliveryStatus.FAILED if failed else DeliveryStatus.SENT,
                        send_after=at,
                        next_attempt_at=at,
                        send_before=at + timedelta(minutes=15),
                        attempts=5 if failed else 1,
                        last_error="HTTP 503 from the gateway" if failed else "",
                        sent_at=None if failed else at + timedelta(milliseconds=self.rng.randint(0, 4000)),
                    )
                )
        Delivery.objects.bulk_create(deliveries, batch_size=BULK)
        self.counts["timers"] += len(timers)
        for timer in timers:
            self.counts[f"  timers {timer.state}"] += 1
        for page in pages:
            if page.level:
                self.counts[f"  pages of level {page.level}{' (repeats)' if page.repeat else ''}"] += 1
        self.counts["pages"] += len(pages)
        self.counts["deliveries"] += len(deliveries)
        self.counts["deliveries failed"] += sum(d.status == DeliveryStatus.FAILED for d in deliveries)


# --- the year -------------------------------------------------------------------------------------------


@dataclass
class Planned:
    """One message of a thread, before it is written."""

    at: datetime
    organisation: Organisation
    kind: str
    requires_ack: bool
    reply_by: datetime | None = None


class Year:
    """A year of traffic ending at `end` (exclusive), seeded."""

    def __init__(self, world: Directory, end: datetime, seed: int):
        self.world, self.end, self.start = world, end, end - timedelta(days=365)
        self.rng = random.Random(seed)
        self.counts = Counter()
        self.writer = Writer(self.rng, world.desk, self.counts)
        self.policies = {severity: Policy.default(severity) for severity in Severity.values}
        self.numbers = Counter()  # (model, year) -> last number

    def moment(self, start: datetime | None = None, days: float = 365) -> datetime:
        """A time in the year: more by day (06:00–22:00 UTC) than by night."""
        start = start or self.start
        day = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            days=self.rng.randrange(max(1, int(days)))
        )
        hour = self.rng.uniform(6, 22) if self.rng.random() < 0.8 else (self.rng.uniform(22, 30) % 24)
        return day + timedelta(hours=hour)

    def number(self, model, year: int) -> int:
        self.numbers[(model, year)] += 1
        return self.numbers[(model, year)]

    def ack_outcome(self, given_from: datetime, deadline: timedelta) -> tuple[datetime | None, str]:
        """(acknowledged at, method): within the deadline, late, or never."""
        draw = self.rng.random()
        if draw < OPEN_SHARE:
            return None, ""
        if draw < OPEN_SHARE + LATE_SHARE:
            late = timedelta(seconds=min(3 * 3600, self.rng.expovariate(1 / 900) + 1))
            return given_from + deadline + late, weighted(self.rng, ACK_METHODS)
        took = deadline.total_seconds() * self.rng.betavariate(1.5, 4)
        return given_from + timedelta(seconds=max(5, took)), weighted(self.rng, ACK_METHODS)

    # --- incidents ---

    def thread(self, originator, recipients, opened: datetime, severity: str) -> list[Planned]:
        """The messages of one incident, in time order: the report, then notes, information, status changes
        and requests for assistance, each recipient of a request replying in the thread or not."""
        participants = [originator, *recipients]
        planned = [Planned(opened, originator, MessageKind.INFORMATION, True)]
        at, length = opened, self.rng.randint(3, 17)
        reply_within = timedelta(seconds=self.policies[severity].reply_within_s)
        for _ in range(length - 1):
            at += timedelta(seconds=self.rng.expovariate(1 / 7200) + 30)
            author = self.rng.choice(participants)
            draw = self.rng.random()
            if draw < 0.06:
                planned.append(Planned(at, author, MessageKind.REQUEST_FOR_ASSISTANCE, True, at + reply_within))
                for other in participants:
                    if other is author:
                        continue
                    answer = self.rng.random()
                    if answer < REPLY_WITHIN_SHARE:
                        later = self.rng.uniform(600, reply_within.total_seconds() * 0.9)
                    elif answer < REPLY_WITHIN_SHARE + REPLY_LATE_SHARE:
                        later = reply_within.total_seconds() + self.rng.uniform(600, 86_400)
                    else:
                        continue
                    planned.append(
                        Planned(at + timedelta(seconds=later), other, MessageKind.NOTE, self.rng.random() < 0.6)
                    )
            elif draw < 0.14:
                planned.append(Planned(at, originator, MessageKind.STATUS_CHANGE, False))
            else:
                kind = MessageKind.NOTE if draw < 0.80 else MessageKind.INFORMATION
                planned.append(Planned(at, author, kind, self.rng.random() < 0.6))
        planned.sort(key=lambda p: p.at)
        return [p for p in planned if p.at < self.end]

    def incidents(self, messages: int) -> None:
        members = self.world.members
        written = 0
        while written < messages:
            plans = []
            while sum(len(plan[1]) for plan in plans) < min(CHUNK_MESSAGES, messages - written):
                originator = self.rng.choice(members)
                same_kind = [o for o in members if o.kind == originator.kind and o.party_id != originator.party_id]
                others = [o for o in members if o.party_id != originator.party_id]
                count = self.rng.choices([1, 2, 3], weights=[55, 30, 15])[0]
                recipients = self.rng.sample(same_kind if self.rng.random() < 0.7 else others, count)
                severity = weighted(self.rng, SEVERITIES)
                opened = self.moment(days=363)
                thread = self.thread(originator, recipients, opened, severity)
                room = messages - written - sum(len(plan[1]) for plan in plans)
                plans.append(((originator, recipients, opened, severity), thread[:room]))
            with transaction.atomic():
                self.write_incidents(plans)
            written += sum(len(thread) for _, thread in plans)
        self.counts["messages"] = written

    def write_incidents(self, plans) -> None:
        incidents = []
        for (originator, _, opened, severity), thread in plans:
            last = thread[-1].at
            closed = last < self.end - timedelta(days=7)
            incidents.append(
                Incident(
                    year=opened.year,
                    number=self.number(Incident, opened.year),
                    category=self.rng.choice(Category.values),
                    severity=severity,
                    tlp=weighted(self.rng, TLPS),
                    exercise=self.rng.random() < EXERCISE_SHARE,
                    status=Status.CLOSED if closed else Status.OPEN,
                    originator=originator,
                    title="Benchmark incident",
                    summary="Benchmark incident",
                    occurred_at=opened - timedelta(minutes=self.rng.randint(5, 240)),
                    reported_by_label=f"{originator.code.lower()}-duty",
                    created_at=opened,
                    updated_at=last,
                )
            )
        with times_as_given(Incident):
            incidents = Incident.objects.bulk_create(incidents, batch_size=BULK)
        IncidentRecipient.objects.bulk_create(
            [
                IncidentRecipient(incident=incident, organisation=recipient)
                for incident, ((_, recipients, _, _), _) in zip(incidents, plans, strict=True)
                for recipient in recipients
            ],
            batch_size=BULK,
        )
        rows = []
        for incident, (_, thread) in zip(incidents, plans, strict=True):
            for number, planned in enumerate(thread, 1):
                message = Message(
                    incident=incident,
                    number=number,
                    kind=planned.kind,
                    organisation=planned.organisation,
                    author_label=f"{planned.organisation.code.lower()}-duty",
                    body="Benchmark message",
                    requires_ack=planned.requires_ack,
                    reply_by=planned.reply_by,
                    created_at=planned.at,
                )
                rows.append(message)
        with times_as_given(Message):
            rows = Message.objects.bulk_create(rows, batch_size=BULK)
        self.counts["incidents"] += len(incidents)
        self.counts["incidents exercise"] += sum(i.exercise for i in incidents)
        by_incident = {}
        for message in rows:
            by_incident.setdefault(message.incident_id, []).append(message)
        acknowledgements, pending = [], []
        for incident, ((originator, recipients, _, _), _) in zip(incidents, plans, strict=True):
            participants = [originator, *recipients]
            thread = by_incident[incident.pk]
            deadline = self.policies[incident.severity].acknowledge_within
            for message in thread:
                if not message.requires_ack:
                    continue
                for other in participants:
                    if other.pk == message.organisation_id:
                        continue
                    given, method = self.ack_outcome(message.created_at, deadline)
                    if given is not None and given >= self.end:
                        given, method = None, ""
                    acknowledgements.append(
                        Acknowledgement(
                            message=message,
                            organisation=other,
                            due_at=message.created_at + deadline,
                            acknowledged_at=given,
                            acknowledged_by_label=f"{other.code.lower()}-duty" if given else "",
                            method=method,
                        )
                    )
                    pending.append((incident, message, other, thread))
        acknowledgements = Acknowledgement.objects.bulk_create(acknowledgements, batch_size=BULK)
        self.counts["acknowledgements"] += len(acknowledgements)
        self.counts["acknowledgements open"] += sum(a.acknowledged_at is None for a in acknowledgements)
        self.counts["acknowledgements late"] += sum(
            a.acknowledged_at is not None and a.acknowledged_at > a.due_at for a in acknowledgements
        )
        clocks = []
        for acknowledgement, (incident, message, other, thread) in zip(acknowledgements, pending, strict=True):
            policy = self.policies[incident.severity]
            common = dict(
                kind=ACK_KIND,
                subject_id=acknowledgement.pk,
                recipient=other,
                sender=message.organisation,
                severity=incident.severity,
                started_at=message.created_at,
                exercise=incident.exercise,
                end=self.end,
            )
            if acknowledgement.acknowledged_at is not None:
                stop, state, label = acknowledgement.acknowledged_at, TimerState.ACKNOWLEDGED, "duty"
            elif message.created_at < self.end - timedelta(hours=6):
                # Never acknowledged: the clock pages until the incident is closed or someone cancels it.
                stop, state, label = abandoned(self.rng, policy, message.created_at), TimerState.CANCELLED, "closed"
            else:
                stop, state, label = None, TimerState.RUNNING, ""
            clocks.append(clocked(**common, policy=policy, stop=stop, stop_state=state, stopped_by=label))
            if message.reply_by is not None:
                replied = next(
                    (
                        m.created_at
                        for m in thread
                        if m.organisation_id == other.pk and m.created_at > message.created_at
                    ),
                    None,
                )
                within = int((message.reply_by - message.created_at).total_seconds())
                clocks.append(
                    clocked(
                        **common,
                        clock=Clock.REPLY,
                        policy=policy.reply_reminders(within),
                        deadline=message.reply_by,
                        stop=replied,
                        stop_state=TimerState.ACKNOWLEDGED,
                        stopped_by="replied",
                    )
                )
                self.counts["reply clocks"] += 1
        self.writer.write(clocks)

    # --- reachability checks ---

    def checks(self) -> None:
        checked = self.world.members
        window = timedelta(minutes=CHECK_WINDOW_MINUTES)
        policy = Policy.default(CHECK_SEVERITY).with_deadline(window)
        first = self.start + timedelta(days=(7 - self.start.weekday()) % 7)  # the first Monday
        rows, started = [], []
        for week in range(52):
            day = first + timedelta(weeks=week)
            at = day.replace(hour=0) + timedelta(minutes=self.rng.randint(0, 24 * 60 - 1))
            if at >= self.end:
                break
            rows.append(
                ReachabilityCheck(
                    reference=f"CHK-{at:%Y-%m-%d}",
                    started_at=at,
                    started_by_label="schedule",
                    scheduled_for=at,
                    window_minutes=CHECK_WINDOW_MINUTES,
                )
            )
            started.append(at)
        rows = ReachabilityCheck.objects.bulk_create(rows)
        responses = []
        for check in rows:
            for organisation in checked:
                draw = self.rng.random()
                if draw < 0.05:
                    answered = None
                elif draw < 0.12:
                    answered = check.started_at + window + timedelta(minutes=self.rng.uniform(1, 180))
                else:
                    answered = check.started_at + timedelta(seconds=self.rng.uniform(20, window.total_seconds()))
                responses.append(
                    CheckResponse(
                        reachability_check=check,
                        organisation=organisation,
                        due_at=check.started_at + window,
                        acknowledged_at=answered,
                        acknowledged_by_label="duty" if answered else "",
                        method=weighted(self.rng, ACK_METHODS) if answered else "",
                    )
                )
        responses = CheckResponse.objects.bulk_create(responses, batch_size=BULK)
        next_check = {check.pk: later for check, later in zip(rows, [*started[1:], None], strict=True)}
        clocks = []
        for response in responses:
            check = response.reachability_check
            if response.acknowledged_at is not None:
                stop, state = response.acknowledged_at, TimerState.ACKNOWLEDGED
            else:  # cancelled by hand, or superseded by the next check (timers.cancel_superseded)
                stop = abandoned(self.rng, policy, check.started_at)
                if next_check[check.pk] is not None:
                    stop = min(stop, next_check[check.pk])
                state = TimerState.CANCELLED
            clocks.append(
                clocked(
                    kind=CHECK_KIND,
                    subject_id=response.pk,
                    recipient=response.organisation,
                    sender=self.world.desk,
                    severity=CHECK_SEVERITY,
                    policy=policy,
                    started_at=check.started_at,
                    stop=stop,
                    stop_state=state,
                    end=self.end,
                    stopped_by="answered" if state == TimerState.ACKNOWLEDGED else "superseded",
                )
            )
        self.writer.write(clocks)
        self.counts["checks"] += len(rows)
        self.counts["check responses"] += len(responses)

    # --- notifications ---

    def exercises(self) -> None:
        """Each party's crisis centre notifies EXERCISES_PER_PARTY exercises (15 % late), some amended or
        cancelled; every version is acknowledged by every recipient (the other crisis centres, their CERTs
        for a cyber exercise, the secretariat), a new version cancelling what the previous one waited for."""
        notice = timedelta(days=42)
        policy = self.policies[EXERCISE_SEVERITY]
        clocks = []
        for code, *_ in MEMBER_PARTIES:
            notifying = self.world.crisis_centre(code)
            others = [self.world.crisis_centre(other) for other, *_ in MEMBER_PARTIES if other != code]
            for _ in range(EXERCISES_PER_PARTY):
                filed = self.moment(days=340)
                if self.rng.random() < 0.15:
                    starts = filed + notice - timedelta(days=self.rng.uniform(0.5, 20))
                else:
                    starts = filed + notice + timedelta(days=self.rng.uniform(1, 30))
                exercise_type = self.rng.choice(ExerciseType.values)
                certs = [o for o in self.world.members if o.kind == OrganisationKind.CERT and o.party.code != code]
                to = others + (certs if exercise_type == ExerciseType.CYBER else []) + [self.world.desk]
                kinds = [VersionKind.NOTICE] + [VersionKind.AMENDMENT] * self.rng.choices([0, 1, 2], [60, 30, 10])[0]
                if self.rng.random() < 0.08:
                    kinds.append(VersionKind.CANCELLATION)
                filed_at = [filed]
                while len(filed_at) < len(kinds):
                    filed_at.append(filed_at[-1] + timedelta(days=self.rng.uniform(1, 10)))
                filed_at = [at for at in filed_at if at < self.end]
                with times_as_given(ExerciseNotification):
                    notification = ExerciseNotification.objects.create(
                        year=filed.year,
                        number=self.number(ExerciseNotification, filed.year),
                        organisation=notifying,
                        created_at=filed,
                        updated_at=filed_at[-1],
                    )
                for number, (kind, at) in enumerate(zip(kinds, filed_at, strict=False), 1):
                    lateness = (at - (starts - notice)).total_seconds()
                    version = ExerciseVersion.objects.create(
                        notification=notification,
                        number=number,
                        kind=kind,
                        designation=f"Exercise {notification.number}",
                        exercise_type=exercise_type,
                        purpose="Benchmark",
                        starts_at=starts,
                        ends_at=starts + timedelta(days=self.rng.randint(1, 10)),
                        area=AREA,
                        command_level=self.rng.choice(CommandLevel.values),
                        troops=self.rng.randint(500, 5000),
                        filed_at=at,
                        filed_by_label=f"{code.lower()}-mod-duty",
                        late_by_s=math.ceil(lateness) if lateness > 0 and kind != VersionKind.CANCELLATION else None,
                        boundary_version="natural-earth",
                    )
                    superseded_at = filed_at[number] if number < len(filed_at) else None
                    rows = []
                    for organisation in to:
                        given, method = self.ack_outcome(at, policy.acknowledge_within)
                        if given is not None and given >= self.end:
                            given, method = None, ""
                        rows.append(
                            ExerciseAcknowledgement(
                                version=version,
                                organisation=organisation,
                                due_at=at + policy.acknowledge_within,
                                acknowledged_at=given,
                                acknowledged_by_label="duty" if given else "",
                                method=method,
                            )
                        )
                    for acknowledgement in ExerciseAcknowledgement.objects.bulk_create(rows):
                        stop, state = acknowledgement.acknowledged_at, TimerState.ACKNOWLEDGED
                        if stop is None:
                            stop, state = abandoned(self.rng, policy, at), TimerState.CANCELLED
                        if superseded_at is not None and superseded_at < stop:
                            stop, state = superseded_at, TimerState.CANCELLED
                        clocks.append(
                            clocked(
                                kind=EXERCISE_KIND,
                                subject_id=acknowledgement.pk,
                                recipient=acknowledgement.organisation,
                                sender=notifying,
                                severity=EXERCISE_SEVERITY,
                                policy=policy,
                                started_at=at,
                                stop=stop,
                                stop_state=state,
                                end=self.end,
                            )
                        )
                    self.counts["exercise versions"] += 1
                    self.counts["exercise acknowledgements"] += len(rows)
                ExerciseNotification.objects.filter(pk=notification.pk).update(
                    latest=version, cancelled=version.kind == VersionKind.CANCELLATION
                )
                self.counts["exercise notifications"] += 1
                if self.rng.random() < 0.3 and version.kind != VersionKind.CANCELLATION:
                    with times_as_given(ObservationInvitation):
                        invitation = ObservationInvitation.objects.create(
                            notification=notification,
                            starts_at=starts,
                            ends_at=starts + timedelta(days=1),
                            reporting_point="Benchmark",
                            observers_per_party=2,
                            reply_by=starts - timedelta(days=7),
                            created_at=filed,
                            created_by_label=f"{code.lower()}-mod-duty",
                        )
                    ObservationReply.objects.bulk_create(
                        ObservationReply(
                            invitation=invitation,
                            organisation=organisation,
                            answer=self.rng.choice(ReplyAnswer.values),
                            replied_at=min(invitation.reply_by, filed + timedelta(days=self.rng.uniform(1, 20))),
                            replied_by_label="duty",
                        )
                        for organisation in others
                        if self.rng.random() < 0.8
                    )
                    self.counts["observation invitations"] += 1
        self.writer.write(clocks)

    def flights(self) -> None:
        members = self.world.members
        notice = timedelta(hours=72)
        flights, plans = [], []
        for _ in range(FLIGHTS):
            operator = self.rng.choice([o for o in members if o.kind == OrganisationKind.CRISIS_CENTRE])
            filed = self.moment(days=360)
            late = self.rng.random() < 0.1
            starts = filed + notice + timedelta(hours=self.rng.uniform(1, 120))
            if late:
                starts = filed + notice - timedelta(hours=self.rng.uniform(1, 60))
            neighbours = self.rng.sample(
                [c for c, *_ in MEMBER_PARTIES if c != operator.party.code], self.rng.randint(0, 3)
            )
            crosses = neighbours[:1] if neighbours and self.rng.random() < 0.2 else []
            lateness = (filed - (starts - notice)).total_seconds()
            with_state = FlightState.COMPLETED if starts + timedelta(hours=4) < self.end else FlightState.PLANNED
            flights.append(
                DroneFlight(
                    year=filed.year,
                    number=self.number(DroneFlight, filed.year),
                    organisation=operator,
                    aircraft_type="Benchmark",
                    aircraft_category=self.rng.choice(DroneCategory.values),
                    mtom_kg=25,
                    purpose="Benchmark",
                    state=with_state,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    filed_at=filed,
                    filed_by_label=f"{operator.code.lower()}-duty",
                    updated_at=filed,
                    late_by_s=math.ceil(lateness) if lateness > 0 else None,
                    neighbours=[{"party": c, "distance_m": 10_000.0} for c in neighbours],
                    crosses_into=crosses,
                    boundary_version="natural-earth",
                )
            )
            plans.append((neighbours, crosses))
        with times_as_given(DroneFlight):
            flights = DroneFlight.objects.bulk_create(flights, batch_size=BULK)
        DroneVolume.objects.bulk_create(
            [
                DroneVolume(
                    flight=flight,
                    number=1,
                    circle={"lon": 19.0, "lat": 42.0, "radius_m": 2000},
                    lower_value=0,
                    lower_unit=AltitudeUnit.METRES,
                    lower_reference=AltitudeReference.AGL,
                    upper_value=120,
                    upper_unit=AltitudeUnit.METRES,
                    upper_reference=AltitudeReference.AGL,
                    starts_at=flight.starts_at,
                    ends_at=flight.ends_at,
                    west=18.97,
                    south=41.98,
                    east=19.03,
                    north=42.02,
                )
                for flight in flights
            ],
            batch_size=BULK,
        )
        rows, severities = [], []
        for flight, (neighbours, crosses) in zip(flights, plans, strict=True):
            to = [(self.world.crisis_centre(c), 10_000.0, c in crosses) for c in neighbours]
            to.append((self.world.desk, None, False))
            for organisation, distance, cross in to:
                severity = CROSS_BORDER_SEVERITY if cross else DRONE_SEVERITY
                within = self.policies[severity].acknowledge_within
                given, method = self.ack_outcome(flight.filed_at, within)
                given = given if given and given < self.end else None
                rows.append(
                    DroneFlightAcknowledgement(
                        flight=flight,
                        organisation=organisation,
                        distance_m=distance,
                        cross_border=cross,
                        due_at=flight.filed_at + within,
                        acknowledged_at=given,
                        acknowledged_by_label="duty" if given else "",
                        method=method if given else "",
                    )
                )
                severities.append(severity)
        rows = DroneFlightAcknowledgement.objects.bulk_create(rows, batch_size=BULK)
        clocks = [
            clocked(
                kind=FLIGHT_KIND,
                subject_id=acknowledgement.pk,
                recipient=acknowledgement.organisation,
                sender=acknowledgement.flight.organisation,
                severity=severity,
                policy=self.policies[severity],
                started_at=acknowledgement.flight.filed_at,
                stop=acknowledgement.acknowledged_at
                or abandoned(self.rng, self.policies[severity], acknowledgement.flight.filed_at),
                stop_state=TimerState.ACKNOWLEDGED if acknowledgement.acknowledged_at else TimerState.CANCELLED,
                end=self.end,
            )
            for acknowledgement, severity in zip(rows, severities, strict=True)
        ]
        self.writer.write(clocks)
        self.counts["drone flights"] += len(flights)
        self.counts["drone flight acknowledgements"] += len(rows)


# --- timing -------------------------------------------------------------------------------------------------


def backend_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend serving this connection has used, when it runs on this machine
    (its /proc entry): with the time of this process, what the computation costs whatever the neighbours
    of a shared machine take meanwhile. None elsewhere (SQLite runs in this process)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@contextmanager
def serial():
    """No parallel workers, so that the backend's CPU time is the whole of the database's work."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


def timed_runs(function, runs: int = RUNS) -> dict:
    """`runs` calls: each one's wall-clock seconds, and of the median one its queries, the seconds the
    database took to answer them and this process's CPU seconds (the ORM and Python: on a shared machine
    the wall clock also holds what the neighbours took); then one call without parallel workers for the
    CPU seconds of the database's backend (PostgreSQL on this machine)."""
    measured = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            cpu, started = time.process_time(), time.perf_counter()
            function()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        sql = sum(float(query["time"]) for query in captured.captured_queries)
        measured.append((wall, len(captured.captured_queries), sql, cpu))
    walls = [wall for wall, *_ in measured]
    _, queries, sql, cpu = sorted(measured)[len(measured) // 2]
    found = {"best": min(walls), "median": statistics.median(walls), "queries": queries, "sql": sql, "cpu": cpu}
    with serial():
        before, started = backend_cpu(), time.process_time()
        if before is not None:
            function()
            found["serial_cpu"] = time.process_time() - started, backend_cpu() - before
    return found


def slowest_queries(function, top: int = 5) -> list[tuple[float, str]]:
    with CaptureQueriesContext(connection) as captured:
        function()
    return sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)[:top]


def analyse() -> None:
    """Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would have them in production."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(messages: int, seed: int, runs: int = RUNS, explain: bool = False) -> None:
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    print(
        f"review figures benchmark on {connection.vendor}: a year of {messages:,} messages "
        f"(seed {seed}) until {end:%Y-%m-%d}"
    )
    started = time.perf_counter()
    with transaction.atomic():
        world = directory()
    year = Year(world, end, seed)
    year.incidents(messages)
    with transaction.atomic():
        year.checks()
        year.exercises()
        year.flights()
    analyse()
    print(f"  written in {time.perf_counter() - started:.0f} s:")
    counts = year.counts
    for label in sorted(counts, key=lambda label: (ORDER.index(label.split()[0]), label.startswith(" "), label)):
        print(f"    {label:<32} {counts[label]:>9,}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            print(f"    database size                    {cursor.fetchone()[0]:>9}")

    try:
        from hotline.review.figures import Period, compute, trend
    except ImportError as missing:
        print(f"  hotline.review.figures is not there yet ({missing}): nothing timed")
        return
    period = Period(since=year.start, until=end, exercise=False)
    drill = Period(since=year.start, until=end, exercise=True)
    timings = [
        ("compute(year)", lambda: compute(period)),
        ("compute(year, exercise)", lambda: compute(drill)),
        ("trend(12 months)", lambda: trend(until=end, exercise=False, months=12)),
    ]
    figures = compute(period)
    owed = sum(p["totals"]["acknowledgements"]["owed"] for p in figures["parties"])
    print(f"  figures: {len(figures['parties'])} parties, {owed:,} real acknowledgements owed in the period")
    print(f"  {runs} runs each; of the median run: queries, time in the database, CPU time of this process")
    best = {}
    for label, function in timings:
        found = timed_runs(function, runs)
        best[label] = found["best"], sum(found.get("serial_cpu", ()))
        print(
            f"  {label:<26} best {found['best']:6.3f} s   median {found['median']:6.3f} s   "
            f"{found['queries']:>4} queries   database {found['sql']:6.3f} s   CPU {found['cpu']:6.3f} s"
        )
        if "serial_cpu" in found:
            ours, backend = found["serial_cpu"]
            print(
                f"  {'':<26} without parallel workers: CPU {ours:6.3f} s here + {backend:6.3f} s in the backend "
                f"= {ours + backend:6.3f} s (the wall clock of an idle machine, at most)"
            )
    if connection.vendor == "postgresql":
        seconds, cpu = best["compute(year)"]
        print(
            f"  target compute(year) < 2 s on PostgreSQL: {'met' if seconds < 2 else 'NOT MET'} by the wall clock "
            f"({seconds:.3f} s), {'met' if cpu < 2 else 'NOT MET'} by the CPU it costs ({cpu:.3f} s)"
        )
    if explain:
        for label, function in timings:
            print(f"  slowest queries of {label}:")
            for rank, (seconds, sql) in enumerate(slowest_queries(function)):
                print(f"    {seconds:6.3f} s  {sql[:600]}")
                if rank < 3:
                    for line in plan(sql):
                        print(f"        {line}")


def plan(sql: str) -> list[str]:
    """How the database ran one query: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" ".join(str(column) for column in row) for row in cursor.fetchall()]
