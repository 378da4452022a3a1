"""Faults under traffic, with real consoles in Chromium: an ASGI process SIGKILLed, Redis restarted empty.

Two web processes (`hotline web`) share the test database and a Redis of the test's own. Consoles of three
recipient organisations are signed in to process A; a thread posts to them through the API of process B,
one incident or message every 0.2 s.
- A is SIGKILLed mid-traffic and started again on the same port: the consoles see the channel drop and
  come back by themselves (no reload), and each ends with exactly the events of its organisation that
  the database holds, each once.
- Redis is killed and started again empty mid-traffic: the same for the consoles, /healthz says Redis is
  down and then recovers by itself, and escalation timers due during and after the outage page exactly
  once (a real Celery worker and beat, e-mail to a fake SMTP server).
"""

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from hotline.embedded_redis import die_with_parent
from hotline.escalation.models import Timer
from hotline.realtime.models import Event
from tests.accounts.world import organisation as organisation_of
from tests.accounts.world import person
from tests.audit.test_concurrent_appends import database_url_of_the_test_database
from tests.conftest import (
    PASSWORD,
    free_port,
    hotline_env,
    share_collected_static,
    sign_in,
    start_web_process,
    stop_process,
)
from tests.escalation.test_crash_safety import ONE_EMAIL_AND_ONE_WEBHOOK, all_paged, assert_each_page_arrived_once
from tests.escalation.world import one_page_policy, paging_world, wait_for
from tests.fault.test_database_outage import fetch
from tests.incidents.conftest import make_key_client

