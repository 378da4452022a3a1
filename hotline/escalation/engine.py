"""The escalation engine: starting and stopping timers, and the tick that fires what is due.

Steps of a tick (DESIGN.md): in one short transaction, claim a batch of running timers whose
`next_fire_at` has come (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers share the work; the
embedded SQLite serialises whole transactions, so there is nothing to skip), write one page per timer
with its deliveries, advance each timer to its next step and commit. Console alerts are events written
in that same transaction; everything else is sent after commit by `sending.send_due()`. The page's unique
key (timer, level, repeat) makes a second page for one step impossible, whatever runs twice.

The engine does not queue work itself: `tick()` returns how many pages it wrote, every batch committed,
and the Celery task that runs it (`tasks.tick`) then asks a worker to send them.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.choices import ContactMethod, Role
from accounts.duty import OnDuty, on_duty
from accounts.models import ContactPoint, Organisation, User
from hotline.audit.log import Entry, record_many
from hotline.escalation.choices import Clock, DeliveryStatus, Target, TimerState
from hotline.escalation.models import Delivery, EscalationPolicy, Page, Timer
from hotline.escalation.policy import Policy
from hotline.escalation.subjects import Summary, summaries
from hotline.escalation.transports import transport_for
from hotline.realtime.outbox import publish_many

log = logging.getLogger("hotline.escalation")

TICK_BATCH = 200  # timers per transaction: short transactions keep acknowledgements from waiting long


# --- policies ----------------------------------------------------------------------------------------


def severity_policy(severity: str) -> Policy:
    """The severity's policy as the commission saved it, else the built-in default."""
    row = EscalationPolicy.objects.filter(severity=severity, party_a__isnull=True).first()
    return row.as_policy() if row is not None else Policy.default(severity)


def policy_for(severity: str, sender: Organisation, recipient: Organisation) -> Policy:
    """The commission's override for the two parties, else the severity's policy."""
    if sender.party_id != recipient.party_id:
        parties = [sender.party_id, recipient.party_id]
        override = (
            EscalationPolicy.objects.filter(severity=severity, party_a_id__in=parties, party_b_id__in=parties)
            .select_related("party_a", "party_b")
            .first()
        )
        if override is not None:
            return override.as_policy()
    return severity_policy(severity)


# --- starting and stopping ---------------------------------------------------------------------------


@dataclass
class Watch:
    """What a subject asks the engine to watch: one clock for one recipient organisation."""

    subject_kind: str
    subject_id: int
    recipient: Organisation
    sender: Organisation
    severity: str
    policy: Policy
    started_at: datetime
    clock: str = Clock.ACKNOWLEDGEMENT
    exercise: bool = False
    deadline: datetime | None = None  # default: the policy's acknowledgement deadline (a reply clock sets its own)


def start_timers(watches: list[Watch]) -> list[Timer]:
    """Start the timers in the caller's transaction; the tick fires their first level within a second."""
    timers = []
    for watch in watches:
        policy = watch.policy
        timers.append(
            Timer(
                subject_kind=watch.subject_kind,
                subject_id=watch.subject_id,
                clock=watch.clock,
                recipient=watch.recipient,
                sender=watch.sender,
                severity=watch.severity,
                exercise=watch.exercise,
                policy=policy.snapshot(),
                started_at=watch.started_at,
                deadline=watch.deadline or watch.started_at + policy.acknowledge_within,
                next_fire_at=watch.started_at + timedelta(seconds=policy.levels[0]["after_s"]),
            )
        )
    return Timer.objects.bulk_create(timers)


def stop_timers(
    subject_kind: str,
    subject_ids,
    *,
    by_label: str,
    clock: str | None = None,
    recipient_id: int | None = None,
    state: str = TimerState.ACKNOWLEDGED,
) -> int:
    """Stop the running timers of these subjects and cancel what they have not sent yet, in the caller's
    transaction (the one that records the acknowledgement). A tick that holds a timer now finishes first:
    its page was due before the acknowledgement, and its unsent deliveries are cancelled here."""
    running = Timer.objects.filter(
        subject_kind=subject_kind, subject_id__in=list(subject_ids), state=TimerState.RUNNING
    )
    if clock is not None:
        running = running.filter(clock=clock)
    if recipient_id is not None:
        running = running.filter(recipient_id=recipient_id)
    timer_ids = list(running.select_for_update().values_list("pk", flat=True))
    if not timer_ids:
        return 0
    now = timezone.now()
    stopped = Timer.objects.filter(pk__in=timer_ids, state=TimerState.RUNNING).update(
        state=state, stopped_at=now, stopped_by_label=by_label, next_fire_at=None
    )
    Delivery.objects.filter(page__timer_id__in=timer_ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED
    )
    return stopped


# --- the tick ----------------------------------------------------------------------------------------


