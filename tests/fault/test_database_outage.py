"""The database is unreachable under a running web process: every answer is a 503 with a stable code
(JSON for the API, a readable page for the console), whether the view or a middleware (sessions, auth,
API keys) met the outage, and /healthz names the database.

Bounded: one uvicorn process against a PostgreSQL address where nothing listens (a free loopback port)."""

import json
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from hotline.cli import web_command
from tests.conftest import ROOT, free_port, hotline_env

pytestmark = [pytest.mark.fault, pytest.mark.slow]


@pytest.fixture
def web_without_database(tmp_path):
    port = free_port()
    env = hotline_env(
        HOTLINE_DATA_DIR=str(tmp_path),
        HOTLINE_DEMO="1",
        SECRET_KEY=None,
        DEBUG=None,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/hotline_gone",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    process = subprocess.Popen(
        web_command("127.0.0.1", port), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5)
        except urllib.error.HTTPError:
            break  # it answers (503: the database is down)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the web process did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.3)
    yield base
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
