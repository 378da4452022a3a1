#!/usr/bin/env python3
"""Quick start, on a machine with nothing but Python 3.11 and pip:

    python3 quickstart.py run     set up .venv, then run the whole service with demo data
    python3 quickstart.py test    set up .venv with the test tools, then run the whole test suite
    python3 quickstart.py bench   the benchmarks of tests/bench/ (not part of the test suite)

Extra arguments after `test` go to pytest (`python3 quickstart.py test tests/foundation -x`).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
CHROMIUM = Path("/usr/bin/chromium")


def say(message: str) -> None:
    print(f"quickstart: {message}", file=sys.stderr, flush=True)


def ensure_venv(extra: str | None) -> None:
    """Create .venv and install the project into it, again only when pyproject.toml changed."""
    if sys.version_info < (3, 11):
        sys.exit("quickstart: Python 3.11 or newer is needed")
    if not PYTHON.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extra}]" if extra else "."
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + target.encode()).hexdigest()
    stamp = VENV / f".installed-{extra or 'run'}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    say(f"installing {target} into .venv (first run, or pyproject.toml changed)")
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], cwd=ROOT, check=True)
    stamp.write_text(fingerprint)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; Playwright may not download a browser of its own."""
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None:
        say(f"{CHROMIUM} is missing and there is no apt-get to install it: the browser tests will fail")
        return
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    say("installing Debian's chromium for the browser tests")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, apt, "update", "-qq"], env=environment, check=False)
    result = subprocess.run(
        [*prefix, apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"], env=environment, check=False
    )
    if result.returncode != 0:
        say(f"could not install chromium (apt-get exit {result.returncode}): the browser tests will fail")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    os.chdir(ROOT)
    if command == "run":
        ensure_venv(None)
        os.execv(str(VENV / "bin" / "hotline"), [str(VENV / "bin" / "hotline"), "demo", *sys.argv[2:]])
    elif command == "test":
        ensure_venv("test")
        ensure_chromium()
        os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *sys.argv[2:]])
    elif command == "bench":
        ensure_venv("test")
        os.execv(str(PYTHON), [str(PYTHON), "-m", "tests.bench", *sys.argv[2:]])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
