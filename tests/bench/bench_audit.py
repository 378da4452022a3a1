"""Audit log: append and verify throughput, and what an audit entry adds to an action's cost."""

import time

from django.db import connection, transaction

from accounts.choices import ContactMethod, OrganisationKind, PartyKind
from accounts.models import ContactPoint, Organisation, Party
from hotline.audit.log import record
from hotline.audit.verify import verify_log

APPEND_BATCH = 1_000  # appends per transaction while filling the log


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


def action_cost(actions: int, organisation: Organisation, audited: bool) -> float:
    """Seconds for `actions` single-transaction writes of a contact point, with or without its entry."""

    def run():
        for number in range(actions):
            with transaction.atomic():
                point = ContactPoint.objects.create(organisation=organisation, method=ContactMethod.EMAIL, address=f"{audited}-{number}@bench.example")
                if audited:
                    record("contact_point.created", organisation=organisation.code, target=point, details={"address": point.address})

    return timed(run)[1]


def run(entries: int, actions: int) -> None:
    print(f"audit log benchmark on {connection.vendor}")
    party = Party.objects.create(code="RS", name="Serbia", kind=PartyKind.MEMBER)
    organisation = Organisation.objects.create(party=party, code="RS-CERT", name="CERT", kind=OrganisationKind.CERT)

    plain = action_cost(actions, organisation, audited=False)
    audited = action_cost(actions, organisation, audited=True)
    print(f"  action without audit entry: {actions / plain:10,.0f} actions/s")
    print(f"  action with audit entry:    {actions / audited:10,.0f} actions/s   (audit adds {100 * (audited - plain) / plain:.0f}% to the action)")

    _, seconds = timed(lambda: fill_log(entries))
    print(f"  append ({APPEND_BATCH:,} a transaction): {entries / seconds:10,.0f} entries/s   ({entries:,} in {seconds:.1f} s)")
    for workers in (1, 2):
        verdict, seconds = timed(lambda: verify_log(workers=workers))  # noqa: B023
        assert verdict.ok and verdict.tree_size >= entries, verdict.problem
        print(f"  verify chain + root, {workers} process{'es' if workers > 1 else ''}: {verdict.tree_size / seconds:10,.0f} entries/s   ({verdict.tree_size:,} in {seconds:.2f} s)")
