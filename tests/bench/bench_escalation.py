"""Escalation engine: how late pages are written when thousands of deadlines fall within a minute.

The real engine runs it, as in production: a Celery worker (`hotline worker`, concurrency 2) and beat
(a tick every second) against the benchmark's database and Redis. 10,000 messages await HR-CERT's
acknowledgement, their deadlines spread evenly over 60 s; at its deadline each pages HR-CERT's on-duty
officer (level 1 of the default CRITICAL policy: the console, and e-mail to a local fake SMTP server).
Lag is `Page.created_at - Page.due_at`: how late the page was written, not how long the e-mail took.
"""

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.choices import ContactMethod, OrganisationKind, PartyKind, Role, ShiftKind
from accounts.models import DutyShift, Organisation, Party, User
from hotline.escalation.choices import Severity
from hotline.escalation.models import Delivery, Page, Timer
from hotline.escalation.policy import Policy
from incidents.actions import do_report_incident
from incidents.choices import MessageKind
from incidents.models import Acknowledgement, Message
from incidents.timers import SUBJECT_KIND
from tests.audit.test_concurrent_appends import database_url_of_the_test_database
from tests.conftest import hotline_env
from tests.escalation.fakes import Engine, FakeSmtp

BULK = 1_000  # rows per INSERT while setting up
FIRST_DEADLINE_AFTER_S = 5  # time for the last rows to be written before the first deadline comes


def small_world() -> tuple:
    """RS-CERT reports to HR-CERT, whose duty officer is on duty for the day."""
    people = {}
    for code in ("RS", "HR"):
        party = Party.objects.create(code=code, name=code, kind=PartyKind.MEMBER)
        organisation = Organisation.objects.create(
            party=party, code=f"{code}-CERT", name=f"{code} CERT", kind=OrganisationKind.CERT
        )
        people[code] = User.objects.create(
            username=f"{code.lower()}-cert-duty",
            organisation=organisation,
            role=Role.DUTY_OFFICER,
            email=f"duty@{code.lower()}-cert.example",
        )
    now = timezone.now()
    DutyShift.objects.create(
        organisation=people["HR"].organisation,
        person=people["HR"],
        kind=ShiftKind.PRIMARY,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    incident = do_report_incident(
        people["RS"],
        recipients=[people["HR"].organisation],
        title="Benchmark",
        summary="Benchmark",
        category="cyber",
        severity=Severity.CRITICAL,
        tlp="AMBER",
        occurred_at=now,
    )
    Timer.objects.all().delete()  # the report's own clock: the benchmark makes its own below
    return incident, people["RS"], people["HR"].organisation


def waiting_messages(incident, author, recipient, count: int) -> list[Acknowledgement]:
    """`count` more messages in the thread, each awaiting the recipient's acknowledgement (written in bulk:
    posting them one by one through the action is what bench_audit measures)."""
    now = timezone.now()
    with transaction.atomic():
        messages = Message.objects.bulk_create(
            (
                Message(
                    incident=incident,
                    number=number,
                    kind=MessageKind.NOTE,
                    organisation=author.organisation,
                    author=author,
                    author_label=author.username,
                    body=f"update {number}",
                    requires_ack=True,
                )
                for number in range(2, count + 2)
            ),
            batch_size=BULK,
        )
        return Acknowledgement.objects.bulk_create(
            (Acknowledgement(message=message, organisation=recipient, due_at=now) for message in messages),
            batch_size=BULK,
        )


def pending_timers(acknowledgements, sender, recipient, spread_s: float, methods: list[str]) -> None:
    """One running timer per acknowledgement, its immediate console alert already given, its deadline
    (level 1: the on-duty officer) spread evenly over the next `spread_s` seconds."""
    policy = Policy.default(Severity.CRITICAL)
    policy.levels[1] = {**policy.levels[1], "methods": {method: 0 for method in methods}}
    snapshot, wait = policy.snapshot(), policy.acknowledge_within
    first = timezone.now() + timedelta(seconds=FIRST_DEADLINE_AFTER_S)
    step = spread_s / max(1, len(acknowledgements) - 1)
    timers = []
    for number, acknowledgement in enumerate(acknowledgements):
        deadline = first + timedelta(seconds=number * step)
        timers.append(
            Timer(
                subject_kind=SUBJECT_KIND,
                subject_id=acknowledgement.pk,
                recipient=recipient,
                sender=sender.organisation,
                severity=Severity.CRITICAL,
                policy=snapshot,
                started_at=deadline - wait,
                deadline=deadline,
                level=1,
                next_fire_at=deadline,
            )
        )
    Timer.objects.bulk_create(timers, batch_size=BULK)


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def wait_for_pages(count: int, timeout: float, engine: Engine) -> None:
    deadline = time.monotonic() + timeout
    while (written := Page.objects.count()) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {written:,} of {count:,} pages after {timeout:.0f} s\n{engine.logs()}")
        time.sleep(1)


def run(timers: int, spread_s: float, methods: list[str]) -> None:
    print(
        f"escalation engine benchmark on {connection.vendor}: {timers:,} deadlines over {spread_s:.0f} s, "
        f"level 1 by {' + '.join(methods)}, worker concurrency 2"
    )
    smtp = FakeSmtp()
    smtp.start()
    folder = Path(tempfile.mkdtemp(prefix="engine-", dir=settings.DATA_DIR))
    engine = Engine(
        folder,
        hotline_env(
            DATABASE_URL=database_url_of_the_test_database(),
            REDIS_URL=settings.REDIS_URL,
            HOTLINE_DATA_DIR=str(folder),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            LOG_LEVEL="WARNING",
        ),
    )
    try:
        incident, author, recipient = small_world()
        acknowledgements = waiting_messages(incident, author, recipient, timers)
        engine.start()
        pending_timers(acknowledgements, author, recipient, spread_s, methods)
        wait_for_pages(timers, spread_s + 600, engine)
        rows = list(Page.objects.values_list("due_at", "created_at"))
        lags = sorted((created - due).total_seconds() for due, created in rows)
        first_due, last_written = min(due for due, _ in rows), max(created for _, created in rows)
        print(
            f"  lag due → written:  p50 {percentile(lags, 0.50):6.3f} s   p99 {percentile(lags, 0.99):6.3f} s   "
            f"max {lags[-1]:6.3f} s   mean {statistics.fmean(lags):6.3f} s"
        )
        writing_s = (last_written - first_due).total_seconds()
        print(
            f"  pages written:      {len(rows):,} in {writing_s:.1f} s from the first deadline "
            f"({len(rows) / writing_s:,.0f} pages/s; arriving at {timers / max(spread_s, 1):,.0f}/s)"
        )
        if ContactMethod.EMAIL in methods:
            started = time.monotonic()
            while (
                Delivery.objects.filter(method=ContactMethod.EMAIL, sent_at__isnull=True).exists()
                and time.monotonic() - started < 120
            ):
                time.sleep(1)
            sent = Delivery.objects.filter(method=ContactMethod.EMAIL, sent_at__isnull=False).values_list(
                "sent_at", flat=True
            )
            if sent:
                print(
                    f"  e-mails sent:       {len(sent):,} of {timers:,}, "
                    f"the last {(max(sent) - first_due).total_seconds():.1f} s "
                    f"after the first deadline ({len(smtp.received()):,} received)"
                )
    finally:
        engine.stop()
        smtp.stop()
