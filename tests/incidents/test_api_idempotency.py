"""`Idempotency-Key` on the incidents API's POSTs: a retry gets the first answer and changes nothing."""

import threading
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from hotline.audit.models import AuditEntry
from hotline.realtime.models import Event
from incidents.models import Incident, Message
from tests.incidents.conftest import ApiClient, make_key_client

INCIDENTS = "/api/v1/incidents/"


def new_incident(**overrides) -> dict:
    return {
        "title": "Defacement of the tax office site",
        "summary": "Since 06:30 UTC.",
        "category": "cyber",
        "severity": "medium",
        "tlp": "GREEN",
        "recipients": ["ME"],
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        **overrides,
    }


def counts() -> tuple[int, int, int, int]:
    return Incident.objects.count(), Message.objects.count(), AuditEntry.objects.count(), Event.objects.count()


def test_a_retried_report_gets_the_first_answer_and_creates_nothing(api_key_client):
    client = api_key_client("RS-CERT")
    body = new_incident()
    first = client.post(INCIDENTS, body, HTTP_IDEMPOTENCY_KEY="report-0001")
    assert first.status_code == 201
    after_first = counts()
    retry = client.post(INCIDENTS, body, HTTP_IDEMPOTENCY_KEY="report-0001")
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert counts() == after_first


def test_the_same_key_with_another_body_is_refused_with_422(api_key_client):
    client = api_key_client("RS-CERT")
    assert client.post(INCIDENTS, new_incident(), HTTP_IDEMPOTENCY_KEY="report-0002").status_code == 201
    before = counts()
    response = client.post(INCIDENTS, new_incident(title="Another incident"), HTTP_IDEMPOTENCY_KEY="report-0002")
    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert counts() == before


def test_a_refused_request_may_be_corrected_and_sent_again_under_the_same_key(api_key_client):
    client = api_key_client("RS-CERT")
    refused = client.post(INCIDENTS, new_incident(recipients=["NOWHERE"]), HTTP_IDEMPOTENCY_KEY="report-0003")
    assert refused.status_code == 400
    accepted = client.post(INCIDENTS, new_incident(), HTTP_IDEMPOTENCY_KEY="report-0003")
    assert accepted.status_code == 201
    assert Incident.objects.count() == 1


def test_keys_belong_to_their_caller(api_key_client):
    body = new_incident()
    first = api_key_client("RS-CERT").post(INCIDENTS, body, HTTP_IDEMPOTENCY_KEY="shared-key")
    second = api_key_client("RS-MOD").post(INCIDENTS, body, HTTP_IDEMPOTENCY_KEY="shared-key")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


def test_a_retried_message_and_a_retried_acknowledgement_change_nothing(api_key_client, api_report):
    incident = api_report(to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    url = f"{INCIDENTS}{incident.pk}/messages/"
    first = hr_cert.post(url, {"body": "We see it too.", "kind": "information"}, HTTP_IDEMPOTENCY_KEY="msg-1")
    before = counts()
    retry = hr_cert.post(url, {"body": "We see it too.", "kind": "information"}, HTTP_IDEMPOTENCY_KEY="msg-1")
    assert (retry.status_code, retry.json()["number"]) == (201, first.json()["number"])
    assert counts() == before
    ack = hr_cert.post(f"{INCIDENTS}{incident.pk}/acknowledge/", {}, HTTP_IDEMPOTENCY_KEY="ack-1")
    assert len(ack.json()["acknowledged"]) == 1
    before = counts()
    again = hr_cert.post(f"{INCIDENTS}{incident.pk}/acknowledge/", {}, HTTP_IDEMPOTENCY_KEY="ack-1")
    assert again.json() == ack.json()
    assert counts() == before


def test_an_idempotency_key_too_long_is_refused_with_its_own_code_and_creates_nothing(api_key_client):
    response = api_key_client("RS-CERT").post(INCIDENTS, new_incident(), HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_invalid")
    assert Incident.objects.count() == 0


def test_concurrent_retries_create_one_incident(transactional_db):
    """Four retries of one report sent at the same moment, each on its own connection (as four
    workers would): one incident, and all four get its answer."""
    from tests.accounts.world import build_demo_world

    build_demo_world()
    key = make_key_client("RS-CERT")
    body, start, answers = new_incident(), threading.Barrier(4), []

    def retry():
        client = ApiClient(key.secret, key.key)  # a test client is not shared between threads
        try:
            start.wait(timeout=10)
            answers.append(client.post(INCIDENTS, body, HTTP_IDEMPOTENCY_KEY="race-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answer.status_code for answer in answers) == [201] * 4
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Incident.objects.count() == 1
    assert Message.objects.count() == 1
