"""schemathesis with every check (`st run --checks all`) against the live /api/schema/ of a real server:
no request gets a 5xx; every answer's status, content type, headers and body are those the schema names;
a request the schema allows is accepted and one it forbids is refused.

What OpenAPI 3.0 cannot say is listed in RULES_THE_SCHEMA_CANNOT_STATE: per operation, the rule and the
one status (400) a schema-valid request may then get. Nothing else is excluded, and each entry says why.
Bounded: a few examples per operation, three phases (examples, coverage, fuzzing; not the stateful
phase, as the schema has no links), a timeout on the run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.actions import do_create_api_key
from accounts.models import scopes_for
from incidents.actions import do_add_attachment
from tests.accounts.world import build_demo_world, organisation, person
from tests.incidents.conftest import report

EXAMPLES_PER_OPERATION = 8
RUN_TIMEOUT_SECONDS = 300
# The statuses schemathesis expects for a schema-valid request (its positive_data_acceptance default).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

CODES_NAME_WHAT_EXISTS = "a party or organisation code must name one that exists (data, not a fixed enum)"
GEOMETRY = (
    "an area lies in the region (0–35° E, 30–55° N), its rings close and hold at most 1,000 positions, "
    "a circle has a centre and a radius: GeoJSON rules OpenAPI 3.0 cannot state"
)
LIFECYCLE = "a cancelled notice cannot change any more: a state, not a shape"
CURSOR = "a cursor must be one the API gave out (opaque text to the schema)"
RULES_THE_SCHEMA_CANNOT_STATE = {
    "GET /api/v1/audit/consistency/": "`first` ≤ `second` ≤ the log's present size",
    "GET /api/v1/contact-points/": CODES_NAME_WHAT_EXISTS,
    "GET /api/v1/organisations/": CODES_NAME_WHAT_EXISTS,
    "GET /api/v1/incidents/": CODES_NAME_WHAT_EXISTS + "; " + CURSOR,
    "GET /api/v1/drone-flights/": CODES_NAME_WHAT_EXISTS + "; " + CURSOR,
    "GET /api/v1/exercise-notifications/": CODES_NAME_WHAT_EXISTS + "; " + CURSOR,
    "GET /api/v1/reachability-checks/": CURSOR,
    "PATCH /api/v1/incidents/{id}/": "a change names a status, a TLP or both (an empty object changes nothing)",
    "POST /api/v1/incidents/": CODES_NAME_WHAT_EXISTS + " (recipients); " + GEOMETRY + " (location)",
    "POST /api/v1/incidents/import-stix/": CODES_NAME_WHAT_EXISTS + " (recipients); the bundle must hold one "
    "incident report whose markings exist (STIX 2.1 rules)",
    "POST /api/v1/incidents/{id}/attachments/": "the file's type, told by its name, must be one accepted",
    "POST /api/v1/drone-flights/": GEOMETRY + "; altitudes and times in order",
    "POST /api/v1/drone-flights/assess/": GEOMETRY + "; altitudes and times in order",
    "POST /api/v1/drone-flights/{id}/state/": "a flight moves along its lifecycle only (planned → activated …)",
    "POST /api/v1/exercise-notifications/": GEOMETRY + "; the exercise ends after it starts",
    "POST /api/v1/exercise-notifications/assess/": GEOMETRY + "; the exercise ends after it starts",
    "POST /api/v1/exercise-notifications/{id}/amend/": LIFECYCLE + "; " + GEOMETRY,
    "POST /api/v1/exercise-notifications/{id}/cancel/": LIFECYCLE,
    "POST /api/v1/exercise-notifications/{id}/invitations/": LIFECYCLE + "; " + CODES_NAME_WHAT_EXISTS,
}
# An Idempotency-Key names one request: the same key sent again with another body is 422
# `idempotency_key_reused` by design, and schemathesis's coverage phase sends its fixed values so.
IDEMPOTENCY_RULE = "a key sent again with another body is refused (422)"


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def config_for(schema: dict, pinned: dict[str, int]) -> str:
    """The run's schemathesis.toml: the table above as per-operation expected statuses, and the ids of
    real objects pinned where the schema cannot say what exists."""
    lines = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            expected = list(ACCEPTED)
            if name in RULES_THE_SCHEMA_CANNOT_STATE:
                expected.append("400")
            if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
                expected.append("422")
            parameters = {key: value for key, value in pinned.items() if path.startswith(key.split("|")[0])}
            if expected == ACCEPTED and not parameters:
                continue
            lines += ["[[operations]]", f"include-name = {toml_string(name)}"]
            lines.append(f"checks.positive_data_acceptance.expected-statuses = {json.dumps(expected)}")
            for key, value in parameters.items():
                lines.append(f"parameters.{toml_string(key.split('|')[1])} = {value}")
            lines.append("")
    return "\n".join(lines)


def test_the_table_names_only_operations_that_exist(client, db):
    paths = json.loads(client.get("/api/schema/?format=json").content)["paths"]
    names = {f"{method.upper()} {path}" for path, operations in paths.items() for method in operations}
    assert not RULES_THE_SCHEMA_CANNOT_STATE.keys() - names


# The contract between the schema and the code, run once (CI's PostgreSQL run: about two minutes). What
# differs by database (NUL, lone surrogates, huge numbers, impossible dates) is held on both backends by
# tests/foundation/test_api_errors.py.
@pytest.mark.slow
@pytest.mark.one_backend
def test_every_check_passes_on_every_operation(transactional_db, asgi_server, tmp_path):
    build_demo_world()
    fuzzer = organisation("RS-CERT")
    _, secret = do_create_api_key(organisation=fuzzer, name="fuzzer", scopes=scopes_for(fuzzer))
    # An incident the key's organisation reported, with an attachment, so that valid cases reach a real
    # thread, its changes, its acknowledgements and a download rather than only 404s.
    incident = report(by="rs-cert-duty", to=["HR-CERT"], tlp="AMBER")
    attachment = do_add_attachment(person("rs-cert-duty"), incident, SimpleUploadedFile("log.txt", b"12:00 probe\n"))
    pinned = {
        "/api/v1/incidents/{id}/|path.id": incident.pk,
        "/api/v1/incidents/{id}/attachments/{attachment_id}/|path.attachment_id": attachment.pk,
    }
    schema_url = f"{asgi_server.url}/api/schema/?format=json"
    schema = requests.get(schema_url, timeout=10).json()
    config = tmp_path / "schemathesis.toml"
    config.write_text(config_for(schema, pinned))
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        schema_url,
        "--checks=all",
        f"--max-examples={EXAMPLES_PER_OPERATION}",
        "--phases=examples,coverage,fuzzing",
        "--suppress-health-check=all",
        "--seed=20261203",
        f"--header=Authorization: Api-Key {secret}",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, cwd=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20000:]
    assert "Tested: " in output and " passed" in output, output[-4000:]
