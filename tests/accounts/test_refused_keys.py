"""Defect 6 (low) of issue 14: unknown API keys cannot grow the append-only log without limit. Each is
refused with 401 as before; the log keeps at most one `api_key.refused` entry per key prefix and client
address per window, and the next entry counts the refusals that were not written."""

import json
import time
import uuid

from django.test import Client

from hotline.audit.models import AuditEntry

PARTIES = "/api/v1/parties/"


def refused_entries() -> list[dict]:
    bodies = AuditEntry.objects.filter(action="api_key.refused").order_by("seq").values_list("body", flat=True)
    return [json.loads(body)["details"] for body in bodies]


def unknown_key() -> str:
    return f"{uuid.uuid4().hex[:8]}.not-a-secret"  # a prefix of its own, whatever other tests sent


def ask(key: str, address: str = "198.51.100.7"):
    return Client(REMOTE_ADDR=address).get(PARTIES, HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_fifty_requests_with_one_unknown_key_from_one_address_leave_one_entry_and_each_is_refused(db):
    key = unknown_key()
    answers = [ask(key) for _ in range(50)]
    assert {(answer.status_code, answer.json()["code"]) for answer in answers} == {(401, "api_key_invalid")}
    [entry] = refused_entries()
    assert entry["prefix"] == key[:8] and entry["code"] == "api_key_invalid" and entry["ip"] == "198.51.100.7"


def test_another_address_or_another_key_has_an_entry_of_its_own(db):
    key = unknown_key()
    ask(key, "198.51.100.7")
    ask(key, "198.51.100.7")
    ask(key, "203.0.113.9")
    ask(unknown_key(), "198.51.100.7")
    assert len(refused_entries()) == 3


def test_the_next_window_s_entry_counts_the_refusals_not_written(db, settings):
    settings.AUDIT_REFUSAL_WINDOW_SECONDS = 1
    key = unknown_key()
    for _ in range(5):
        ask(key)
    time.sleep(1.1)
    assert ask(key).status_code == 401
    first, second = refused_entries()
    assert "repeats" not in first and second["repeats"] == 4
