"""The test harness's pytest plugin (loaded with `-p hotline.testing` from pyproject's addopts).

It runs before pytest-django reads the settings, so the test environment is fixed here, in one place:
- a fresh data folder per session (never the demo's `./var`, whose Redis socket it would fight over);
- production mode: no demo marker, the second factor required, plain HTTP on 127.0.0.1;
- the embedded Redis started for the session when REDIS_URL is unset (the embedded default), else the
  Redis that REDIS_URL names (CI's PostgreSQL + Redis run).
"""

import os
import secrets
import shutil
import tempfile

_session_folder = tempfile.mkdtemp(prefix="hotline-test-")
os.environ["HOTLINE_DATA_DIR"] = _session_folder
os.environ.pop("HOTLINE_DEMO", None)
os.environ.pop("DEBUG", None)
os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_urlsafe(32))
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
os.environ["HOTLINE_HTTPS"] = "0"
os.environ.setdefault("LOG_FORMAT", "text")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The suite calls the API from 127.0.0.1 far faster than any client; tests of the limits set their own.
os.environ.setdefault("HOTLINE_API_RATE_PER_CALLER", "1000000")
os.environ.setdefault("HOTLINE_API_RATE_PER_ADDRESS", "1000000")

_embedded_redis = None


def pytest_configure(config):
    global _embedded_redis
    from django.conf import settings

    # The strength of password hashing is not under test, and PBKDF2's million rounds would cost about
    # 0.3 s for each of the demo world's fifty people. Processes the tests start keep the real hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not os.environ.get("REDIS_URL"):
        from hotline.embedded_redis import EmbeddedRedis

        _embedded_redis = EmbeddedRedis(_session_folder)
        _embedded_redis.start()


def pytest_sessionstart(session):
    # Templates use the hashed names of the production static storage: collect once for the session.
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis_kind = "embedded Redis" if settings.EMBEDDED_REDIS else "Redis at REDIS_URL"
    return f"hotline: {database} + {redis_kind}; data folder {_session_folder}"


def pytest_unconfigure(config):
    if _embedded_redis is not None:
        _embedded_redis.stop()
    shutil.rmtree(_session_folder, ignore_errors=True)
