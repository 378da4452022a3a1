"""Fixtures the security tests share with other folders' tests."""

from tests.escalation.conftest import receivers  # noqa: F401 (the fake SMTP server, webhook and SMS gateway)
