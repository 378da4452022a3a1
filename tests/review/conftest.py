"""The review tests page through the real engine: the escalation tests' fake SMTP and webhook servers."""

from tests.escalation.conftest import receivers  # noqa: F401  (a fixture, used by name)
