"""The escalation tests' fake receivers and real engine, for the fault tests that page."""

from tests.escalation.conftest import engine, receivers  # noqa: F401 (fixtures, found here by pytest)
