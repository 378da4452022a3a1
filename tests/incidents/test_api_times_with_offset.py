"""Every time the incidents API and the STIX import take carries its offset: a naive time (no Z, no
±hh:mm) is refused with a field error, never read as Belgrade (or any server) time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident, Message
from tests.incidents.test_api_incidents import INCIDENTS, new_incident
from tests.incidents.test_stix import import_stix, observations_bundle

OFFSET_MESSAGE = "A time is given in RFC 3339 with its offset, e.g. 2026-12-01T08:00:00Z."


def naive(moment) -> str:
    return timezone.localtime(moment).replace(tzinfo=None).isoformat(timespec="seconds")


def assert_refused_for(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], list(body["fields"])) == ("invalid", [field])
    assert body["fields"][field] == [OFFSET_MESSAGE]


def test_a_report_with_a_naive_occurred_at_is_refused(api_key_client):
    occurred = naive(timezone.now() - timedelta(hours=1))
    assert_refused_for(api_key_client("RS-CERT").post(INCIDENTS, new_incident(occurred_at=occurred)), "occurred_at")
    assert not Incident.objects.exists()


@pytest.mark.parametrize("occurred_at", ["2026-11-25T08:00:00Z", "2026-11-25T09:00:00+01:00"])
def test_a_report_with_an_offset_is_taken_as_that_moment(api_key_client, occurred_at):
    response = api_key_client("RS-CERT").post(INCIDENTS, new_incident(occurred_at=occurred_at))
    assert response.status_code == 201, response.content
    assert response.json()["occurred_at"].startswith("2026-11-25T08:00:00")


def test_a_request_for_assistance_with_a_naive_reply_by_is_refused(api_key_client, api_report):
    incident = api_report()
    reply_by = naive(timezone.now() + timedelta(hours=2))
    response = api_key_client("HR-CERT").post(
        f"{INCIDENTS}{incident.pk}/messages/",
        {"body": "Need help", "kind": "request_for_assistance", "reply_by": reply_by},
    )
    assert_refused_for(response, "reply_by")
    assert Message.objects.filter(incident=incident).count() == 1


def test_a_naive_updated_since_filter_is_refused(api_key_client):
    response = api_key_client("RS-CERT").get(f"{INCIDENTS}?updated_since=2026-11-25T08:00:00")
    assert_refused_for(response, "updated_since")


def test_a_stix_incident_with_a_naive_occurred_at_is_refused(api_key_client):
    bundle = {
        "type": "bundle",
        "id": "bundle--5b1f3b4e-6a1d-4a8e-9a55-0c4f0d6a2b11",
        "objects": [
            {
                "type": "incident",
                "spec_version": "2.1",
                "id": "incident--7c1d9e2f-4a3b-4c6d-8e9f-0a1b2c3d4e5f",
                "created": "2026-03-02T10:00:00.000Z",
                "modified": "2026-03-02T10:00:00.000Z",
                "name": "Phishing wave",
                "x_hotline_occurred_at": "2026-03-02T09:00:00",
            }
        ],
    }
    response = import_stix(api_key_client("HR-CERT"), bundle, query="recipients=RS-CERT&severity=low")
    assert response.status_code == 400 and response.json()["code"] == "invalid_stix"
    assert "has no time zone" in response.json()["detail"]
    assert not Incident.objects.exists()


def test_stix_observations_with_a_naive_time_are_refused(api_key_client):
    bundle = observations_bundle()
    bundle["objects"][1]["valid_from"] = "2026-03-02T09:30:00"
    response = import_stix(api_key_client("HR-CERT"), bundle, query="recipients=RS-CERT&severity=low")
    assert response.status_code == 400 and response.json()["code"] == "invalid_stix"
    assert not Incident.objects.exists()
