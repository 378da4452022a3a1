"""The thread is numbered in order, every recipient owes an acknowledgement, and each change commits
together with its audit entries and its events — or not at all."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from hotline.audit.models import AuditEntry
from hotline.audit.verify import verify_log
from hotline.db import lock_commit_order
from hotline.realtime.models import Event
from hotline.realtime.outbox import events_after
from incidents.actions import NotAwaited, _locked, do_acknowledge, do_change_tlp, do_post_message
from incidents.choices import AckMethod, MessageKind
from incidents.models import Acknowledgement, Incident, Message
from tests.accounts.world import build_demo_world, person
from tests.incidents.reports import report


@pytest.fixture
def world(db):
    build_demo_world()


def pending_for(code: str, incident) -> list[int]:
    return sorted(
        Acknowledgement.objects.filter(
            message__incident=incident, organisation__code=code, acknowledged_at__isnull=True
        ).values_list("message__number", flat=True)
    )


def test_the_report_opens_the_thread_and_waits_for_every_recipient(world):
    incident = report(person("rs-mod-duty"), ["HR"], severity="critical")
    first = incident.messages.get()
    assert (first.number, first.kind, first.requires_ack) == (1, MessageKind.INFORMATION, True)
    assert pending_for("HR-MOD", incident) == [1] and pending_for("HR-CERT", incident) == [1]
    assert pending_for("RS-MOD", incident) == []  # nobody acknowledges their own report
    due = first.acknowledgements.first().due_at
    assert due - first.created_at == timedelta(minutes=5)  # CRITICAL: five minutes


def test_references_count_up_within_the_year(world):
    first, second = report(person("rs-mod-duty")), report(person("hr-cert-duty"), ["RS"])
    year = timezone.now().year
    assert (first.reference, second.reference) == (f"HL-{year}-00001", f"HL-{year}-00002")


def test_a_request_for_assistance_needs_an_acknowledgement_and_a_reply_within_48_hours(world):
    incident = report(person("rs-mod-duty"))
    request = do_post_message(
        person("hr-mod-duty"), incident, kind=MessageKind.REQUEST_FOR_ASSISTANCE, body="Send the radar track."
    )
    assert request.requires_ack and request.number == 2
    assert timedelta(hours=47, minutes=59) < request.reply_by - request.created_at <= timedelta(hours=48)
    assert pending_for("RS-MOD", incident) == [2] and pending_for("HR-MOD", incident) == [1]


def test_a_reply_by_deadline_on_a_note_is_refused_and_nothing_is_written(world):
    incident = report(person("rs-mod-duty"))
    entries = AuditEntry.objects.count()
    with pytest.raises(Exception, match="Only a request for assistance"):
        do_post_message(
            person("hr-mod-duty"),
            incident,
            kind=MessageKind.NOTE,
            body="x",
            reply_by=timezone.now() + timedelta(hours=1),
        )
    assert incident.messages.count() == 1 and AuditEntry.objects.count() == entries


def test_acknowledging_everything_then_again_acknowledges_once(world):
    incident = report(person("rs-mod-duty"))
    officer = person("hr-mod-duty")
    first = do_acknowledge(officer, incident, method=AckMethod.CONSOLE)
    assert [ack.message.number for ack in first] == [1]
    assert first[0].acknowledged_by_label == "hr-mod-duty" and first[0].method == AckMethod.CONSOLE
    assert do_acknowledge(officer, incident) == []
    with pytest.raises(NotAwaited):
        do_acknowledge(officer, incident, message_number=1)
    assert AuditEntry.objects.filter(action="incident.acknowledged").count() == 1


def test_an_organisation_cannot_acknowledge_for_another(world):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    assert do_acknowledge(person("hr-cert-duty"), incident) == []  # HR-CERT is not a recipient here
    assert pending_for("HR-MOD", incident) == [1]


def test_each_change_writes_its_audit_entry_and_its_events_in_the_same_transaction(world):
    officer = person("rs-mod-duty")
    entries, events = AuditEntry.objects.count(), Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        report(officer)
        raise RuntimeError("the caller's transaction fails after the report")
    assert (Incident.objects.count(), AuditEntry.objects.count(), Event.objects.count()) == (0, entries, events)
    report(officer)
    assert AuditEntry.objects.filter(action="incident.reported").count() == 1
    assert verify_log().ok


def test_audit_entries_carry_references_not_content(world):
    incident = report(person("rs-mod-duty"), tlp="RED", title="Secret title")
    do_post_message(person("hr-mod-duty"), incident, kind=MessageKind.NOTE, body="A RED body")
    bodies = "".join(AuditEntry.objects.filter(action__startswith="incident.").values_list("body", flat=True))
    assert incident.reference in bodies
    assert "Secret title" not in bodies and "A RED body" not in bodies and "Batrovci" not in bodies


def test_the_commission_is_told_of_a_red_incident_without_its_content(world):
    incident = report(person("rs-mod-duty"), tlp="RED", title="Secret title")
    reviewer = person("wbc-sec-reviewer")
    event = events_after(reviewer.organisation_id, 0)[0]
    assert event["type"] == "incident.created" and event["incident"]["reference"] == incident.reference
    assert (
        event["incident"]["title"] is None
        and event["message"]["body"] is None
        and event["incident"]["content_withheld"]
    )
    assert events_after(person("al-cert-duty").organisation_id, 0) == []
    recipient = events_after(person("hr-mod-duty").organisation_id, 0)[0]
    assert recipient["incident"]["title"] == "Secret title"


def test_lowering_the_tlp_opens_the_content_to_the_commission_from_then_on(world):
    incident = report(person("rs-mod-duty"), tlp="RED", title="Secret title")
    do_change_tlp(person("rs-mod-duty"), incident, "AMBER")
    reviewer = person("wbc-sec-reviewer")
    updated = [event for event in events_after(reviewer.organisation_id, 0) if event["type"] == "incident.updated"]
    assert updated[-1]["incident"]["title"] == "Secret title" and updated[-1]["incident"]["tlp"] == "AMBER"
    assert incident.messages.last().kind == MessageKind.STATUS_CHANGE


def test_every_event_of_an_exercise_says_so(world):
    incident = report(person("rs-mod-duty"), exercise=True)
    do_post_message(person("hr-mod-duty"), incident, kind=MessageKind.NOTE, body="Drill answer")
    do_acknowledge(person("hr-mod-duty"), incident)
    events = events_after(person("hr-mod-duty").organisation_id, 0)
    assert len(events) == 3 and all(
        event["exercise"] is True and event["incident"]["exercise"] is True for event in events
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_to_one_thread_get_consecutive_numbers_and_ordered_events():
    build_demo_world()
    incident = report(person("rs-mod-duty"), ["HR"])
    posters = [person(name) for name in ("hr-mod-duty", "hr-cert-duty", "rs-mod-duty", "hr-mod-supervisor")]
    errors = []

    def post_many(poster):
        try:
            for number in range(10):
                do_post_message(poster, incident, kind=MessageKind.NOTE, body=f"{poster.username} {number}")
        except Exception as error:  # reported below: a failure in a thread must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post_many, args=(poster,)) for poster in posters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = list(Message.objects.filter(incident=incident).order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, 42))
    # The events reach a reader in the thread's order: message numbers rise with event ids.
    seen = [
        event["message"]["number"]
        for event in events_after(person("hr-mod-duty").organisation_id, 0)
        if event["type"] == "message.created"
    ]
    assert seen == sorted(seen) and len(seen) == 40
    assert verify_log().ok


@pytest.mark.django_db(transaction=True)
def test_a_message_being_posted_and_a_report_of_the_same_originator_do_not_deadlock():
    """A post holds the incident's row and waits for the commit-order lock; a report by the incident's
    originator holds that lock and, at commit, checks its reference to the originator. Locking the
    incident must not lock the originator's row (PostgreSQL detected a deadlock here under traffic)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: SQLite has one writer at a time")
    build_demo_world()
    officer = person("rs-mod-duty")
    incident = report(officer, ["HR-MOD"])
    row_locked, order_locked, errors = threading.Event(), threading.Event(), []

    def post():  # do_post_message's order, held open at the point of taking the commit-order lock
        try:
            with transaction.atomic():
                _locked(incident)
                row_locked.set()
                order_locked.wait(10)
                lock_commit_order()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    poster = threading.Thread(target=post)
    poster.start()
    try:
        assert row_locked.wait(10)
        with transaction.atomic():
            lock_commit_order()
            order_locked.set()
            report(officer, ["HR-CERT"], title="Reported meanwhile")
    except Exception as error:
        errors.append(error)
    finally:
        order_locked.set()
        poster.join(timeout=20)
    assert errors == []
    assert Incident.objects.filter(title="Reported meanwhile").exists()


def test_every_action_logs_who_what_and_which_incident_but_never_the_content(world, caplog):
    caplog.set_level(logging.INFO, logger="hotline.incidents")
    officer, counterpart = person("rs-mod-duty"), person("hr-mod-duty")
    incident = report(officer, tlp="RED", title="Secret title")
    do_post_message(counterpart, incident, kind=MessageKind.NOTE, body="A RED body")
    do_acknowledge(counterpart, incident)
    do_change_tlp(officer, incident, "AMBER")
    lines = [record for record in caplog.records if record.name == "hotline.incidents"]
    assert [record.getMessage() for record in lines] == [
        "incident reported",
        "message posted",
        "acknowledged",
        "incident.tlp_changed",
    ]
    assert all(record.incident == incident.reference and record.actor for record in lines)
    logged = " ".join(str(vars(record)) for record in lines)
    assert "Secret title" not in logged and "A RED body" not in logged
