"""The database is unreachable under a running web process: every answer is a 503 with a stable code
(JSON for the API, a readable page for the console), whether the view or a middleware (sessions, auth,
API keys) met the outage, and /healthz names the database.

And a 20 s outage of a PostgreSQL cluster of the test's own, under traffic: a console open in Chromium
shows that it is degraded and clears by itself; messages posted as the database went away are each
either whole (message, acknowledgements, escalation timers, outbox events, audit entry, stored answer)
or absent; retrying them with their Idempotency-Key creates each exactly once; the audit chain verifies.

Bounded: one uvicorn process against a PostgreSQL address where nothing listens (a free loopback port),
then one against the own cluster; every wait has a timeout."""

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
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
from tests.fault.traffic import (
    FAULT_REDIS_URL,
    Poster,
    assert_whole_or_absent,
    fetch,
    posted_rows,
    prepare_demo_database,
    report_incident,
    sign_in_demo_person,
)

# Its own PostgreSQL cluster (or none at all) and its own Redis database, whatever the run uses.
pytestmark = [pytest.mark.fault, pytest.mark.slow, pytest.mark.one_backend]


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
    secret = prepare_demo_database(env)
    web, base = start_web_process(env, tmp_path / "web.log")
    bad_key = {"Authorization": "Api-Key abc.def"}
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        assert database_ok(base)
        assert fetch(base + "/api/v1/incidents/", headers=bad_key)[0] == 401  # the key lookup reached the database
        incident = report_incident(base, secret)

        # A duty officer's console, open and live before the outage.
        page = context.new_page()
        sign_in_demo_person(page, base)
        indicator = page.locator("#live-indicator")

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
        with psycopg.connect(url, connect_timeout=10) as database:
            rows = posted_rows(database, incident)
        whole = assert_whole_or_absent(rows, poster.answers)

        # Retried with their keys, every post exists exactly once; the accepted ones answer as before.
        for number, (status, answer) in answers.items():
            retried_status, retried = poster.post(number)
            assert retried_status == 201, retried
            if status == 201:
                assert retried["number"] == answer["number"]
        with psycopg.connect(url, connect_timeout=10) as database:
            rows = posted_rows(database, incident)
        assert rows.pop(0) == Counter()
        assert rows == {number: whole for number in answers}
        verified = run_manage("verify_audit", env=env)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        context.close()
        stop_process(web)
