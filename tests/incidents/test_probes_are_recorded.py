"""Defect 6 of issue 14: a caller asking for an object it may not see gets the same 404 as before, and the
log holds one `access.not_found` entry per attempt, naming what was asked, never its content."""

import json

import pytest
from django.test import Client

from hotline.audit.models import AuditEntry

INCIDENTS = "/api/v1/incidents/"


def not_found_entries() -> list[dict]:
    return [
        json.loads(body) for body in AuditEntry.objects.filter(action="access.not_found").values_list("body", flat=True)
    ]


def test_a_party_not_addressed_probing_a_red_incident_leaves_one_entry_per_attempt_without_its_content(
    api_key_client, api_report
):
    incident = api_report(by="rs-cert-duty", to=["HR-CERT"], tlp="RED", title="Intrusion at the power utility")
    ba_cert = api_key_client("BA-CERT")
    attempts = [
        ba_cert.get(f"{INCIDENTS}{incident.pk}/"),
        ba_cert.post(f"{INCIDENTS}{incident.pk}/messages/", {"body": "?", "kind": "note"}),
        ba_cert.post(f"{INCIDENTS}{incident.pk}/acknowledge/", {}),
    ]
    assert [(response.status_code, response.json()["code"]) for response in attempts] == [(404, "not_found")] * 3
    entries = not_found_entries()
    assert len(entries) == 3
    for entry in entries:
        assert entry["actor"] == f"api-key:{ba_cert.key.prefix}" and entry["organisation"] == "BA-CERT"
        assert entry["details"] == {"what": "incident", "reference": str(incident.pk)}
        assert "power utility" not in json.dumps(entry)


def test_a_person_asking_for_an_incident_that_does_not_exist_is_recorded_as_a_probe(api_person_client):
    response = api_person_client("ba-cert-duty").get("/incidents/2026-999/")
    assert response.status_code == 404
    [entry] = not_found_entries()
    assert entry["actor"] == "ba-cert-duty" and entry["actor_kind"] == "person"
    assert entry["details"] == {"what": "incident", "reference": "2026-999"}


def test_a_person_who_sees_only_the_metadata_asking_for_the_content_is_recorded(api_person_client, api_report):
    incident = api_report(by="rs-cert-duty", to=["HR-CERT"], tlp="RED")
    response = api_person_client("wbc-sec-reviewer").get(f"{INCIDENTS}{incident.pk}/stix/")
    assert response.status_code == 404
    [entry] = not_found_entries()
    assert entry["details"] == {"what": "incident", "reference": str(incident.pk)}


@pytest.mark.parametrize(
    ("method", "url", "what"),
    [
        ("get", "/api/v1/exercise-notifications/999999/", "exercise notification"),
        ("get", "/api/v1/drone-flights/999999/", "drone flight"),
        ("post", "/api/v1/exercise-invitations/999999/reply/", "observation invitation"),
        ("get", "/api/v1/reachability-checks/999999/", "reachability check"),
        ("post", "/api/v1/escalation/timers/999999/acknowledge/", "timer"),
    ],
)
def test_every_kind_of_object_asked_for_in_vain_leaves_its_entry(api_person_client, method, url, what):
    response = getattr(api_person_client("hr-cert-duty"), method)(url, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    [entry] = not_found_entries()
    assert entry["details"] == {"what": what, "reference": "999999"}


def test_an_observer_asking_for_an_exercise_is_recorded(api_person_client):
    response = api_person_client("osce-cpc-duty").get("/notifications/exercises/EX-2026-1/")
    assert response.status_code == 404
    [entry] = not_found_entries()
    assert entry["details"] == {"what": "exercise notification", "reference": "EX-2026-1"}


def test_unauthenticated_traffic_is_not_recorded_as_a_probe(api_world, api_report):
    incident = api_report(by="rs-cert-duty", to=["HR-CERT"], tlp="RED")
    assert Client().get(f"{INCIDENTS}{incident.pk}/").status_code in (401, 403)
    assert Client().get(f"/incidents/{incident.reference}/").status_code == 302
    assert not_found_entries() == []
