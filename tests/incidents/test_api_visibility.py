"""Who sees which incident through the API: a party not addressed never learns that a RED (or
AMBER+STRICT) incident exists; the commission sees its metadata; observers see what is GREEN."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.actions import do_add_attachment, do_post_message
from tests.accounts.world import person

INCIDENTS = "/api/v1/incidents/"


@pytest.fixture
def restricted(api_report, request):
    """An incident from Serbia's CERT to Croatia's CERT at the TLP the test names, with a second message
    and an attachment."""
    incident = api_report(by="rs-cert-duty", to=["HR-CERT"], tlp=request.param, title="Intrusion at the power utility")
    do_post_message(person("hr-cert-duty"), incident, kind="note", body="Confirmed on our side.")
    attachment = do_add_attachment(person("rs-cert-duty"), incident, SimpleUploadedFile("iocs.txt", b"203.0.113.9\n"))
    return incident, attachment


def listed_ids(client, query="") -> set[int]:
    response = client.get(f"{INCIDENTS}?{query}")
    assert response.status_code == 200, response.json()
    return {incident["id"] for incident in response.json()["results"]}


def feed_subjects(client) -> set[int]:
    events = client.get("/api/v1/events/?after=0").json()["events"]
    return {event["incident"]["id"] for event in events if "incident" in event}


@pytest.mark.parametrize("restricted", ["RED", "AMBER+STRICT"], indirect=True)
def test_another_partys_restricted_incident_does_not_exist_for_a_party_not_addressed(api_key_client, restricted):
    incident, attachment = restricted
    al_cert = api_key_client("AL-CERT")
    assert incident.pk not in listed_ids(al_cert)
    for query in [
        "party=RS",
        "party=HR",
        "organisation=RS-CERT",
        f"tlp={incident.tlp.replace('+', '%2B')}",
        "category=cyber",
    ]:
        assert incident.pk not in listed_ids(al_cert, query), query
    for url in [
        f"{INCIDENTS}{incident.pk}/",
        f"{INCIDENTS}{incident.pk}/messages/",
        f"{INCIDENTS}{incident.pk}/attachments/{attachment.pk}/",
    ]:
        response = al_cert.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
    for url, body in [
        (f"{INCIDENTS}{incident.pk}/messages/", {"body": "?", "kind": "note"}),
        (f"{INCIDENTS}{incident.pk}/acknowledge/", {}),
    ]:
        assert al_cert.post(url, body).status_code == 404, url
    assert al_cert.patch(f"{INCIDENTS}{incident.pk}/", {"status": "closed"}).status_code == 404
    assert incident.pk not in feed_subjects(al_cert)
    # The same answer as for an id that was never used: nothing tells the two apart.
    assert al_cert.get(f"{INCIDENTS}{incident.pk}/").json() == al_cert.get(f"{INCIDENTS}999999/").json()


@pytest.mark.parametrize("restricted", ["RED", "AMBER+STRICT"], indirect=True)
def test_the_commission_reviewer_sees_only_the_metadata_of_a_restricted_incident(api_person_client, restricted):
    incident, attachment = restricted
    reviewer = api_person_client("wbc-sec-reviewer")
    [listed] = [i for i in reviewer.get(INCIDENTS).json()["results"] if i["id"] == incident.pk]
    assert (listed["title"], listed["summary"], listed["content_withheld"], listed["tlp"]) == (
        None,
        None,
        True,
        incident.tlp,
    )
    assert (listed["reference"], listed["originator"], listed["recipients"]) == (
        incident.reference,
        "RS-CERT",
        ["HR-CERT"],
    )
    detail = reviewer.get(f"{INCIDENTS}{incident.pk}/").json()
    assert (detail["title"], detail["attachments"]) == (None, None)
    assert [message["body"] for message in detail["messages"]] == [None, None, None]
    assert [message["body"] for message in reviewer.get(f"{INCIDENTS}{incident.pk}/messages/").json()] == [
        None,
        None,
        None,
    ]
    assert reviewer.get(f"{INCIDENTS}{incident.pk}/attachments/{attachment.pk}/").status_code == 404
    events = [
        e
        for e in reviewer.get("/api/v1/events/?after=0").json()["events"]
        if e.get("incident", {}).get("id") == incident.pk
    ]
    assert events and all(e["incident"]["title"] is None for e in events)
    assert all(e["message"]["body"] is None for e in events if "message" in e)


@pytest.mark.parametrize("restricted", ["RED", "AMBER+STRICT"], indirect=True)
def test_the_recipient_sees_everything_of_a_restricted_incident(api_key_client, restricted):
    incident, attachment = restricted
    hr_cert = api_key_client("HR-CERT")
    assert incident.pk in listed_ids(hr_cert, "party=RS")
    detail = hr_cert.get(f"{INCIDENTS}{incident.pk}/").json()
    assert (detail["title"], detail["content_withheld"]) == ("Intrusion at the power utility", False)
    assert [message["body"] for message in detail["messages"]][:2] == [
        "Spear-phishing with a fake tender notice.",
        "Confirmed on our side.",
    ]
    assert [a["filename"] for a in detail["attachments"]] == ["iocs.txt"]
    assert hr_cert.get(f"{INCIDENTS}{incident.pk}/attachments/{attachment.pk}/").status_code == 200
    assert incident.pk in feed_subjects(hr_cert)


def test_a_green_incident_is_read_by_observers_and_the_commission_but_not_by_other_parties(api_key_client, api_report):
    green = api_report(to=["HR-CERT"], tlp="GREEN", title="Scanning wave")
    amber = api_report(to=["HR-CERT"], tlp="AMBER", title="Credential stuffing")
    osce = api_key_client("OSCE-CPC")
    assert listed_ids(osce) == {green.pk}
    assert osce.get(f"{INCIDENTS}{green.pk}/").json()["title"] == "Scanning wave"
    assert osce.get(f"{INCIDENTS}{amber.pk}/").status_code == 404
    assert feed_subjects(osce) == {green.pk}
    commission = api_key_client("WBC-SEC")
    assert listed_ids(commission) == {green.pk, amber.pk}
    assert commission.get(f"{INCIDENTS}{amber.pk}/").json()["title"] == "Credential stuffing"
    assert listed_ids(api_key_client("AL-CERT")) == set()


def test_raising_the_tlp_withholds_the_content_from_the_commission_from_then_on(api_key_client, api_report):
    incident = api_report(to=["HR-CERT"], tlp="AMBER")
    commission = api_key_client("WBC-SEC")
    assert commission.get(f"{INCIDENTS}{incident.pk}/").json()["title"] == "Phishing wave against ministries"
    assert api_key_client("RS-CERT").patch(f"{INCIDENTS}{incident.pk}/", {"tlp": "RED"}).status_code == 200
    assert commission.get(f"{INCIDENTS}{incident.pk}/").json()["title"] is None
