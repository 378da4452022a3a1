"""The console's live channel accepts only signed-in people who passed the second factor, and closes when
their session ends."""

import json
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from accounts.actions import do_deactivate_user
from hotline.audit.models import AuditEntry
from hotline.console.consumers import CLOSE_UNAUTHENTICATED, ConsoleConsumer
from hotline.realtime import revocation
from incidents.actions import do_post_message
from incidents.choices import MessageKind
from tests.accounts.world import build_demo_world, person
from tests.conftest import PASSWORD, current_code, enrol_authenticator, make_user
from tests.incidents.reports import elsewhere, report


def signed_in_cookie(client, username: str, device=None) -> str:
    client.post("/login/", {"username": username, "password": PASSWORD})
    if device is not None:
        client.post("/otp/verify/", {"token": current_code(device)})
    return f"sessionid={client.cookies['sessionid'].value}"


def open_channel(asgi_server, cookie: str | None = None):
    headers = {"Origin": asgi_server.url}
    if cookie:
        headers["Cookie"] = cookie
    return connect(asgi_server.url.replace("http", "ws") + "/ws/console/", additional_headers=headers, open_timeout=5)


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_verified_person_gets_a_live_channel_that_answers_pings(asgi_server, client, duty_officer):
    device = enrol_authenticator(duty_officer)
    with open_channel(asgi_server, signed_in_cookie(client, "rs-mod-duty", device)) as channel:
        hello = json.loads(channel.recv(timeout=5))
        assert hello["type"] == "hello" and hello["user"] == "rs-mod-duty"
        channel.send(json.dumps({"type": "ping"}))
        assert json.loads(channel.recv(timeout=5))["type"] == "pong"


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_visitor_is_turned_away(asgi_server):
    with open_channel(asgi_server) as channel:
        with pytest.raises(ConnectionClosed) as closed:
            channel.recv(timeout=5)
    assert closed.value.rcvd.code == 4401


@pytest.mark.django_db(transaction=True)
def test_a_person_who_has_not_passed_the_second_factor_is_turned_away(asgi_server, client, duty_officer):
    enrol_authenticator(duty_officer)
    with open_channel(asgi_server, signed_in_cookie(client, "rs-mod-duty")) as channel:
        with pytest.raises(ConnectionClosed) as closed:
            channel.recv(timeout=5)
    assert closed.value.rcvd.code == 4401


# --- a live channel never outlives its session ----------------------------------------------------------
# The recipient's console is open on a RED incident; then its session ends (sign-out, deactivation, every
# session deleted, a password change) and the originator posts a new message: it must not reach that
# console, which is closed with 4401 (the page's "go to login").

MARKER = "RED-MARKER-7f3c"


def red_incident_on_a_live_console(asgi_server, client):
    """A RED incident from RS-MOD to HR-MOD, and HR-MOD's duty officer's open, caught-up channel."""
    build_demo_world()
    recipient = person("hr-mod-duty")
    recipient.set_password(PASSWORD)
    recipient.save(update_fields=["password"])
    incident = report(person("rs-mod-duty"), ["HR-MOD"], tlp="RED")
    channel = open_channel(asgi_server, signed_in_cookie(client, "hr-mod-duty", enrol_authenticator(recipient)))
    assert json.loads(channel.recv(timeout=5))["type"] == "hello"
    channel.send(json.dumps({"type": "resume"}))
    while json.loads(channel.recv(timeout=5))["type"] != "resumed":
        pass
    return incident, channel


def post_new_red_message(incident) -> None:
    elsewhere(lambda: do_post_message(person("rs-mod-duty"), incident, kind=MessageKind.NOTE, body=MARKER))


def everything_until_closed(channel, timeout: float = 5.0) -> tuple[list[str], int | None]:
    """The frames the channel receives until the server closes it (None if it stays open)."""
    frames = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            frames.append(channel.recv(timeout=max(0.01, deadline - time.monotonic())))
    except ConnectionClosed as closed:
        return frames, closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        pass
    return frames, None


@pytest.fixture
def no_check_cache(monkeypatch):
    """Check the session at every push: these paths ring no doorbell, so only the re-check closes."""
    monkeypatch.setattr(ConsoleConsumer, "recheck_seconds", 0, raising=False)


@pytest.mark.django_db(transaction=True)
def test_a_console_whose_session_is_valid_is_pushed_the_new_red_message(asgi_server, client):
    incident, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        post_new_red_message(incident)
        frames, code = everything_until_closed(channel, timeout=2)
    assert code is None
    assert any(MARKER in frame for frame in frames)


@pytest.mark.django_db(transaction=True)
def test_a_console_whose_session_is_valid_passes_the_check_at_every_push_and_ping(asgi_server, client, no_check_cache):
    incident, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        post_new_red_message(incident)
        channel.send(json.dumps({"type": "ping"}))
        frames, code = everything_until_closed(channel, timeout=2)
    assert code is None
    assert any(MARKER in frame for frame in frames) and any('"pong"' in frame for frame in frames)


@pytest.mark.django_db(transaction=True)
def test_after_signing_out_the_console_is_closed_and_pushed_no_new_red_message(asgi_server, client):
    incident, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        elsewhere(lambda: client.post("/logout/"))  # rings the channel layer: not beside a browser test's loop
        post_new_red_message(incident)
        frames, code = everything_until_closed(channel)
    assert code == CLOSE_UNAUTHENTICATED
    assert not any(MARKER in frame for frame in frames)


