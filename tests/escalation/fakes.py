"""The outside world of the escalation tests and benchmark, on loopback: a fake SMTP server (aiosmtpd), a
fake HTTP server for webhooks and the SMS gateway, and the real engine (a Celery worker and beat started
with our CLI's commands) as processes that can be killed and started again."""

import email
import email.policy
import json
import logging
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
from aiosmtpd.controller import Controller

from hotline.cli import beat_command, worker_command
from hotline.embedded_redis import die_with_parent
from hotline.heartbeat import HEARTBEAT_KEY, redis_client
from tests.conftest import ROOT, free_port

WORKER_CONCURRENCY = 2
START_TIMEOUT = 60  # a worker's first tick on this shared two-core machine comes after 3-10 s
STOP_TIMEOUT = 15
SEND_LEASE_S = 3  # a killed sender's claims are taken over after this: short, so the tests are too


# --- the fake SMTP server ----------------------------------------------------------------------------


@dataclass
class Mail:
    """One message as the SMTP server received it; read when asked (the benchmark only counts them)."""

    received_at: float
    recipients: tuple[str, ...]
    content: bytes

    @cached_property
    def _message(self):
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def page_key(self) -> str:
        """X-Hotline-Page: the page's idempotency key."""
        return str(self._message.get("X-Hotline-Page", ""))

    @property
    def message_id(self) -> str:
        """One per page and address."""
        return str(self._message.get("Message-ID", ""))

    @cached_property
    def text(self) -> str:
        """The headers and every part's body, decoded, so that a title cannot hide in base64 or
        quoted-printable: what a reader could see."""
        pieces = [f"{name}: {value}" for name, value in self._message.items()]
        for part in self._message.walk():
            if not part.is_multipart():
                payload = part.get_payload(decode=True) or b""
                pieces.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
        return "\n".join(pieces)


