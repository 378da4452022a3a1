"""The `hotline` command: `hotline demo` runs the whole service on the embedded default; `hotline web`,
`hotline worker` and `hotline beat` are the three production processes.

`hotline demo` is a small supervisor: it starts the embedded Redis, migrates, loads the demo data once,
then runs the ASGI server, a Celery worker and Celery beat as children, and stops all of them — and the
embedded Redis — on Ctrl-C, SIGTERM or SIGHUP, or when any child dies.
"""

import argparse
import fcntl
import importlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hotline.env import ConfigError, env_int

SETTINGS_MODULE = "hotline.settings"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
CHILD_STOP_TIMEOUT = 20.0


def fail(message: str, status: int = 2) -> None:
    print(f"hotline: {message}", file=sys.stderr)
    sys.exit(status)


@contextmanager
def exit_on_config_error(load_settings: bool = True):
    """Turn a configuration error into one line naming the variable, not a traceback.

    Loads the settings module first: Django's own command runner would otherwise swallow the error and
    fail later with a message about something else.
    """
    try:
        if load_settings:
            importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE))
        yield
    except ConfigError as exc:
        fail(str(exc))


def redacted_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    with exit_on_config_error():
        import django

        django.setup()


def require_reachable_services() -> None:
    """Fail at start-up, in one line, when the database or Redis cannot be reached."""
    import redis
    from django.conf import settings
    from django.db import connection

    try:
        connection.ensure_connection()
    except Exception as exc:  # the driver's error says why; the variable says where to fix it
        fail(f"DATABASE_URL: cannot connect ({str(exc).strip().splitlines()[0]})")
    finally:
        connection.close()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3, socket_connect_timeout=3)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        variable = "REDIS_URL" if not settings.EMBEDDED_REDIS else "embedded Redis"
        fail(f"{variable}: cannot connect to {redacted_url(settings.REDIS_URL)} ({exc})")
    finally:
        client.close()


# --- the three production processes ------------------------------------------------------------------


def web_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "hotline.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--lifespan",
        "off",  # Django has no lifespan handler
        "--no-access-log",  # our request middleware logs each request with its id
        "--proxy-headers",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "--timeout-graceful-shutdown",
        "5",
        "--ws-ping-interval",
        "20",
        "--ws-ping-timeout",
        "20",
    ]


def log_level() -> str:
    return os.environ.get("LOG_LEVEL", "INFO").upper()


def worker_command(concurrency: int, name: str | None = None) -> list[str]:
    # A name per process: several workers on one host must not share one (`celery inspect` tells them apart).
    name = name or f"worker-{os.getpid()}@%h"
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hotline",
        "worker",
        "--hostname",
        name,
        "--loglevel",
        log_level(),
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
    ]


def beat_command() -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "hotline", "beat", "--loglevel", log_level()]


def default_port() -> int:
    with exit_on_config_error(load_settings=False):
        return env_int("PORT", 8000, minimum=1, maximum=65535)


def run_production_process(command: list[str]) -> None:
    setup_django()
    require_reachable_services()
    os.execv(sys.executable, command)


# --- the demo supervisor -----------------------------------------------------------------------------


class StopRequested(Exception):
    pass


def raise_stop(signum, frame):
    raise StopRequested(signal.Signals(signum).name)


def die_with_parent() -> None:
    from hotline.embedded_redis import die_with_parent as set_pdeathsig

    set_pdeathsig()