def tick(now: datetime | None = None) -> int:
    """Fire every due timer, a batch per transaction. Returns how many pages were written."""
    fired = 0
    while True:
        with transaction.atomic():
            moment = now or timezone.now()
            due = Timer.objects.filter(state=TimerState.RUNNING, next_fire_at__lte=moment).order_by("next_fire_at")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            timers = list(due.select_related("recipient__party", "sender")[:TICK_BATCH])
            fired += fire(timers, moment)
        if len(timers) < TICK_BATCH:
            break
    return fired


@dataclass
class Batch:
    """What the pages of one tick batch share, asked once per batch rather than once per page: their
    subjects' summaries, who is on duty at each organisation at the batch's moment, and the people and
    contact points of each organisation."""

    moment: datetime
    summaries: dict[tuple[str, int], Summary] = field(default_factory=dict)
    known: dict[tuple, object] = field(default_factory=dict)

    def summary(self, timer: Timer) -> Summary | None:
        return self.summaries.get((timer.subject_kind, timer.subject_id))

    def cached(self, key: tuple, compute):
        if key not in self.known:
            self.known[key] = compute()
        return self.known[key]

    def on_duty(self, organisation: Organisation) -> OnDuty:
        return self.cached(("duty", organisation.pk), lambda: on_duty(organisation, self.moment))


def fire(timers: list[Timer], now: datetime) -> int:
    """Page the current step of each timer and advance them, in the caller's transaction, with a
    constant number of statements per batch: the pages, their deliveries, the console alerts (events),
    the audit entries and the timers' new steps are each written in one go. Returns the pages written."""
    if not timers:
        return 0
    batch = Batch(now, summaries(timers))
    policies = [timer.as_policy() for timer in timers]
    pages = _write_pages(timers, policies)
    deliveries, alerts, entries = [], [], []
    for timer, policy, page in zip(timers, policies, pages, strict=True):
        if page is None:
            continue
        level = policy.levels[page.level]
        written = _deliveries(page, timer, level, now, batch)
        deliveries += written
        alerts += [
            transport_for(d.method).alert(d, timer, page, batch.summary(timer))
            for d in written
            if transport_for(d.method).in_transaction
        ]
        entries.append(
            Entry(
                "escalation.paged",
                target=page,
                organisation=timer.recipient.code,
                details={
                    "subject": f"{timer.subject_kind}:{timer.subject_id}",
                    "clock": timer.clock,
                    "recipient": timer.recipient.code,
                    "level": page.level,
                    "repeat": page.repeat,
                    "deliveries": len(written),
                    "lag_ms": round((now - page.due_at).total_seconds() * 1000),
                },
            )
        )
    Delivery.objects.bulk_create(deliveries)
    publish_many(alerts)
    record_many(entries)
    for timer, policy in zip(timers, policies, strict=True):
        _advance(timer, policy, now)
    Timer.objects.bulk_update(timers, ["level", "repeat", "next_fire_at", "state", "stopped_at"])
    return sum(page is not None for page in pages)


def _write_pages(timers: list[Timer], policies: list[Policy]) -> list[Page | None]:
    """One page per timer's current step, in one statement. A step that has paged already (impossible
    while a timer is claimed and advanced in one transaction; kept safe all the same) is skipped, one
    page at a time, and the timer moves on."""

    def page_of(timer, policy):
        return Page(
            timer=timer,
            level=timer.level,
            repeat=timer.repeat,
            due_at=timer.next_fire_at,
            targets=policy.levels[timer.level]["targets"],
        )

    try:
        with transaction.atomic():
            return Page.objects.bulk_create(
                [page_of(timer, policy) for timer, policy in zip(timers, policies, strict=True)]
            )
    except IntegrityError:
        pages = []
        for timer, policy in zip(timers, policies, strict=True):
            page = page_of(timer, policy)
            try:
                with transaction.atomic():
                    page.save()
                pages.append(page)
            except IntegrityError:
                log.warning(
                    "step already paged; advancing",
                    extra={"timer": timer.pk, "level": timer.level, "repeat": timer.repeat},
                )
                pages.append(None)
        return pages


def _advance(timer: Timer, policy: Policy, now: datetime) -> None:
    if timer.level + 1 < len(policy.levels):
        timer.level += 1
        timer.next_fire_at = timer.started_at + timedelta(seconds=policy.levels[timer.level]["after_s"])
    elif policy.repeat_count is None or timer.repeat < policy.repeat_count:
        timer.repeat += 1  # the last level again
        # Counted from when it was due, so a late tick does not shift the schedule; but when even the next
        # repeat is already past (after an outage), one period from now: one page for the outage, not a burst.
        period = timedelta(seconds=policy.repeat_every_s)
        due = timer.next_fire_at + period
        timer.next_fire_at = due if due > now else now + period
    else:
        timer.state, timer.next_fire_at, timer.stopped_at = TimerState.EXHAUSTED, None, now


