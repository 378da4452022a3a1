"""What the fault tests do to a running web process of ours and check afterwards: requests with a bound
on every wait, messages posted from two threads (each with its own Idempotency-Key), and the rows each
posted message left in the database, read with SQL of our own (not the service's code)."""

import itertools
import json
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, datetime

from tests.conftest import run_manage

# The web processes' Redis (channel layer, rate limits): a database of its own, never the suite's.
FAULT_REDIS_URL = os.environ.get("HOTLINE_FAULT_REDIS_URL", "redis://127.0.0.1:6379/14")
DEMO_PASSWORD = "hotline-demo-2026"  # accounts.demo.DEMO_PASSWORD: the processes run in demo mode


def fetch(url: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=body)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


# One process for the three commands: each start of Django costs seconds on a busy CI machine.
PREPARE = """
import io
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_demo_data", stdout=io.StringIO())
call_command("create_api_key", "RS-CERT", name="fault test", stderr=io.StringIO())
"""


def prepare_demo_database(env: dict) -> str:
    """Migrate, load the demo people and return a new API key of RS-CERT's (the processes' database)."""
    result = run_manage("shell", "-c", PREPARE, env=env, timeout=180)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-1]  # the key alone on the last line (the shell may say more before it)


def report_incident(base: str, secret: str) -> dict:
    """An incident of RS-CERT's API key to HR-CERT, as the API answers it."""
    report = {
        "title": "Fault drill",
        "summary": "Traffic while a part of the service fails.",
        "category": "cyber",
        "severity": "high",
        "tlp": "GREEN",
        "recipients": ["HR-CERT"],
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    headers = {"Authorization": f"Api-Key {secret}", "Content-Type": "application/json"}
    status, _, text = fetch(base + "/api/v1/incidents/", "POST", headers, json.dumps(report).encode())
    assert status == 201, text[:300]
    return json.loads(text)


def sign_in_demo_person(page, base: str, username: str = "rs-cert-duty") -> None:
    """Through the real login page; demo mode skips the second factor."""
    from playwright.sync_api import expect

    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")


class Poster:
    """Posts messages to one incident from two threads, each with its own Idempotency-Key, and keeps
    every answer: {number: (status, answer)}; the number names both the key and the body."""

    def __init__(self, base: str, secret: str, incident_id: int):
        self.url = f"{base}/api/v1/incidents/{incident_id}/messages/"
        self.secret, self.numbers, self.answers = secret, itertools.count(1), {}
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.keep_posting, daemon=True) for _ in range(2)]

    def post(self, number: int) -> tuple[int, dict]:
        headers = {
            "Authorization": f"Api-Key {self.secret}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"fault-{number}",
        }
        body = json.dumps({"body": f"fault message {number}", "requires_ack": True}).encode()
        status, _, text = fetch(self.url, "POST", headers, body)
        return status, json.loads(text)

    def send(self) -> tuple[int, dict]:
        """Post the next message and keep its answer."""
        number = next(self.numbers)
        self.answers[number] = answer = self.post(number)
        return answer

    def keep_posting(self) -> None:
        while not self.stopping.is_set():
            self.send()
            time.sleep(0.2)

    def accepted(self) -> int:
        return sum(status == 201 for status, _ in list(self.answers.values()))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(30)


def posted_rows(connection, incident: dict) -> dict[int, Counter]:
    """What the database holds of each posted message, by the number in its body, read with SQL of our
    own (not the service's code): the message, its acknowledgements and their escalation timers, its
    outbox events and their audiences, its audit entry and its stored idempotent answer. Under 0: the rows of a posted
    message that is not there (none may be). `connection`: psycopg's or sqlite3's."""
    rows = defaultdict(Counter)
    sqlite = isinstance(connection, sqlite3.Connection)

    def sql(query: str, parameters=None):  # without parameters, psycopg takes a % as it is
        if sqlite:
            return connection.execute(query.replace("%s", "?"), parameters or ())
        return connection.execute(query, parameters)

    incident_id, reference = incident["id"], incident["reference"]
    thread = dict(sql("SELECT number, body FROM incidents_message WHERE incident_id = %s", [incident_id]))
    posted = {number: int(body.split()[-1]) for number, body in thread.items() if body.startswith("fault message")}

    def owner(thread_number: int) -> int | None:  # None: an earlier message of the thread, not ours
        return posted.get(thread_number, None if thread_number in thread else 0)

    def count(thread_number: int, what: str, how_many: int = 1) -> None:
        if owner(thread_number) is not None:
            rows[owner(thread_number)][what] += how_many

    for thread_number in posted:
        count(thread_number, "messages")
    for thread_number, timers in sql(
        "SELECT m.number, (SELECT count(*) FROM escalation_timer t"
        " WHERE t.subject_kind = 'incidents.acknowledgement' AND t.subject_id = a.id)"
        " FROM incidents_acknowledgement a JOIN incidents_message m ON m.id = a.message_id"
        " WHERE m.incident_id = %s",
        [incident_id],
    ):
        count(thread_number, "acknowledgements")
        count(thread_number, "timers", timers)
    rows[0]["timers"] += sql(
        "SELECT count(*) FROM escalation_timer t WHERE t.subject_kind = 'incidents.acknowledgement'"
        " AND NOT EXISTS (SELECT 1 FROM incidents_acknowledgement a WHERE a.id = t.subject_id)"
    ).fetchone()[0]
    events = (
        "SELECT e.payload, count(a.id) FROM realtime_event e"
        " LEFT JOIN realtime_eventaudience a ON a.event_id = e.id"
        " WHERE e.kind = 'message.created' AND e.subject = %s GROUP BY e.id"
    )
    for payload, audience in sql(events, [f"incident:{incident_id}"]):
        payload = json.loads(payload) if sqlite else payload
        count(payload["message"]["number"], "events")
        count(payload["message"]["number"], "audience", audience)
    for (body,) in sql("SELECT body FROM audit_entry WHERE action = 'incident.message_posted'"):
        details = json.loads(body)["details"]
        if details["incident"] == reference:
            count(details["message"], "audit")
    for (key,) in sql("SELECT key FROM idempotency_idempotentresponse WHERE key LIKE 'fault-%'"):
        number = int(key.removeprefix("fault-"))
        rows[number if number in posted.values() else 0]["stored"] += 1
    rows[0] += Counter()  # drops zero counts
    return rows


def assert_whole_or_absent(rows: dict[int, Counter], answers: dict) -> Counter:
    """Nothing half-written: every posted message is whole (as the first, accepted before the fault) or
    absent, every accepted one is whole, and no row lacks its message. Returns what whole means."""
    assert rows.pop(0) == Counter(), "rows without their message"
    first = rows[1]
    assert first["events"] >= 1 and first["audience"] >= 2  # both organisations taking part are told
    whole = Counter(
        messages=1,
        acknowledgements=1,
        timers=1,
        events=first["events"],
        audience=first["audience"],
        audit=1,
        stored=1,
    )
    for number, (status, _) in answers.items():
        assert rows.get(number, Counter()) in (Counter(), whole), (number, status, rows.get(number))
        assert status != 201 or rows[number] == whole, (number, rows.get(number))
    return whole
