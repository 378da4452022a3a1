"""A session ends after HOTLINE_SESSION_IDLE_MINUTES without activity (any request, or the open console's
pings) and, however active, HOTLINE_SESSION_MAX_HOURS after sign-in: a console left open and live all
night stays signed in through a 12-hour shift, a closed tab or a sleeping machine does not."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from hotline.console.access import session_still_holds
from hotline.console.sessions import ALIVE_KEY, SessionStore
from tests.conftest import enrol_authenticator
from tests.foundation.test_live_channel import open_channel, signed_in_cookie

API = "/api/v1/parties/"


def signed_in(client, duty_officer):
    signed_in_cookie(client, "rs-mod-duty", enrol_authenticator(duty_officer))
    assert client.get("/").status_code == 200
    return client


@pytest.mark.django_db
def test_a_person_idle_past_the_idle_time_is_signed_out_at_the_next_request(client, duty_officer):
    signed_in(client, duty_officer)
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_person_who_keeps_making_requests_stays_signed_in_past_twelve_hours(client, duty_officer):
    signed_in(client, duty_officer)
    start = timezone.now()
    for half_hours in range(1, 27):  # to 13 h
        with time_machine.travel(start + timedelta(minutes=30 * half_hours)):
            assert client.get("/").status_code == 200, f"signed out after {half_hours / 2} h"


@pytest.mark.django_db
def test_past_the_absolute_limit_the_next_console_request_is_signed_out_with_a_message(client, duty_officer):
    signed_in(client, duty_officer)
    start = timezone.now()
    for half_hours in range(1, 28):  # to 13.5 h
        with time_machine.travel(start + timedelta(minutes=30 * half_hours)):
            client.get("/")
    with time_machine.travel(start + timedelta(hours=14, minutes=5)):
        response = client.get("/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/login/")
        assert "reached its limit" in response.content.decode()
        assert client.get("/").status_code == 302  # signed out, not just turned away once


@pytest.mark.django_db
def test_past_the_absolute_limit_an_api_request_is_answered_401_session_expired(client, duty_officer):
    signed_in(client, duty_officer)
    assert client.get(API).status_code == 200
    start = timezone.now()
    for half_hours in range(1, 28):  # to 13.5 h
        with time_machine.travel(start + timedelta(minutes=30 * half_hours)):
            client.get(API)
    with time_machine.travel(start + timedelta(hours=14, minutes=5)):
        response = client.get(API)
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"


@pytest.mark.django_db
def test_the_live_check_fails_past_the_absolute_limit(client, duty_officer):
    signed_in(client, duty_officer)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(days=2))
    assert session_still_holds(key, duty_officer.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=14, minutes=1)):
        assert not session_still_holds(key, duty_officer.pk)


@pytest.mark.django_db(transaction=True)
def test_the_live_channels_ping_moves_the_sessions_expiry_forward(asgi_server, client, duty_officer):
    cookie = signed_in_cookie(client, "rs-mod-duty", enrol_authenticator(duty_officer))
    key = client.cookies["sessionid"].value
    with open_channel(asgi_server, cookie) as channel:
        assert json.loads(channel.recv(timeout=5))["type"] == "hello"
        session = SessionStore(key)
        session[ALIVE_KEY] = session.get(ALIVE_KEY, 0) - 600  # last kept alive ten minutes ago
        session.save()
        near_end = timezone.now() + timedelta(minutes=2)
        Session.objects.filter(session_key=key).update(expire_date=near_end)
        channel.send(json.dumps({"type": "ping"}))
        assert json.loads(channel.recv(timeout=5))["type"] == "pong"
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + timedelta(minutes=50)