class FakeSmtp:
    def __init__(self):
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        mail = Mail(received_at=time.time(), recipients=tuple(envelope.rcpt_tos), content=envelope.content)
        with self._lock:
            self.mails.append(mail)
        return "250 Message accepted"

    def received(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()


# --- the fake HTTP server: webhooks and the SMS gateway ---------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request as the fake server received it, and what it answered."""

    received_at: float
    method: str
    path: str
    headers: dict  # names in lower case
    body: bytes
    status: int

    @property
    def idempotency_key(self) -> str:
        return self.headers.get("idempotency-key", "")

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """Headers, the raw body and the body's JSON with its escapes undone: what a reader could see."""
        body = self.body.decode(errors="replace")
        try:
            body += "\n" + json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            pass
        return "\n".join([*(f"{name}: {value}" for name, value in self.headers.items()), body])


@dataclass
class Failures:
    """How the fake server misbehaves: fail `remaining` requests (None: all) under `path_prefix` with `status`."""

    remaining: int | None = 0
    status: int = 500
    path_prefix: str = "/"


class FakeHttp:
    def __init__(self):
        self.requests: list[Request] = []
        self.failures = Failures()
        self.delay_s = 0.0
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                status = owner._answer(self.path)
                with owner._lock:
                    owner.requests.append(
                        Request(
                            received_at=time.time(),
                            method=self.command,
                            path=self.path,
                            headers={name.lower(): value for name, value in self.headers.items()},
                            body=body,
                            status=status,
                        )
                    )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}' if status < 300 else b'{"error": "told to fail"}')
                except ConnectionError:
                    pass  # the sender was killed while it waited for the answer: the tests kill workers

            def log_message(self, format, *args):  # quiet: the tests read self.requests
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-http", daemon=True)

    def _answer(self, path: str) -> int:
        with self._lock:
            failures = self.failures
            if not path.startswith(failures.path_prefix) or failures.remaining == 0:
                return 200
            if failures.remaining is not None:
                failures.remaining -= 1
            return failures.status

    def fail(self, times: int | None = None, status: int = 500, path_prefix: str = "/") -> None:
        """Answer the next `times` requests under `path_prefix` with `status` (None: until told otherwise)."""
        with self._lock:
            self.failures = Failures(remaining=times, status=status, path_prefix=path_prefix)

    def received(self, path_prefix: str = "/") -> list[Request]:
        with self._lock:
            return [request for request in self.requests if request.path.startswith(path_prefix)]

    def start(self):
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Receivers:
    """The outside world the engine pages: mailboxes behind one SMTP server, webhooks and the SMS gateway
    behind one HTTP server."""

    smtp: FakeSmtp
    http: FakeHttp

    def webhook_url(self, name: str) -> str:
        return f"{self.http.url}/hooks/{name}"

    @property
    def sms_gateway_url(self) -> str:
        return f"{self.http.url}/sms"

    def mails(self) -> list[Mail]:
        return self.smtp.received()

    def webhooks(self) -> list[Request]:
        return self.http.received("/hooks/")

    def sms(self) -> list[Request]:
        return self.http.received("/sms")

    def settings(self) -> dict:
        """Settings that send this process's e-mail and SMS here (for `override_settings`)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.smtp.port,
            "HOTLINE_SMS_GATEWAY_URL": self.sms_gateway_url,
        }


# --- the real engine: Celery worker and beat -------------------------------------------------------


class EngineFailed(AssertionError):
    pass


class Engine:
    """A Celery worker and beat as our CLI runs them (`hotline worker`, `hotline beat`), each in its own
    process group, logging to files in `folder`."""

    def __init__(self, folder, environment: dict, concurrency: int = WORKER_CONCURRENCY):
        self.folder = folder
        self.environment = environment
        self.concurrency = concurrency
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs_of: dict[str, Path] = {}  # the current process's log, by name
        self.starts = 0

    def _start(self, name: str, command: list[str]) -> None:
        self.starts += 1
        self.logs_of[name] = self.folder / f"{name}-{self.starts}.log"
        with open(self.logs_of[name], "ab") as log:
            self.processes[name] = subprocess.Popen(
                command,
                env=self.environment,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    def start_worker(self) -> None:
        self._start(
            "worker", _at_info(worker_command(self.concurrency, name=f"escalation-{os.getpid()}-{self.starts}@%h"))
        )

    def start_beat(self) -> None:
        self._start("beat", _at_info(beat_command()))

    def start(self) -> None:
        self.start_worker()
        self.start_beat()
        self.wait_until_ticking()

    def wait_until_ticking(self, timeout: float = START_TIMEOUT) -> None:
        """Until our worker consumes, our beat sends ticks and a tick has run since now: beat, the broker,
        the worker and the database all work. (The logs tell ours apart from the processes of another
        test run that shares the Redis; the tick's heartbeat does not.)"""
        since = time.time()
        client = redis_client()
        key = HEARTBEAT_KEY.format(component="escalation")
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self._check_alive()
                value = client.get(key)
                if (
                    value is not None
                    and float(value) > since
                    and self._said("worker", " ready.")
                    and self._said("beat", "escalation-tick")
                ):
                    return
                time.sleep(0.1)
        finally:
            client.close()
        raise EngineFailed(f"the engine did not tick within {timeout} s:\n{self.logs()}")

    def _said(self, name: str, text: str) -> bool:
        log = self.logs_of.get(name)
        return log is not None and text in log.read_text(errors="replace")

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise EngineFailed(f"{name} exited with {process.returncode}:\n{self.logs()}")

    def kill(self, name: str, signum: int = signal.SIGKILL) -> None:
        """Signal the whole process group (the worker's pool too) and wait until nothing of it is left."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        group = _group_members(process.pid)
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        _, alive = psutil.wait_procs(group, timeout=STOP_TIMEOUT if signum != signal.SIGKILL else 5)
        if alive or process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
            psutil.wait_procs(alive, timeout=5)

    def kill_worker(self) -> None:
        self.kill("worker")

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}" for path in sorted(self.folder.glob("*.log"))
        )


def _at_info(command: list[str]) -> list[str]:
    """Our CLI's command with Celery logging at INFO: "ready." and every task sent and run, in the log."""
    position = command.index("--loglevel") + 1
    return [*command[:position], "INFO", *command[position + 1 :]]


def _group_members(pid: int) -> list[psutil.Process]:
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
