"""The console's live channel accepts only signed-in people who passed the second factor."""

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import PASSWORD, current_code, enrol_authenticator


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