@pytest.mark.django_db(transaction=True)
def test_deactivating_a_person_ends_their_sessions_closes_their_console_and_it_is_pushed_nothing(asgi_server, client):
    incident, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        elsewhere(lambda: do_deactivate_user(person("hr-mod-duty"), actor=None))
        post_new_red_message(incident)
        frames, code = everything_until_closed(channel)
    assert code == CLOSE_UNAUTHENTICATED
    assert not any(MARKER in frame for frame in frames)
    assert client.get("/").status_code == 302  # the session is gone: back to the login


@pytest.mark.django_db(transaction=True)
def test_after_every_session_is_deleted_the_console_is_closed_and_pushed_no_new_red_message(
    asgi_server, client, no_check_cache
):
    incident, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        Session.objects.all().delete()
        post_new_red_message(incident)
        frames, code = everything_until_closed(channel)
    assert code == CLOSE_UNAUTHENTICATED
    assert not any(MARKER in frame for frame in frames)


@pytest.mark.django_db(transaction=True)
def test_after_a_password_change_the_console_is_closed_and_pushed_no_new_red_message(
    asgi_server, client, no_check_cache
):
    incident, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        recipient = person("hr-mod-duty")
        recipient.set_password("a new and much longer passphrase")  # as `manage.py changepassword` does
        recipient.save()
        post_new_red_message(incident)
        frames, code = everything_until_closed(channel)
    assert code == CLOSE_UNAUTHENTICATED
    assert not any(MARKER in frame for frame in frames)


@pytest.mark.django_db(transaction=True)
def test_a_ping_after_the_session_expired_is_answered_by_closing_the_console(asgi_server, client, no_check_cache):
    _, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
        channel.send(json.dumps({"type": "ping"}))
        frames, code = everything_until_closed(channel)
    assert code == CLOSE_UNAUTHENTICATED
    assert not any('"pong"' in frame for frame in frames)


@pytest.mark.django_db(transaction=True)
def test_signing_out_closes_the_console_at_once_without_waiting_for_a_push(asgi_server, client):
    _, channel = red_incident_on_a_live_console(asgi_server, client)
    with channel:
        elsewhere(lambda: client.post("/logout/"))  # rings the channel layer: not beside a browser test's loop
        frames, code = everything_until_closed(channel, timeout=2)
    assert code == CLOSE_UNAUTHENTICATED and frames == []


@pytest.mark.django_db(transaction=True)
def test_unticking_active_in_the_admin_ends_the_persons_sessions_and_closes_their_console(asgi_server, client):
    incident, channel = red_incident_on_a_live_console(asgi_server, client)
    administrator = make_user("root", is_staff=True, is_superuser=True)
    admin_client = Client()
    signed_in_cookie(admin_client, "root", enrol_authenticator(administrator))
    recipient = person("hr-mod-duty")
    with channel:
        answer = elsewhere(
            lambda: admin_client.post(
                f"/admin/accounts/user/{recipient.pk}/change/",
                {
                    "username": recipient.username,
                    "first_name": recipient.first_name,
                    "last_name": recipient.last_name,
                    "email": recipient.email,
                    "date_joined_0": recipient.date_joined.date().isoformat(),
                    "date_joined_1": "00:00:00",
                    "organisation": recipient.organisation_id,
                    "role": recipient.role,
                    "phone": recipient.phone,
                    "language": recipient.language,
                    "time_zone": recipient.time_zone,
                },  # "is_active" left out: the box unticked
            )
        )
        assert answer.status_code == 302, answer.content.decode()[:2000]
        post_new_red_message(incident)
        frames, code = everything_until_closed(channel)
    assert code == CLOSE_UNAUTHENTICATED
    assert not any(MARKER in frame for frame in frames)
    assert not person("hr-mod-duty").is_active
    entry = AuditEntry.objects.filter(action="user.deactivated").first()  # the newest: the log outlives tests
    assert entry.actor == "root" and entry.content["object"] == f"accounts.user:{recipient.pk}"


@pytest.mark.django_db(transaction=True)
def test_signing_out_still_works_when_the_channel_layer_is_down(client, duty_officer, monkeypatch):
    def layer_down():
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(revocation, "get_channel_layer", layer_down)
    signed_in_cookie(client, "rs-mod-duty", enrol_authenticator(duty_officer))
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.exists()  # the consoles' own check closes them once they look


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "frame",
    ["not json", b"\x00\x01 binary", "[" * 100_000, '{"a": "\\ud800"}'],
    ids=["text", "binary", "deep", "surrogate"],
)
def test_a_frame_that_is_not_usable_json_gets_an_error_frame_and_the_channel_stays_open(
    asgi_server, client, duty_officer, frame
):
    device = enrol_authenticator(duty_officer)
    with open_channel(asgi_server, signed_in_cookie(client, "rs-mod-duty", device)) as channel:
        assert json.loads(channel.recv(timeout=5))["type"] == "hello"
        channel.send(frame)
        error = json.loads(channel.recv(timeout=5))
        assert error["type"] == "error" and error["code"] == "parse_error" and error["detail"]
        channel.send(json.dumps({"type": "ping"}))
        assert json.loads(channel.recv(timeout=5))["type"] == "pong"
