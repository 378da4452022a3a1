"""The review tests page through the real engine: the escalation tests' fake SMTP and webhook servers."""

import pytest

from tests.escalation.conftest import receivers  # noqa: F401  (a fixture, used by name)
from tests.review.traffic import build_month


@pytest.fixture
def month(receivers):  # noqa: F811
    """The known-answer month of tests/review/traffic.py; the incidents and the check by their letters."""
    return build_month(receivers)
