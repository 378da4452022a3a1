"""Audit log: append and verify throughput, and what its entry adds to posting a message."""

import statistics
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

import incidents.actions
from accounts.choices import OrganisationKind, PartyKind, Role
from accounts.models import Organisation, Party, User
from hotline.audit.log import record
from hotline.audit.verify import verify_log
from incidents.choices import MessageKind

APPEND_BATCH = 1_000  # appends per transaction while filling the log
ROUNDS = 10  # posting rounds with and without audit, interleaved


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def fill_log(entries: int) -> None:
    written = 0
    while written < entries:
        with transaction.atomic():
            for _ in range(min(APPEND_BATCH, entries - written)):
                record("bench.append", organisation="RS-CERT", details={"n": written})
                written += 1


@contextmanager
def audit_switched_off():
    """Posting as it would cost without its audit entry: the benchmark's baseline, never the product's."""
    kept = incidents.actions.record
    incidents.actions.record = lambda *args, **kwargs: None
    try:
        yield
    finally:
        incidents.actions.record = kept


def posting_rate(messages: int, incident, author, audited: bool) -> float:
    """Messages posted a second, each in its own transaction, as the console and the API post them."""

    def post():
        for number in range(messages):
            incidents.actions.do_post_message(
                author, incident, kind=MessageKind.NOTE, body=f"situation update {number}", requires_ack=True
            )

    if audited:
        return messages / timed(post)[1]
    with audit_switched_off():
        return messages / timed(post)[1]


def small_world():
    people = []
    for code in ("RS", "HR"):
        party = Party.objects.create(code=code, name=code, kind=PartyKind.MEMBER)
        organisation = Organisation.objects.create(
            party=party, code=f"{code}-MOD", name=f"{code} crisis centre", kind=OrganisationKind.CRISIS_CENTRE
        )
        people.append(
            User.objects.create(username=f"{code.lower()}-mod-duty", organisation=organisation, role=Role.DUTY_OFFICER)
        )
    reporter, counterpart = people
    incident = incidents.actions.do_report_incident(
        reporter,
        recipients=[counterpart.organisation],
        title="Benchmark",
        summary="Benchmark",
        category="cyber",
        severity="high",
        tlp="AMBER",
        occurred_at=timezone.now(),
    )
    return incident, counterpart


def run(entries: int, actions: int) -> None:
    print(f"audit log benchmark on {connection.vendor}")
    incident, author = small_world()
    # Alternating rounds, so that a neighbour's load on the shared machine falls on both alike.
    posting_rate(50, incident, author, audited=True)  # warm up: connections, caches
    plain, audited = [], []
    for round_number in range(ROUNDS):
        # Which goes first alternates too, so that neither always follows the other.
        order = (False, True) if round_number % 2 == 0 else (True, False)
        for audit_on in order:
            (audited if audit_on else plain).append(posting_rate(actions // ROUNDS, incident, author, audited=audit_on))
    plain_rate, audited_rate = statistics.median(plain), statistics.median(audited)
    print(f"  post a message, audit off (baseline): {plain_rate:10,.0f} messages/s   (median of {ROUNDS} rounds)")
    print(
        f"  post a message, audit on:             {audited_rate:10,.0f} messages/s   "
        f"(the entry costs {100 * (plain_rate - audited_rate) / plain_rate:.0f}% of the rate)"
    )

    _, seconds = timed(lambda: fill_log(entries))
    print(
        f"  append ({APPEND_BATCH:,} a transaction): {entries / seconds:10,.0f} entries/s   "
        f"({entries:,} in {seconds:.1f} s)"
    )
    for workers in (1, 2):
        verdict, seconds = timed(lambda: verify_log(workers=workers))  # noqa: B023
        assert verdict.ok and verdict.tree_size >= entries, verdict.problem
        print(
            f"  verify chain + root, {workers} process{'es' if workers > 1 else ''}: "
            f"{verdict.tree_size / seconds:10,.0f} entries/s   ({verdict.tree_size:,} in {seconds:.2f} s)"
        )
