"""Fixtures of the escalation tests: fake receivers for everything the engine sends, and the real engine.

- `receivers`: a fake SMTP server (aiosmtpd) and a fake HTTP server for webhooks and the SMS gateway,
  both on loopback, recording everything they are sent; the HTTP one can be told to fail or to be slow.
- `engine`: a real Celery worker and beat, started with the commands of our CLI, against the test
  database and the test's Redis, sending to the receivers. The worker can be killed with SIGKILL and
  started again; everything is stopped at teardown, process group by process group.
"""

import pytest
from django.conf import settings

from tests.audit.test_concurrent_appends import database_url_of_the_test_database
from tests.conftest import hotline_env
from tests.escalation.fakes import SEND_LEASE_S, Engine, FakeHttp, FakeSmtp, Receivers


@pytest.fixture
def receivers():
    """The fake SMTP server and the fake webhook / SMS-gateway server, empty, answering 200."""
    smtp, http = FakeSmtp(), FakeHttp()
    smtp.start()
    http.start()
    try:
        yield Receivers(smtp=smtp, http=http)
    finally:
        http.stop()
        smtp.stop()


@pytest.fixture
def engine(transactional_db, receivers, tmp_path):
    """A real worker and beat (not yet started: call `engine.start()`) against the test database. Their
    data folder is their own (beat's schedule file); Redis is the test's, named explicitly."""
    folder = tmp_path / "engine"
    folder.mkdir()
    environment = hotline_env(
        DATABASE_URL=database_url_of_the_test_database(),
        REDIS_URL=settings.REDIS_URL,
        HOTLINE_DATA_DIR=str(folder),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(receivers.smtp.port),
        HOTLINE_SMS_GATEWAY_URL=receivers.sms_gateway_url,
        ESCALATION_SEND_LEASE_S=str(SEND_LEASE_S),
        LOG_LEVEL="INFO",
    )
    running = Engine(folder, environment)
    try:
        yield running
    finally:
        running.stop()
