"""Where the service keeps its files, and the two facts derived from that folder: demo mode and the
kept secret key.

Imported by settings and by the `hotline` CLI before Django is set up, so it imports nothing of Django
beyond the exception type.
"""

import os
import secrets
from pathlib import Path

from hotline.env import ConfigError, env_bool

DEMO_MARKER = "demo-mode"
SECRET_KEY_FILE = "secret_key"


def data_dir() -> Path:
    """The folder for the embedded database, the embedded Redis socket, uploads and kept keys."""
    path = Path(os.environ.get("HOTLINE_DATA_DIR") or "var").expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"HOTLINE_DATA_DIR: cannot create {path} ({exc.strerror}); point it at a writable folder"
        ) from None
    ensure_writable(path)
    return path


def ensure_writable(path: Path) -> None:
    """Probe the folder by creating a file in it: an unwritable folder stops the process here, with one
    line, rather than later with a traceback from SQLite or the secret key file. A probe, not os.access:
    the answer then also holds for root, read-only mounts and a full disk."""
    probe = path / f".write-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"HOTLINE_DATA_DIR: {path} is not writable ({exc.strerror}); "
            "make it writable for this user or point HOTLINE_DATA_DIR at a writable folder"
        ) from None


def keep_private(folder: Path) -> None:
    """The data folder holds incident content (the embedded database, uploads, the demo's mail folder):
    it and whatever this process creates in it are the service user's alone (0700 folders, 0600 files).
    The umask covers what SQLite, Redis and the mail backend create; uploads set their own modes
    (settings.FILE_UPLOAD_PERMISSIONS)."""
    os.umask(0o077)
    if folder.stat().st_uid == os.getuid():
        folder.chmod(0o700)


def is_demo_mode(folder: Path) -> bool:
    """Demo mode is asked for with HOTLINE_DEMO=1 or remembered by the data folder (without SECRET_KEY).

    `hotline demo` leaves a marker in its data folder so that `manage.py` run beside it with the same
    HOTLINE_DATA_DIR sees the same mode (and so the same kept secret key) without extra settings.
    """
    # Only without SECRET_KEY: a deployment that sets its own key is never a demo, whatever lies in
    # its data folder, so a stray marker cannot switch the second factor off in production.
    remembered = (folder / DEMO_MARKER).exists() and not os.environ.get("SECRET_KEY")
    return env_bool("HOTLINE_DEMO", False) or remembered


def mark_demo_mode(folder: Path) -> None:
    (folder / DEMO_MARKER).write_text("This data folder belongs to a Hotline demo (see README).\n")


def kept_secret_key(folder: Path) -> str:
    """Read the secret key kept in the data folder, generating it (owner-readable only) the first time."""
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        key = secrets.token_urlsafe(50)
        # O_EXCL: when two processes start at once, one writes and the other reads what it wrote.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
            return key
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"SECRET_KEY: the kept key file {path} is empty; delete it to generate a new one")
    return key
