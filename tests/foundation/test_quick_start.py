"""The Quick start's run command: the whole service on the embedded default, stopped cleanly.

Runs the real `hotline demo` (server, worker, beat and embedded Redis as processes) in a fresh data
folder, as a newcomer would, whatever database the rest of the suite uses.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from tests.conftest import ROOT, free_port, hotline_env, run_manage

# Always the embedded default in a folder of its own (the newcomer's start), whatever the run uses.
pytestmark = [pytest.mark.slow, pytest.mark.one_backend]

START_TIMEOUT = 120


class Demo:
    def __init__(self, folder, port):
        self.folder = folder
        self.port = port
        self.log = folder / "demo.log"
        self.environment = hotline_env(
            HOTLINE_DATA_DIR=str(folder),
            PORT=str(port),
            DATABASE_URL=None,
            REDIS_URL=None,
            SECRET_KEY=None,
            HOTLINE_DEMO=None,
            LOG_LEVEL="INFO",
        )
        self.process = None

    def start(self, own_process_group: bool = False):
        """`own_process_group`: started as a terminal starts a command, so that a Ctrl-C (`stop_as_terminal`)
        signals the whole foreground group."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hotline.cli", "demo"],
                env=self.environment,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                process_group=0 if own_process_group else None,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def health(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=3) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def wait_until_healthy(self) -> dict:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the demo exited early:\n{self.output()}"
            try:
                status, body = self.health()
                if status == 200:
                    return body
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        pytest.fail(f"not healthy within {START_TIMEOUT} s:\n{self.output()}")

    def wait_for_output(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} not printed within {timeout} s:\n{self.output()}")
            time.sleep(0.2)

    def processes(self) -> list[psutil.Process]:
        parent = psutil.Process(self.process.pid)
        return [parent, *parent.children(recursive=True)]

    def stop(self, signum) -> list[psutil.Process]:
        """Send the signal, wait for the demo to exit, and return what is still alive of what it ran."""
        started = self.processes()
        self.process.send_signal(signum)
        assert self.process.wait(timeout=60) == 0, self.output()
        _, alive = psutil.wait_procs(started, timeout=5)
        return alive

    def manage(self, *args):
        environment = hotline_env(
            HOTLINE_DATA_DIR=str(self.folder), DATABASE_URL=None, REDIS_URL=None, SECRET_KEY=None, HOTLINE_DEMO=None
        )
        result = run_manage(*args, env=environment)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


@pytest.fixture
def demo(tmp_path):
    running = Demo(tmp_path, free_port())
    yield running
    if running.process and running.process.poll() is None:
        for process in running.processes():
            process.kill()


def test_the_quick_start_runs_everything_and_stops_everything(demo):
    demo.start()
    body = demo.wait_until_healthy()
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "worker": True,
        "beat": True,
        "escalation": True,
    }
    demo.wait_for_output("Press Ctrl-C")  # the banner comes once the supervisor has seen the health too
    assert f"http://127.0.0.1:{demo.port}/" in demo.output()
    assert "rs-mod-duty" in demo.output() and "hotline-demo-2026" in demo.output()
    names = " ".join(" ".join(p.cmdline()) for p in demo.processes())
    assert "uvicorn" in names and "worker" in names and "beat" in names and "redis-server" in names

    # An administrator's manage.py, with nothing but the same data folder, works beside the running demo.
    rename = (
        "from accounts.models import User; User.objects.filter(username='rs-mod-duty').update(first_name='Renamed')"
    )
    demo.manage("shell", "-v0", "-c", rename)

    assert demo.stop(signal.SIGINT) == []
    assert not (demo.folder / "redis.sock").exists()

    # A second start reuses the data, changes included, and SIGTERM stops it just as cleanly.
    demo.start()
    demo.wait_until_healthy()
    assert "demo data already loaded" in demo.output()
    read = "from accounts.models import User; print(User.objects.get(username='rs-mod-duty').first_name)"
    assert demo.manage("shell", "-v0", "-c", read) == "Renamed"
    assert demo.stop(signal.SIGTERM) == []


def test_a_second_demo_on_the_same_data_folder_is_refused(demo):
    demo.start()
    demo.wait_until_healthy()
    second = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "demo", "--port", str(free_port())],
        env=demo.environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode != 0
    assert "another `hotline demo` is running" in second.stderr
    assert demo.health()[0] == 200  # and the first one is untouched
    assert demo.stop(signal.SIGINT) == []


def test_ctrl_c_in_a_terminal_stops_the_server_worker_and_beat_before_the_embedded_redis(demo):
    """A terminal's Ctrl-C sends SIGINT to its whole foreground process group: the embedded Redis must not
    take it too and go first, leaving the web server, worker and beat to stop against a dead Redis."""
    demo.start(own_process_group=True)
    demo.wait_until_healthy()
    demo.wait_for_output("Press Ctrl-C")
    processes = demo.processes()
    [redis] = [p for p in processes if "redis-server" in " ".join(p.cmdline())]
    served = [p for p in processes if any(word in " ".join(p.cmdline()) for word in ("uvicorn", "worker", "beat"))]
    assert served

    os.killpg(demo.process.pid, signal.SIGINT)
    while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in served):
        assert redis.is_running() and redis.status() != psutil.STATUS_ZOMBIE, "Redis stopped before the others"
        time.sleep(0.02)
    assert demo.process.wait(timeout=60) == 0, demo.output()
    psutil.wait_procs([redis], timeout=10)
    assert not redis.is_running(), "and it stops after them"
