"""The embedded default with a data folder it cannot write: one clear line naming the folder and what to
do, no traceback, and nothing half-created in it.

And a data folder that fills up under a running `hotline web` (SQLite, on a small tmpfs of its own):
writes are refused with `503 storage_full` (JSON for the API, a readable page for the console), never a
500; once space is freed the same process writes again; the database passes its integrity check and
holds each posted message whole or not at all."""

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, hotline_env, share_collected_static, start_web_process, stop_process
from tests.fault.traffic import (
    FAULT_REDIS_URL,
    Poster,
    assert_whole_or_absent,
    posted_rows,
    prepare_demo_database,
    report_incident,
    sign_in_demo_person,
)

# Always the embedded default in a folder of its own, whatever the run uses.
pytestmark = [pytest.mark.fault, pytest.mark.slow, pytest.mark.one_backend]

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


@pytest.fixture
def small_data_folder():
    """A tmpfs of its own as the data folder, small enough to fill; unmounted whatever happens."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root: the full data folder test runs where it may")
    folder = Path(tempfile.mkdtemp(prefix="hotline-full-"))
    options = "size=32m,mode=0700"  # room for the migrated database and its write-ahead log
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True, timeout=10
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the full data folder test needs one")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, timeout=30).returncode != 0:
            subprocess.run(["umount", "--lazy", str(folder)], capture_output=True, timeout=30)
        folder.rmdir()


def fill(path: Path) -> None:
    """Write zeros to `path` until the file system has no byte left."""
    chunk = bytes(64 * 1024)
    with open(path, "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    with open(path, "ab", buffering=0) as filler:  # the last partial chunk's room, byte by byte
        try:
            while True:
                filler.write(b"\0")
        except OSError as error:
            assert error.errno == errno.ENOSPC, error


def test_a_full_data_folder_refuses_writes_with_503_storage_full_and_recovers(small_data_folder, tmp_path, chromium):
    folder = small_data_folder
    env = hotline_env(
        HOTLINE_DATA_DIR=str(folder),
        HOTLINE_DEMO="1",
        SECRET_KEY=None,
        DEBUG=None,
        DATABASE_URL=None,  # the embedded default: SQLite in the data folder
        REDIS_URL=FAULT_REDIS_URL,
    )
    share_collected_static(folder)
    secret = prepare_demo_database(env)
    web, base = start_web_process(env, tmp_path / "web.log")
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    filler = folder / "filler"
    try:
        incident = report_incident(base, secret)
        poster = Poster(base, secret, incident["id"])
        assert poster.send()[0] == 201
        page = context.new_page()
        sign_in_demo_person(page, base)
        page.goto(f"{base}/incidents/{incident['reference']}/")

        fill(filler)
        # SQLite may still hold a few free pages, so a write or two may yet fit; then every one is refused.
        for _ in range(50):
            status, answer = poster.send()
            if status != 201:
                break
        assert (status, answer["code"]) == (503, "storage_full"), answer
        assert "storage is full" in answer["detail"]

        page.get_by_role("textbox", name="Message").fill("Posted from the console while the data folder is full.")
        with page.expect_response(lambda response: response.request.method == "POST") as posted:
            page.get_by_role("button", name="Post").click()
        assert posted.value.status == 503
        expect(page.get_by_role("heading", name="Service unavailable")).to_be_visible()
        expect(page.get_by_text("storage is full")).to_be_visible()

        filler.unlink()
        assert poster.send()[0] == 201  # the same process, no restart
        assert web.poll() is None
        assert {status for status, _ in poster.answers.values()} == {201, 503}
        with closing(sqlite3.connect(folder / "hotline.sqlite3", timeout=10)) as database:
            assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert_whole_or_absent(posted_rows(database, incident), poster.answers)
    finally:
        context.close()
        stop_process(web)
        filler.unlink(missing_ok=True)
