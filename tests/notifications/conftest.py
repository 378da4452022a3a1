"""The notifications API tests build the same world as the incidents API tests: the demo world, API-key
clients and signed-in people of its organisations (tests/incidents/conftest.py)."""

from tests.incidents.conftest import api_person_client, api_world  # noqa: F401  (fixtures, shared)
