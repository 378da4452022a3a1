"""Shared fixtures: named people, a real ASGI server, a real Chromium, and processes of our own CLI.

The test environment itself (data folder, embedded Redis, production mode) is set by the harness
plugin in hotline/testing.py before Django is configured.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import uvicorn
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach Google's hosts, which this closed
# network refuses; loopback is the only network the tests use. The autoplay flag lets the console alert
# beep without a click first, as a console left open all shift (and clicked once) does.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_user(username: str, **fields) -> User:
    user = User(username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def enrol_authenticator(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def duty_officer(db):
    return make_user("rs-mod-duty", first_name="Marko", last_name="Petrović")


class AsgiServer:
    """uvicorn serving hotline.asgi in a thread of the test process, so it shares the test database."""

    def __init__(self):
        from hotline.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="asgi-test-server", daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test ASGI server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, the test database commits without waiting for its WAL to reach the disk
    (`synchronous_commit = off`, for every connection: the tests' own and their servers'). A commit is
    still a commit to every other session, in the same order; only an operating-system crash could lose
    the last ones, which no test survives anyway. It takes about 2 ms off each of the suite's many
    commits. The fault tests that stop PostgreSQL run a cluster of their own."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                name = connection.ops.quote_name(connection.settings_dict["NAME"])
                cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
                cursor.execute("SET synchronous_commit = off")


@pytest.fixture(scope="session")
def asgi_server():
    server = AsgiServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run the tests with `python3 quickstart.py test`, which installs it")
    # Playwright's sync API keeps an event loop on the main thread while the browser lives; the tests'
    # own ORM calls (and pytest-django's database set-up) are still plain synchronous code, which Django
    # would otherwise refuse next to a loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_context(chromium):
    context = chromium.new_context(locale="en-GB", timezone_id="Europe/Belgrade")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def hotline_env(**overrides) -> dict:
    """The environment for a process of our own CLI: this one's, with overrides (None removes)."""
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser fixture's crutch stays in this process
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def start_web_process(env: dict, log: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`hotline web` (uvicorn, as production runs it) on a loopback port (a free one unless `port` is
    given: a restart takes the old one's), in a process of its own; returns it and its base URL once
    /healthz answers at all (503 included: a test may have taken a part away). Its output goes to `log`
    (appended: a restart keeps the first run's), not a pipe nobody reads, which would stall it once full."""
    from hotline.cli import web_command

    port = port or free_port()
    with open(log, "ab") as output:
        process = subprocess.Popen(web_command("127.0.0.1", port), env=env, cwd=ROOT, stdout=output, stderr=output)
    base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5)
            return process, base
        except urllib.error.HTTPError:
            return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                pytest.fail("the web process did not start: " + log.read_text(errors="replace")[-2000:])
            time.sleep(0.3)


def share_collected_static(data_folder: Path) -> None:
    """Give a process of ours with its own data folder the static files this session collected (its
    pages name them by their hashed names): a link, not a second 30 MB collectstatic."""
    from django.conf import settings

    (data_folder / "static").symlink_to(settings.STATIC_ROOT, target_is_directory=True)


def stop_process(process: subprocess.Popen) -> None:
    """End a process a test started: politely, then for sure."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_manage(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sign_in(page, server: AsgiServer, user: User) -> None:
    """Sign in through the real login page with password and the authenticator's current code."""
    from playwright.sync_api import expect

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol_authenticator(user)
    page.goto(server.url + "/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