pytestmark = [pytest.mark.fault, pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSOLES = {"HR-CERT": "hr-cert-duty", "HR-MOD": "hr-mod-duty", "AL-CERT": "al-cert-duty"}  # one per recipient
POST_EVERY_S = 0.2
INCIDENTS = "/api/v1/incidents/"
MARKER = "fault-test:marker"

# Each console page collects the id of every event the live channel hands it, and counts catch-ups.
COLLECT = (
    "window.eventsShown = []; window.resumes = 0; "
    "document.addEventListener('hotline:event', (e) => window.eventsShown.push(e.detail.id)); "
    "document.addEventListener('hotline:resumed', () => { window.resumes += 1; });"
)


class OwnRedis:
    """A redis-server of the test's own on a loopback port, without persistence: killed and started again,
    it comes back empty, as a Redis restarted without its data does."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                command + ["--dir", str(self.folder)], stdout=log, stderr=log, preexec_fn=die_with_parent
            )
        deadline = time.monotonic() + 10
        while True:
            try:
                # Empty: the marker the last start left is gone (clients may have written since it started).
                with redis.Redis.from_url(self.url, socket_timeout=1) as client:
                    assert client.set(MARKER, "the last start", nx=True), "a restarted Redis must be empty"
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("the test's redis-server did not start")
                time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


class Web:
    """A `hotline web` process that can be SIGKILLed and started again on the same port."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.process, self.url = start_web_process(env, log)
        self.port = int(self.url.rsplit(":", 1)[1])

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def restart(self) -> None:
        self.process, _ = start_web_process(self.env, self.log, port=self.port)

    def stop(self) -> None:
        stop_process(self.process)


def call(url: str, secret: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Api-Key {secret}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def incident(recipient: str, severity: str = "low", title: str = "Scan of the border crossing's network") -> dict:
    return {
        "title": title,
        "summary": "From one address, every port.",
        "category": "cyber",
        "severity": severity,
        "tlp": "AMBER",
        "recipients": [recipient],
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
    }


class Traffic(threading.Thread):
    """Through the API of process B, every POST_EVERY_S: a message on one recipient's incident, recipients
    in turn, and every fifth time a new incident instead. Every answer is kept: all must be 201."""

    def __init__(self, base: str, secret: str, incidents: dict):
        super().__init__(name="traffic", daemon=True)
        self.base, self.secret, self.incidents = base, secret, incidents
        self.statuses: list[int] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        recipients = list(self.incidents)
        while not self.stopped.wait(POST_EVERY_S):
            number = len(self.statuses)
            recipient = recipients[number % len(recipients)]
            if number % 5 == 4:
                status, _ = self.call(INCIDENTS, incident(recipient, title=f"Scan number {number}"))
            else:
                path = f"{INCIDENTS}{self.incidents[recipient]}/messages/"
                status, _ = self.call(path, {"body": f"Update {number}", "kind": "information"})
            self.statuses.append(status)

    def call(self, path: str, body: dict) -> tuple[int, dict]:
        try:
            return call(self.base + path, self.secret, body)
        except OSError:
            return 0, {}  # no answer at all: counted as a failure below

    def stop(self) -> list[int]:
        self.stopped.set()
        self.join(timeout=15)
        return self.statuses


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        stop_process(server.process)


@pytest.fixture
def world(settings, own_redis, receivers):
    """The demo world wired to the fake receivers, the consoles' people with passwords the web processes'
    hasher reads (the suite's own is MD5, which they do not accept), and an API key of RS-CERT, the
    reporter. This process's Redis clients (the engine's heartbeat reads) go to the test's own Redis."""
    settings.REDIS_URL = own_redis.url
    paging_world(receivers)
    hasher = Argon2PasswordHasher()
    User.objects.filter(username__in=CONSOLES.values()).update(password=hasher.encode(PASSWORD, hasher.salt()))
    return SimpleNamespace(secret=make_key_client("RS-CERT").secret, redis_url=own_redis.url)


@pytest.fixture
def webs(world, own_redis, tmp_path):
    """Processes A and B on one data folder of their own, with the static files the session collected."""
    share_collected_static(tmp_path)
    env = hotline_env(
        DATABASE_URL=database_url_of_the_test_database(),
        REDIS_URL=own_redis.url,
        HOTLINE_DATA_DIR=str(tmp_path),
    )
    started = []
    try:
        for name in ("a", "b"):
            started.append(Web(env, tmp_path / f"web-{name}.log"))
        yield SimpleNamespace(a=started[0], b=started[1], secret=world.secret)
    finally:
        for web in started:
            if web.process.poll() is None:
                web.stop()


@pytest.fixture
def consoles(webs, chromium):
    """One signed-in console page per recipient organisation, on process A, each caught up once."""
    contexts, pages = [], {}
    try:
        for organisation, username in CONSOLES.items():
            context = chromium.new_context(locale="en-GB", timezone_id="Europe/Zagreb")
            context.set_default_timeout(10_000)
            contexts.append(context)
            page = context.new_page()
            page.add_init_script(COLLECT)
            sign_in(page, SimpleNamespace(url=webs.a.url), person(username))
            page.wait_for_function("() => window.resumes >= 1")
            page.evaluate("window.sameDocument = true")  # a reload would drop it (and the collected ids)
            pages[organisation] = page
        yield pages
    finally:
        for context in contexts:
            context.close()


def incidents_for_each(webs) -> dict:
    """One incident per recipient, reported through the API of process B: what the traffic writes on."""
    reported = {}
    for organisation in CONSOLES:
        status, body = call(webs.b.url + INCIDENTS, webs.secret, incident(organisation))
        assert status == 201, body
        reported[organisation] = body["id"]
    return reported


def baselines(consoles) -> dict:
    """Each console's watermark: every event of its organisation above it must reach it."""
    return {organisation: page.evaluate("window.Hotline.live.lastEventId") for organisation, page in consoles.items()}


def expect_each_console_to_show_its_events_once(consoles, since: dict, traffic_statuses: list[int]) -> None:
    """Each console shows exactly its organisation's events above its baseline, in the database, each once,
    without a reload."""
    assert traffic_statuses and set(traffic_statuses) == {201}, traffic_statuses
    for organisation, page in consoles.items():
        wanted = sorted(
            Event.objects.filter(
                audience__organisation_id=organisation_of(organisation).pk, pk__gt=since[organisation]
            ).values_list("pk", flat=True)
        )
        assert len(wanted) >= len(traffic_statuses) // len(consoles), "the traffic wrote the recipient's events"
        # The catch-up after a gap may still be on its way: bounded, then exact.
        try:
            page.wait_for_function(
                "wanted => wanted.every((id) => window.eventsShown.includes(id))", arg=wanted, timeout=15_000
            )
        except Exception:
            pass  # the assertion below names what is missing
        shown = page.evaluate("window.eventsShown")
        missing, extra = sorted(set(wanted) - set(shown)), sorted(set(shown) - set(wanted))
        assert (missing, extra) == ([], []), f"{organisation}: missing {missing}, not its own {extra}"
        assert len(shown) == len(set(shown)), f"{organisation}: shown twice: {sorted(shown)}"
        assert page.evaluate("window.sameDocument === true"), f"{organisation}'s console was reloaded"
        print(f"{organisation}: {len(shown)} events, each once")


def expect_all_live(consoles, timeout_ms: int = 20_000) -> None:
    for page in consoles.values():
        expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=timeout_ms)


def test_consoles_on_a_sigkilled_web_process_reconnect_by_themselves_and_miss_nothing(webs, consoles):
    reported = incidents_for_each(webs)
    since = baselines(consoles)
    traffic = Traffic(webs.b.url, webs.secret, reported)
    traffic.start()
    time.sleep(4)

    webs.a.kill()
    at_kill = len(traffic.statuses)
    for page in consoles.values():  # each noticed: the channel is down, not merely quiet
        expect(page.locator("#live-indicator")).to_have_attribute("data-state", "offline", timeout=5_000)
    time.sleep(1)
    webs.a.restart()
    expect_all_live(consoles)
    at_back = len(traffic.statuses)
    time.sleep(3)  # traffic after the reconnect, pushed live again
    statuses = traffic.stop()
    assert at_back > at_kill > 0 and len(statuses) > at_back, "posts before, during and after the outage"

    expect_each_console_to_show_its_events_once(consoles, since, statuses)


def healthz(base: str) -> dict:
    return json.loads(fetch(base + "/healthz")[2])


@pytest.fixture
def own_engine(world, engine):
    """tests/escalation/conftest.py's real worker and beat, set up after `world` pointed this process's
    REDIS_URL at the test's own Redis: they take it from there."""
    assert engine.environment["REDIS_URL"] == world.redis_url
    return engine


def hr_cert_timers() -> list[Timer]:
    return list(Timer.objects.filter(recipient__code="HR-CERT", severity="high"))


def test_consoles_resync_and_timers_page_once_when_redis_restarts_empty(
    own_redis, receivers, own_engine, webs, consoles
):
    engine = own_engine
    one_page_policy("high", ONE_EMAIL_AND_ONE_WEBHOOK, after_s=3)
    engine.start()
    reported = incidents_for_each(webs)
    since = baselines(consoles)
    traffic = Traffic(webs.b.url, webs.secret, reported)
    traffic.start()
    time.sleep(3)

    # A timer due while Redis is down: reported 1 s before, due 3 s after the report.
    status, body = call(webs.b.url + INCIDENTS, webs.secret, incident("HR-CERT", "high", "Due during the outage"))
    assert status == 201, body
    time.sleep(1)
    own_redis.kill()
    down = healthz(webs.b.url)
    assert down["checks"]["redis"]["ok"] is False and "redis" in down["failing"], down
    time.sleep(3)
    own_redis.start()
    # And one due after: reported as Redis comes back.
    status, body = call(webs.b.url + INCIDENTS, webs.secret, incident("HR-CERT", "high", "Due after the outage"))
    assert status == 201, body

    wait_for(lambda: healthz(webs.b.url)["checks"]["redis"]["ok"], 10, "/healthz sees Redis again")
    time.sleep(3)
    statuses = traffic.stop()
    timers = hr_cert_timers()
    assert len(timers) == 2
    wait_for(lambda: all_paged(timers), 40, "both timers paged after Redis came back", engine)
    assert assert_each_page_arrived_once(receivers, timers) == 0
    wait_for(lambda: healthz(webs.b.url)["status"] == "ok", 40, "/healthz all ok again, by itself", engine)

    expect_all_live(consoles)
    expect_each_console_to_show_its_events_once(consoles, since, statuses)
