"""GET /api/v1/events/: the catch-up feed, the same events the console's WebSocket pushes."""

from accounts.choices import ApiScope
from incidents.actions import do_acknowledge, do_post_message
from tests.accounts.world import person

EVENTS = "/api/v1/events/"


def test_a_new_client_starts_at_the_current_last_event_and_downloads_no_history(api_key_client, api_report):
    api_report(to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    start = hr_cert.get(EVENTS).json()
    assert start["events"] == [] and start["has_more"] is False
    assert start["last_id"] > 0
    assert len(hr_cert.get(f"{EVENTS}?after=0").json()["events"]) == 1


def test_the_feed_returns_the_events_after_an_id_in_order_for_the_callers_organisation_only(api_key_client, api_report):
    hr_cert, al_cert = api_key_client("HR-CERT"), api_key_client("AL-CERT")
    start, al_start = hr_cert.get(EVENTS).json()["last_id"], al_cert.get(EVENTS).json()["last_id"]
    incident = api_report(by="rs-cert-duty", to=["HR-CERT"], tlp="AMBER", exercise=True)
    do_post_message(person("rs-cert-duty"), incident, kind="note", body="Second wave at 10:00.")
    do_acknowledge(person("hr-cert-duty"), incident)
    api_report(by="rs-cert-duty", to=["ME-CERT"])  # not for Croatia

    feed = hr_cert.get(f"{EVENTS}?after={start}").json()
    assert [event["type"] for event in feed["events"]] == ["incident.created", "message.created", "ack.recorded"]
    ids = [event["id"] for event in feed["events"]]
    assert ids == sorted(ids) and ids[0] > start
    assert feed["last_id"] == ids[-1] and feed["has_more"] is False
    assert all(event["exercise"] is True and event["incident"]["exercise"] is True for event in feed["events"])
    assert feed["events"][1]["message"]["body"] == "Second wave at 10:00."
    assert feed["events"][2]["acknowledgement"]["organisation"] == "HR-CERT"
    assert hr_cert.get(f"{EVENTS}?after={ids[-1]}").json() == {"events": [], "last_id": ids[-1], "has_more": False}
    assert al_cert.get(f"{EVENTS}?after={al_start}").json()["events"] == []


def test_a_limited_page_says_that_more_wait(api_key_client, api_report):
    hr_cert = api_key_client("HR-CERT")
    start = hr_cert.get(EVENTS).json()["last_id"]
    for number in range(3):
        api_report(to=["HR-CERT"], title=f"Incident {number}")
    first = hr_cert.get(f"{EVENTS}?after={start}&limit=2").json()
    assert (len(first["events"]), first["has_more"]) == (2, True)
    rest = hr_cert.get(f"{EVENTS}?after={first['last_id']}&limit=2").json()
    assert (len(rest["events"]), rest["has_more"]) == (1, False)
    titles = [event["incident"]["title"] for event in first["events"] + rest["events"]]
    assert titles == ["Incident 0", "Incident 1", "Incident 2"]


def test_a_bad_after_or_limit_is_a_field_error(api_key_client):
    hr_cert = api_key_client("HR-CERT")
    for query, field in [
        ("after=abc", "after"),
        ("after=-1", "after"),
        (f"after={10**20}", "after"),
        ("after=1&limit=0", "limit"),
        ("after=1&limit=501", "limit"),
    ]:
        response = hr_cert.get(f"{EVENTS}?{query}")
        assert response.status_code == 400, query
        assert (response.json()["code"], list(response.json()["fields"])) == ("invalid", [field])


def test_the_feed_needs_the_read_scope(api_key_client):
    response = api_key_client("HR-CERT", scopes=[ApiScope.DIRECTORY_READ]).get(EVENTS)
    assert (response.status_code, response.json()["code"]) == (403, "missing_scope")
