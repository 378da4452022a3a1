"""The embedded default with a data folder it cannot write: one clear line naming the folder and what to
do, no traceback, and nothing half-created in it."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, hotline_env

pytestmark = [pytest.mark.fault, pytest.mark.slow]

UNPRIVILEGED = "nobody"


@pytest.fixture
def unwritable_folder():
    """A data folder the unprivileged user may read but not write (root ignores permissions, so the
    commands under test run as that user)."""
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: cannot make a folder unwritable for the service")
    parent = Path(tempfile.mkdtemp(prefix="hotline-ro-"))
    parent.chmod(0o755)
    folder = parent / "data"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    yield folder
    shutil.rmtree(parent, ignore_errors=True)


def run_unprivileged(command: list[str], folder: Path) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", UNPRIVILEGED, "--"] if os.geteuid() == 0 else []
    env = hotline_env(
        HOTLINE_DATA_DIR=str(folder), HOTLINE_DEMO="1", DATABASE_URL=None, REDIS_URL=None, SECRET_KEY=None
    )
    return subprocess.run(prefix + command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


COMMANDS = {
    "manage.py migrate": [sys.executable, str(ROOT / "manage.py"), "migrate"],
    "hotline demo": [str(Path(sys.executable).parent / "hotline"), "demo"],
    "hotline web": [str(Path(sys.executable).parent / "hotline"), "web"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_an_unwritable_data_folder_stops_the_service_with_one_line(unwritable_folder, name):
    result = run_unprivileged(COMMANDS[name], unwritable_folder)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(unwritable_folder) in lines[0]
    assert "HOTLINE_DATA_DIR" in lines[0]
    assert "writable" in lines[0]
    assert list(unwritable_folder.iterdir()) == []