class Children:
    """The processes the demo started, each in its own process group so that stopping it stops its own
    children too (the Celery worker's pool, for one)."""

    def __init__(self):
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> None:
        self.processes[name] = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent
        )

    def first_exited(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def stop_all(self) -> None:
        for process in self.processes.values():
            signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + CHILD_STOP_TIMEOUT
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # Whatever is left in the group (a pool process that outlived its parent) goes now.
            signal_group(process, signal.SIGKILL)
            process.wait()
        self.processes.clear()


def signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def hold_data_dir_lock(folder: Path):
    """One demo per data folder: a second one would fight the first over the embedded Redis socket."""
    handle = open(folder / "demo.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fail(f"another `hotline demo` is running with the data folder {folder}")
    return handle  # kept open: the lock lasts as long as this process


def prepare_database() -> None:
    from django.core.management import call_command
    from django.db import connections

    from accounts.demo import demo_data_loaded, load_demo_data

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if demo_data_loaded():
        print("hotline: demo data already loaded; reusing it", flush=True)
    else:
        from django.db import transaction

        from incidents.demo import load_demo_incidents
        from incidents.notifications.demo import load_demo_notifications

        with transaction.atomic():  # all or nothing: a half-loaded demo would count as loaded
            load_demo_data()
            load_demo_incidents()
            load_demo_notifications()
        print("hotline: demo data loaded", flush=True)
    connections.close_all()


def wait_until_healthy(url: str, children: Children, timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if children.first_exited():
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def banner(base_url: str) -> str:
    from accounts.demo import DEMO_PASSWORD, demo_logins

    lines = [
        "",
        f"Hotline is running at {base_url}  (health: {base_url}healthz)",
        f"Demo logins (password for all: {DEMO_PASSWORD}):",
        *(f"  {username:<22} {description}" for username, description in demo_logins()),
        "Press Ctrl-C to stop the server, the worker, beat and the embedded Redis.",
        "",
    ]
    return "\n".join(lines)


def run_demo(host: str, port: int) -> int:
    os.environ["HOTLINE_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from hotline.runtime import data_dir, mark_demo_mode

    with exit_on_config_error(load_settings=False):
        folder = data_dir()
    lock = hold_data_dir_lock(folder)
    mark_demo_mode(folder)
    setup_django()
    from django.conf import settings

    from hotline.embedded_redis import EmbeddedRedis, EmbeddedRedisError

    for signum in STOP_SIGNALS:
        signal.signal(signum, raise_stop)
    embedded_redis = EmbeddedRedis(folder) if settings.EMBEDDED_REDIS else None
    children = Children()
    status = 0
    try:
        if embedded_redis:
            embedded_redis.start()
        require_reachable_services()
        prepare_database()
        children.start("web", web_command(host, port))
        children.start("worker", worker_command(concurrency=2))
        children.start("beat", beat_command())
        base_url = f"http://{host}:{port}/"
        if not wait_until_healthy(base_url + "healthz", children):
            print("hotline: the service did not become healthy; stopping (see the log above)", file=sys.stderr)
            return 1
        print(banner(base_url), flush=True)
        while True:
            exited = children.first_exited()
            if exited:
                print(f"hotline: the {exited} process stopped unexpectedly; stopping the rest", file=sys.stderr)
                status = 1
                break
            time.sleep(0.5)
    except StopRequested as stop:
        print(f"\nhotline: {stop} received; stopping", file=sys.stderr, flush=True)
    except EmbeddedRedisError as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        status = 2
    finally:
        # No second signal may cut the clean-up short: it ends in bounded time by itself.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        children.stop_all()
        if embedded_redis:
            embedded_redis.stop()
        lock.close()
        print("hotline: stopped", file=sys.stderr, flush=True)
    return status


def run_manage(arguments: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    with exit_on_config_error():
        from django.core.management import execute_from_command_line

        execute_from_command_line(["hotline manage", *arguments])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="hotline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run everything on the embedded default with demo data (Quick start)")
    web = commands.add_parser("web", help="production: the ASGI server (HTTP and WebSocket)")
    for sub in (demo, web):
        sub.add_argument("--host", default=os.environ.get("HOTLINE_BIND", "127.0.0.1"))
        sub.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    worker = commands.add_parser("worker", help="production: a Celery worker")
    worker.add_argument("--concurrency", type=int, default=2)
    worker.add_argument("--name", default=None, help="Celery node name (default worker-<pid>@<host>)")
    commands.add_parser("beat", help="production: Celery beat (run exactly one)")
    commands.add_parser("manage", help="Django's manage.py, for installs without the source checkout", add_help=False)
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["manage"]:
        run_manage(arguments[1:])
        return
    args = parser.parse_args(arguments)

    if args.command == "demo":
        sys.exit(run_demo(args.host, args.port or default_port()))
    if args.command == "web":
        run_production_process(web_command(args.host, args.port or default_port()))
    elif args.command == "worker":
        run_production_process(worker_command(args.concurrency, args.name))
    elif args.command == "beat":
        run_production_process(beat_command())


if __name__ == "__main__":
    main()
