"""schemathesis against the live /api/schema/ of a real server: no request the schema allows (nor a
malformed one) gets a 5xx. Bounded: a few examples per operation and a time budget well under a minute."""

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from tests.accounts.world import build_demo_world, organisation
from tests.incidents.conftest import report

EXAMPLES_PER_OPERATION = 12  # for each of the two generation modes
TIME_BUDGET_SECONDS = 40  # stop generating after this; the test must stay well under 60 s


@pytest.mark.slow
def test_no_request_gets_a_server_error(transactional_db, asgi_server):
    build_demo_world()
    _, secret = do_create_api_key(organisation=organisation("RS-CERT"), name="fuzzer", scopes=list(ApiScope.values))
    # An incident the key's organisation reported, so that positive cases reach a real thread, its
    # changes and its acknowledgements rather than only 404s.
    incident = report(by="rs-cert-duty", to=["HR-CERT"], tlp="AMBER")
    headers = {"Authorization": f"Api-Key {secret}"}
    schema = schemathesis.openapi.from_url(f"{asgi_server.url}/api/schema/?format=json")
    stop_at = time.monotonic() + TIME_BUDGET_SECONDS
    exercised = 0

    def fuzz(operation, mode):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def send(case):
            nonlocal exercised
            if mode is GenerationMode.POSITIVE:
                # Where the schema cannot say what exists, point valid cases at what does.
                if "id" in (case.path_parameters or {}):
                    case.path_parameters["id"] = incident.pk
                if isinstance(case.body, dict) and "recipients" in case.body and "occurred_at" in case.body:
                    case.body["recipients"], case.body["occurred_at"] = ["HR"], "2026-01-01T00:00:00Z"
            case.call_and_validate(base_url=asgi_server.url, headers=headers, checks=[not_a_server_error], timeout=15)
            exercised += 1

        try:
            send()
        except Unsatisfiable:
            pass  # nothing of this mode to generate (e.g. no invalid input to a GET without parameters)

    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() < stop_at:
                fuzz(result.ok(), mode)

    assert exercised > 50, "schemathesis sent too few requests to mean anything"