# --- whom a level reaches ----------------------------------------------------------------------------


@dataclass
class Route:
    method: str
    address: str
    label: str
    person: User | None = None
    contact_point: ContactPoint | None = None


def _person_routes(person: User, methods) -> list[Route]:
    routes = []
    name = f"{person} ({person.organisation.code})" if person.organisation_id else str(person)
    if ContactMethod.EMAIL in methods and person.email:
        routes.append(Route(ContactMethod.EMAIL, person.email, name, person=person))
    if ContactMethod.SMS in methods and person.phone:
        routes.append(Route(ContactMethod.SMS, person.phone, name, person=person))
    return routes


def _contact_point_routes(points, methods) -> list[Route]:
    return [
        Route(
            point.method, point.address, f"{point.organisation.code} {point.get_method_display()}", contact_point=point
        )
        for point in points
        if point.method in methods and point.method != ContactMethod.CONSOLE and point.address
    ]


def _on_duty_routes(organisation: Organisation, batch: Batch, methods) -> list[Route]:
    """The primary on-duty officer(s) at this moment, else the backup, else the organisation's own
    contact points: somebody is always paged."""
    duty = batch.on_duty(organisation)
    people = [shift.person for shift in duty.primary] or [shift.person for shift in duty.backup]
    if people:
        return [route for person in people for route in _person_routes(person, methods)]
    return _contact_point_routes(duty.fallback_contact_points, methods)


def _people_with_role(organisation: Organisation, role: str, methods, batch: Batch) -> list[Route]:
    people = batch.cached(
        ("role", organisation.pk, role),
        lambda: list(
            User.objects.filter(organisation=organisation, role=role, is_active=True).select_related("organisation")
        ),
    )
    return [route for person in people for route in _person_routes(person, methods)]


def _own_contact_points(organisation: Organisation, batch: Batch) -> list[ContactPoint]:
    return batch.cached(
        ("points", organisation.pk), lambda: list(organisation.contact_points.select_related("organisation"))
    )


def _routes(timer: Timer, level: dict, batch: Batch) -> list[Route]:
    methods = set(level["methods"])
    recipient = timer.recipient
    routes = []
    if ContactMethod.CONSOLE in methods:
        routes.append(Route(ContactMethod.CONSOLE, f"console:{recipient.code}", f"{recipient.code} console"))
    for target in level["targets"]:
        if target == Target.ORGANISATION:
            routes += _contact_point_routes(_own_contact_points(recipient, batch), methods - {ContactMethod.WEBHOOK})
        elif target == Target.ON_DUTY:
            routes += _on_duty_routes(recipient, batch, methods)
        elif target == Target.SUPERVISORS:
            routes += _people_with_role(recipient, Role.SUPERVISOR, methods, batch)
        elif target == Target.HEAD:
            routes += _people_with_role(recipient, Role.HEAD, methods, batch)
        elif target == Target.COMMISSION_DESK:
            for desk in batch.cached(("desks",), lambda: list(Organisation.objects.commission())):
                routes += _on_duty_routes(desk, batch, methods - {ContactMethod.WEBHOOK})
        elif target == Target.CONTACT_POINTS:
            routes += _contact_point_routes(
                ContactPoint.objects.filter(pk__in=level.get("contact_points", [])).select_related("organisation"),
                methods,
            )
    if ContactMethod.WEBHOOK in methods:
        # The recipient's gateways (SMS, voice, chat, ticketing) get every page that asks for webhooks.
        routes += _contact_point_routes(
            [point for point in _own_contact_points(recipient, batch) if point.method == ContactMethod.WEBHOOK], methods
        )
    return routes


def _deliveries(page: Page, timer: Timer, level: dict, now: datetime, batch: Batch) -> list[Delivery]:
    window = timedelta(seconds=settings.ESCALATION_SEND_WINDOW_S)
    unique: dict[tuple[str, str], Delivery] = {}
    for route in _routes(timer, level, batch):
        if not transport_for(route.method).available():
            continue  # e.g. no SMS gateway configured: the timeline says which methods were not used
        send_after = now + timedelta(seconds=level["methods"].get(route.method, 0))
        delivery = Delivery(
            page=page,
            method=route.method,
            address=route.address,
            label=route.label[:200],
            person=route.person,
            contact_point=route.contact_point,
            send_after=send_after,
            next_attempt_at=send_after,
            send_before=send_after + window,
        )
        if transport_for(route.method).in_transaction:
            # Delivered by being written: the alert is an event in this same transaction.
            delivery.status, delivery.attempts, delivery.sent_at = DeliveryStatus.SENT, 1, now
        unique.setdefault((route.method, route.address), delivery)
    return list(unique.values())
