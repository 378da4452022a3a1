"""The service starts only with a sound configuration, and says in one line what is wrong."""

import sys

import pytest

from tests.conftest import ROOT, free_port, hotline_env, run_manage

pytestmark = pytest.mark.slow

PRODUCTION = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "hotline.example.org",
    "DATABASE_URL": "postgres://hotline@127.0.0.1:5432/hotline",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DEBUG": None,
    "HOTLINE_DEMO": None,
    "HOTLINE_HTTPS": None,
}


def assert_one_line_error(result, variable: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_it_refuses_to_start_without_a_secret_key_outside_demo_mode(tmp_path):
    result = run_manage("check", env=hotline_env(**{**PRODUCTION, "SECRET_KEY": None}, HOTLINE_DATA_DIR=str(tmp_path)))
    assert_one_line_error(result, "SECRET_KEY")


def test_it_names_a_malformed_database_url(tmp_path):
    result = run_manage("check", env=hotline_env(DATABASE_URL="postgres//no-scheme", HOTLINE_DATA_DIR=str(tmp_path)))
    assert_one_line_error(result, "DATABASE_URL")


def test_it_names_a_malformed_redis_url(tmp_path):
    result = run_manage("check", env=hotline_env(REDIS_URL="http://127.0.0.1:6379", HOTLINE_DATA_DIR=str(tmp_path)))
    assert_one_line_error(result, "REDIS_URL")


def test_it_names_an_unreachable_redis_url_when_a_process_starts(tmp_path):
    import subprocess

    environment = hotline_env(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", HOTLINE_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "worker"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_line_error(result, "REDIS_URL")


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=hotline_env(**PRODUCTION, HOTLINE_DATA_DIR=str(tmp_path))
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_migrations_match_the_models(tmp_path):
    result = run_manage("makemigrations", "--check", "--dry-run", env=hotline_env(HOTLINE_DATA_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_manage_py_beside_a_demo_uses_its_kept_secret_key_without_extra_settings(tmp_path):
    from hotline.runtime import kept_secret_key, mark_demo_mode

    mark_demo_mode(tmp_path)
    kept = kept_secret_key(tmp_path)
    show_key = "from django.conf import settings; print(settings.SECRET_KEY, settings.DEMO_MODE)"
    result = run_manage(
        "shell", "-v0", "-c", show_key, env=hotline_env(SECRET_KEY=None, HOTLINE_DATA_DIR=str(tmp_path))
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [kept, "True"]


def test_demo_data_refuses_to_load_outside_demo_mode(tmp_path):
    environment = hotline_env(HOTLINE_DATA_DIR=str(tmp_path), DATABASE_URL=None)
    assert run_manage("migrate", "-v0", env=environment).returncode == 0
    result = run_manage("load_demo_data", env=environment)
    assert result.returncode != 0
    assert "only in demo mode" in result.stderr


def test_a_demo_marker_does_not_make_a_deployment_with_its_own_secret_key_a_demo(tmp_path):
    from hotline.runtime import mark_demo_mode

    mark_demo_mode(tmp_path)
    show = "from django.conf import settings; print(settings.DEMO_MODE, settings.OTP_REQUIRED)"
    result = run_manage(
        "shell", "-v0", "-c", show, env=hotline_env(HOTLINE_DATA_DIR=str(tmp_path), SECRET_KEY="own-key-" + "x" * 40)
    )
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_the_hotline_command_runs_management_commands_without_the_source_checkout(tmp_path):
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "manage", "check"],
        env=hotline_env(HOTLINE_DATA_DIR=str(tmp_path)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_data_folder_and_what_it_holds_are_readable_by_the_service_alone(tmp_path):
    """The embedded database, uploads and the demo's mail folder hold incident content: owner only."""
    folder = tmp_path / "data"
    store_files = (
        "from pathlib import Path; from django.conf import settings; "
        "from django.core.files.base import ContentFile; from django.core.files.storage import default_storage; "
        "from django.core.mail import send_mail; "
        "default_storage.save('attachments/probe.txt', ContentFile(b'RED')); "
        "send_mail('probe', 'RED', 'a@example.org', ['b@example.org'])"
    )
    environment = hotline_env(
        SECRET_KEY=None, HOTLINE_DEMO="1", HOTLINE_DATA_DIR=str(folder), DATABASE_URL=None, REDIS_URL=None
    )
    assert run_manage("migrate", "-v0", env=environment).returncode == 0
    result = run_manage("shell", "-v0", "-c", store_files, env=environment)
    assert result.returncode == 0, result.stderr
    paths = [folder, *folder.rglob("*")]
    assert any(path.name == "probe.txt" for path in paths) and any(path.suffix == ".log" for path in paths)
    loose = {
        str(path.relative_to(tmp_path)): oct(path.stat().st_mode & 0o777)
        for path in paths
        if not path.is_symlink() and path.stat().st_mode & 0o077
    }
    assert loose == {}
