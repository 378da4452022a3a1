"""The database is unreachable under a running web process: every answer is a 503 with a stable code
(JSON for the API, a readable page for the console), whether the view or a middleware (sessions, auth,
API keys) met the outage, and /healthz names the database.

Bounded: one uvicorn process against a PostgreSQL address where nothing listens (a free loopback port)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, hotline_env, start_web_process, stop_process

pytestmark = [pytest.mark.fault, pytest.mark.slow]


@pytest.fixture
def web_without_database(tmp_path):
    env = hotline_env(
        HOTLINE_DATA_DIR=str(tmp_path),
        HOTLINE_DEMO="1",
        SECRET_KEY=None,
        DEBUG=None,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/hotline_gone",
        REDIS_URL="redis://127.0.0.1:6379/15",
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


def test_a_20_second_outage_answers_503_and_recovers_without_a_restart(own_cluster, tmp_path):
    url = f"postgres://postgres@127.0.0.1:{own_cluster.port}/hotline"
    env = hotline_env(
        HOTLINE_DATA_DIR=str(tmp_path),
        HOTLINE_DEMO="1",
        SECRET_KEY=None,
        DEBUG=None,
        DATABASE_URL=url,
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    web, base = start_web_process(env, tmp_path / "web.log")
    bad_key = {"Authorization": "Api-Key abc.def"}
    try:
        assert database_ok(base)
        assert fetch(base + "/api/v1/incidents/", headers=bad_key)[0] == 401  # the key lookup reached the database

        own_cluster.stop()
        stopped = time.monotonic()
        while time.monotonic() - stopped < 20:  # the 20 s outage, with traffic throughout
            status, content_type, text = fetch(base + "/api/v1/incidents/", headers=bad_key)
            assert (status, json.loads(text)["code"]) == (503, "database_unavailable"), text[:300]
            assert not database_ok(base)
            time.sleep(1)
        own_cluster.start()

        # Back by itself: the same web process, no restart.
        assert database_ok(base)
        assert fetch(base + "/api/v1/incidents/", headers=bad_key)[0] == 401
        assert web.poll() is None
    finally:
        stop_process(web)
