"""The console's live channel: pushes within a second, and after a cut the missed events from the
outbox, each once and in order, before live pushes resume."""

import json
import time
from contextlib import contextmanager

import pytest

from hotline.realtime.outbox import last_event_id
from incidents.actions import do_acknowledge, do_post_message
from incidents.choices import MessageKind
from tests.accounts.world import build_demo_world, person
from tests.conftest import PASSWORD, enrol_authenticator
from tests.foundation.test_live_channel import open_channel, signed_in_cookie
from tests.incidents.reports import elsewhere, report

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def channel_for(asgi_server, client, username: str):
    someone = person(username)
    someone.set_password(PASSWORD)
    someone.save(update_fields=["password"])
    cookie = signed_in_cookie(client, username, enrol_authenticator(someone))
    with open_channel(asgi_server, cookie) as channel:
        assert json.loads(channel.recv(timeout=5))["type"] == "hello"
        yield channel


def receive_until(channel, kind: str, timeout: float = 5.0) -> list[dict]:
    """Every message up to and including the first of type `kind`."""
    received = []
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(channel.recv(timeout=max(0.01, deadline - time.monotonic())))
        received.append(message)
        if message["type"] == kind:
            return received


def test_a_recipient_console_is_pushed_the_report_and_the_originator_the_acknowledgement(asgi_server, client):
    build_demo_world()
    with channel_for(asgi_server, client, "hr-mod-duty") as recipient:
        recipient.send(json.dumps({"type": "resume"}))
        receive_until(recipient, "resumed")
        started = time.monotonic()
        incident = elsewhere(lambda: report(person("rs-mod-duty"), ["HR-MOD"]))
        pushed = receive_until(recipient, "event")[-1]["event"]
        assert time.monotonic() - started < 1.0
        assert pushed["type"] == "incident.created" and pushed["incident"]["reference"] == incident.reference
    client.logout()
    with channel_for(asgi_server, client, "rs-mod-duty") as originator:
        originator.send(json.dumps({"type": "resume", "after": pushed["id"]}))
        receive_until(originator, "resumed")
        elsewhere(lambda: do_acknowledge(person("hr-mod-duty"), incident))
        event = receive_until(originator, "event")[-1]["event"]
        assert event["type"] == "ack.recorded" and event["acknowledgement"]["organisation"] == "HR-MOD"


def test_a_console_that_was_away_gets_every_missed_event_once_and_in_order(asgi_server, client):
    build_demo_world()
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    seen_before_the_cut = last_event_id(person("hr-mod-duty").organisation_id)
    for number in range(50):
        do_post_message(person("rs-mod-duty"), incident, kind=MessageKind.NOTE, body=f"update {number}")
    with channel_for(asgi_server, client, "hr-mod-duty") as channel:
        channel.send(json.dumps({"type": "resume", "after": seen_before_the_cut}))
        received = receive_until(channel, "resumed", timeout=15)
        live = elsewhere(lambda: report(person("rs-mod-duty"), ["HR-MOD"]))
        after_catch_up = receive_until(channel, "event")[-1]["event"]
    events = [message["event"] for message in received if message["type"] == "event"]
    assert [event["message"]["body"] for event in events] == [f"update {number}" for number in range(50)]
    assert [event["id"] for event in events] == sorted({event["id"] for event in events})
    assert received[-1]["last"] == events[-1]["id"]
    assert after_catch_up["incident"]["reference"] == live.reference


def test_a_console_of_another_party_hears_nothing_of_an_incident_not_addressed_to_it(asgi_server, client):
    build_demo_world()
    with channel_for(asgi_server, client, "al-cert-duty") as outsider:
        outsider.send(json.dumps({"type": "resume", "after": 0}))
        receive_until(outsider, "resumed")
        elsewhere(lambda: report(person("rs-mod-duty"), ["HR-MOD"], tlp="RED"))
        elsewhere(
            lambda: report(person("rs-mod-duty"), ["AL-CERT"], tlp="GREEN", title="For Albania")
        )  # one we must hear
        event = receive_until(outsider, "event")[-1]["event"]
    assert event["incident"]["title"] == "For Albania"
