"""The database is unreachable under a running web process: every answer is a 503 with a stable code
(JSON for the API, a readable page for the console), whether the view or a middleware (sessions, auth,
API keys) met the outage, and /healthz names the database.

And a 20 s outage of a PostgreSQL cluster of the test's own, under traffic: a console open in Chromium
shows that it is degraded and clears by itself; messages posted as the database went away are each
either whole (message, acknowledgements, escalation timers, outbox events, audit entry, stored answer)
or absent; retrying them with their Idempotency-Key creates each exactly once; the audit chain verifies.

Bounded: one uvicorn process against a PostgreSQL address where nothing listens (a free loopback port),
then one against the own cluster; every wait has a timeout."""

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import expect

from tests.conftest import (
    free_port,
    hotline_env,
    run_manage,
    share_collected_static,
    start_web_process,
    stop_process,
)

pytestmark = [pytest.mark.fault, pytest.mark.slow]

# The web processes' Redis (channel layer, rate limits): a database of its own, never the suite's.
FAULT_REDIS_URL = os.environ.get("HOTLINE_FAULT_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def web_without_database(tmp_path):
    env = hotline_env(
        HOTLINE_DATA_DIR=str(tmp_path),
        HOTLINE_DEMO="1",
        SECRET_KEY=None,
        DEBUG=None,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/hotline_gone",
        REDIS_URL=FAULT_REDIS_URL,
    )
    process, base = start_web_process(env, tmp_path / "web.log")
    yield base
    stop_process(process)


def fetch(url: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=body)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def test_the_api_answers_503_database_unavailable_from_views_and_middleware(web_without_database):
    requests = [
        ("GET", "/api/v1/incidents/", {"Authorization": "Api-Key abc.def"}, None),  # API key lookup
        ("GET", "/api/v1/incidents/", {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}, None),  # session
        (
            "POST",
            "/api/v1/incidents/",
            {"Authorization": "Api-Key abc.def", "Content-Type": "application/json", "Idempotency-Key": "k-1"},
            b'{"title": "x"}',
        ),
    ]
    for method, path, headers, body in requests:
        status, content_type, text = fetch(web_without_database + path, method, headers, body)
        assert status == 503, (method, path, status, text[:300])
        assert content_type.startswith("application/json")
        assert json.loads(text)["code"] == "database_unavailable"
        assert "Traceback" not in text


def test_the_console_answers_a_readable_503_page(web_without_database):
    status, content_type, text = fetch(
        web_without_database + "/console/", headers={"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}
    )
    assert status == 503, text[:300]
    assert content_type.startswith("text/html")
    assert "database" in text.lower()
    assert "Traceback" not in text


def test_healthz_names_the_database(web_without_database):
    status, _, text = fetch(web_without_database + "/healthz")
    assert status == 503
    assert json.loads(text)["checks"]["database"]["ok"] is False


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class OwnCluster:
    """A PostgreSQL cluster of the test's own (initdb into a temporary folder, another port), so that
    stopping it never touches the machine's server. Run as the postgres user: initdb refuses root."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(self.prefix + list(command), check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self.folder.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.run(str(PG_BIN / "initdb"), "-D", str(self.folder), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")  # the server must not hold our output pipes open
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder), "-l", log, "-o", options, "-w", "-t", "30", "start")

    def stop(self) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder), "-m", "immediate", "-w", "stop")


@pytest.fixture
def own_cluster():
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 binaries not found in {PG_BIN}: the outage test needs its own cluster")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: initdb refuses root")
    parent = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
    parent.chmod(0o755)
    cluster = OwnCluster(parent / "cluster", free_port())
    cluster.init()
    cluster.start()
    cluster.run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "hotline")
    yield cluster
    try:
        cluster.stop()
    except subprocess.CalledProcessError:
        pass  # already stopped
    shutil.rmtree(parent, ignore_errors=True)


def database_ok(base: str) -> bool:
    return json.loads(fetch(base + "/healthz")[2])["checks"]["database"]["ok"]


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
            "Idempotency-Key": f"outage-{number}",
        }
        body = json.dumps({"body": f"outage message {number}", "requires_ack": True}).encode()
        status, _, text = fetch(self.url, "POST", headers, body)
        return status, json.loads(text)

    def keep_posting(self) -> None:
        while not self.stopping.is_set():
            number = next(self.numbers)
            self.answers[number] = self.post(number)
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


def posted_rows(url: str, incident: dict) -> dict[int, Counter]:
    """What the database holds of each posted message, by the number in its body, read with SQL of our
    own (not the service's code): the message, its acknowledgements and their escalation timers, its
    outbox events and their audiences, its audit entry and its stored idempotent answer. Under 0: the rows of a posted
    message that is not there (none may be)."""
    rows = defaultdict(Counter)
    with psycopg.connect(url, connect_timeout=10) as connection:
        sql = connection.execute
        incident_id, reference = incident["id"], incident["reference"]
        thread = dict(sql("SELECT number, body FROM incidents_message WHERE incident_id = %s", [incident_id]))
        posted = {number: int(body.split()[-1]) for number, body in thread.items() if body.startswith("outage message")}

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
            count(payload["message"]["number"], "events")
            count(payload["message"]["number"], "audience", audience)
        for (body,) in sql("SELECT body FROM audit_entry WHERE action = 'incident.message_posted'"):
            details = json.loads(body)["details"]
            if details["incident"] == reference:
                count(details["message"], "audit")
        for (key,) in sql("SELECT key FROM idempotency_idempotentresponse WHERE key LIKE 'outage-%%'"):
            number = int(key.removeprefix("outage-"))
            rows[number if number in posted.values() else 0]["stored"] += 1
    rows[0] += Counter()  # drops zero counts
    return rows


def test_a_20_second_outage_answers_503_shows_it_and_recovers_without_a_restart(own_cluster, tmp_path, chromium):
    url = f"postgres://postgres@127.0.0.1:{own_cluster.port}/hotline"
    env = hotline_env(
        HOTLINE_DATA_DIR=str(tmp_path),
        HOTLINE_DEMO="1",
        SECRET_KEY=None,
        DEBUG=None,
        DATABASE_URL=url,
        REDIS_URL=FAULT_REDIS_URL,
    )
    share_collected_static(tmp_path)
    for command in (["migrate", "-v0"], ["load_demo_data"]):
        result = run_manage(*command, env=env)
        assert result.returncode == 0, result.stderr
    created = run_manage("create_api_key", "RS-CERT", "--name", "outage test", env=env)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    web, base = start_web_process(env, tmp_path / "web.log")
    bad_key = {"Authorization": "Api-Key abc.def"}
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        assert database_ok(base)
        assert fetch(base + "/api/v1/incidents/", headers=bad_key)[0] == 401  # the key lookup reached the database
        report = {
            "title": "Outage drill",
            "summary": "Traffic during a database outage.",
            "category": "cyber",
            "severity": "high",
            "tlp": "GREEN",
            "recipients": ["HR-CERT"],
            "occurred_at": datetime.now(UTC).isoformat(),
        }
        headers = {"Authorization": f"Api-Key {secret}", "Content-Type": "application/json"}
        status, _, text = fetch(base + "/api/v1/incidents/", "POST", headers, json.dumps(report).encode())
        assert status == 201, text[:300]
        incident = json.loads(text)

        # A duty officer's console, open and live before the outage.
        page = context.new_page()
        page.goto(base + "/login/")
        page.get_by_label("Username").fill("rs-cert-duty")
        page.get_by_label("Password").fill("hotline-demo-2026")  # accounts.demo.DEMO_PASSWORD
        page.get_by_role("button", name="Sign in").click()
        indicator = page.locator("#live-indicator")
        expect(indicator).to_have_attribute("data-state", "live")

        with Poster(base, secret, incident["id"]) as poster:
            deadline = time.monotonic() + 15
            while poster.accepted() < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert poster.accepted() >= 3, poster.answers
            own_cluster.stop()  # immediate: transactions in flight are cut off
            stopped = time.monotonic()
            time.sleep(1)
        degraded_at = None
        while time.monotonic() - stopped < 20:  # the 20 s outage, with traffic throughout
            status, content_type, text = fetch(base + "/api/v1/incidents/", headers=bad_key)
            assert (status, json.loads(text)["code"]) == (503, "database_unavailable"), text[:300]
            assert not database_ok(base)
            if degraded_at is None and indicator.get_attribute("data-state") == "degraded":
                degraded_at = time.monotonic() - stopped
                assert "database unavailable" in indicator.inner_text()
                for name, size in [("wide", (1440, 900)), ("phone", (390, 844))]:
                    page.set_viewport_size(dict(zip(("width", "height"), size, strict=True)))
                    page.screenshot(path=str(tmp_path / f"degraded-{name}.png"))
            time.sleep(1)
        # The next ping (every 15 s) meets the outage, so a 20 s one is always shown.
        assert degraded_at is not None, "the console never showed the outage"
        own_cluster.start()

        # Back by itself: the same web process, no restart; the console clears within its re-check.
        assert database_ok(base)
        assert fetch(base + "/api/v1/incidents/", headers=bad_key)[0] == 401
        expect(indicator).to_have_attribute("data-state", "live", timeout=10_000)
        assert web.poll() is None

        answers = poster.answers
        assert {status for status, _ in answers.values()} <= {201, 503}, answers
        assert any(status == 503 for status, _ in answers.values()), "no post met the outage"
        assert all(answer["code"] == "database_unavailable" for status, answer in answers.values() if status == 503)
        # Nothing half-written: each message whole or absent, and no row without its message.
        rows = posted_rows(url, incident)
        assert rows.pop(0) == Counter(), "rows without their message"
        first = rows[1]  # accepted before the outage
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

        # Retried with their keys, every post exists exactly once; the accepted ones answer as before.
        for number, (status, answer) in answers.items():
            retried_status, retried = poster.post(number)
            assert retried_status == 201, retried
            if status == 201:
                assert retried["number"] == answer["number"]
        rows = posted_rows(url, incident)
        assert rows.pop(0) == Counter()
        assert rows == {number: whole for number in answers}
        verified = run_manage("verify_audit", env=env)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        context.close()
        stop_process(web)
