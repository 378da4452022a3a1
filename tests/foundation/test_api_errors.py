"""The API answers in JSON even when it fails, and documents itself without reaching the internet."""

import json
import re
import time

import pytest

from tests.accounts.world import build_demo_world, person


def test_an_unknown_api_address_gets_json_with_a_stable_code(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_an_unknown_console_address_gets_a_readable_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"There is no page at this address" in response.content


def test_a_refused_console_page_is_the_consoles_own_page_saying_what_is_refused(client, db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    client.force_login(person("hr-cert-duty"))
    response = client.get("/keys/HR-CERT/")  # a duty officer may not manage keys
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page and "HR-CERT" in page and 'id="topbar"' in page


def test_the_openapi_schema_is_served_to_machine_clients(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert response.json()["info"]["title"] == "Hotline API"


def test_swagger_ui_and_redoc_load_only_local_assets(client, duty_officer, settings):
    settings.OTP_REQUIRED = False
    client.force_login(duty_officer)
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        external = [
            url
            for url in re.findall(r"""(?:src|href)=["']([^"']+)""", html)
            if url.startswith(("http:", "https:", "//"))
        ]
        assert external == [], f"{page} loads {external}"


def test_a_console_request_over_the_limit_gets_a_readable_page(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/login/", data="x" * 4096, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert b"too large" in response.content


# --- hostile JSON ------------------------------------------------------------------------------------

TOO_DEEP = "[" * 100_000
DEEPER_THAN_ALLOWED = '{"a": ' * 65 + "1" + "}" * 65
A_NUMBER_OF_5000_DIGITS = '{"title": ' + "1" * 5_000 + "}"
A_FLOAT_OF_5000_DIGITS = '{"title": 0.' + "1" * 5_000 + "}"
WITH_A_NUL = '{"title": "before\\u0000after", "summary": "x"}'
WITH_A_LONE_SURROGATE = '{"title": "before\\ud800after", "summary": "x"}'

JSON_ENDPOINTS = [
    ("rs-cert-duty", "/api/v1/incidents/"),
    ("rs-cert-duty", "/api/v1/incidents/import-stix/?recipients=HR-CERT&severity=high"),
    ("rs-mod-duty", "/api/v1/exercise-notifications/assess/"),
    ("rs-mod-duty", "/api/v1/drone-flights/"),
    ("wbc-sec-admin", "/api/v1/reachability-checks/"),
]


@pytest.fixture
def demo_world(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()


@pytest.mark.parametrize("username, path", JSON_ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [TOO_DEEP, DEEPER_THAN_ALLOWED, A_NUMBER_OF_5000_DIGITS, A_FLOAT_OF_5000_DIGITS, WITH_A_NUL, WITH_A_LONE_SURROGATE],
    ids=["100000-deep", "65-deep", "5000-digit-int", "5000-digit-float", "nul", "lone-surrogate"],
)
def test_json_too_deep_with_an_absurd_number_or_impossible_text_is_refused_with_400_parse_error(
    demo_world, client, username, path, body
):
    client.force_login(person(username))
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"


def test_the_parse_error_says_why(demo_world, client):
    client.force_login(person("rs-cert-duty"))
    said = {
        body: client.post("/api/v1/incidents/", body, content_type="application/json").json()["detail"]
        for body in (TOO_DEEP, A_NUMBER_OF_5000_DIGITS, WITH_A_NUL, WITH_A_LONE_SURROGATE)
    }
    assert "nested more than 64 deep" in said[TOO_DEEP]
    assert "longer than" in said[A_NUMBER_OF_5000_DIGITS]
    assert "NUL" in said[WITH_A_NUL]
    assert "surrogate" in said[WITH_A_LONE_SURROGATE]


def test_json_nested_within_the_limit_still_reaches_the_endpoint(demo_world, client):
    client.force_login(person("rs-cert-duty"))
    body = '{"title": ' + "[" * 60 + "]" * 60 + "}"
    response = client.post("/api/v1/incidents/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_an_unterminated_string_full_of_escaped_quotes_is_refused_at_once(demo_world, client):
    client.force_login(person("rs-cert-duty"))
    body = '["' + '\\"' * 20_000  # each quote could open a string: measuring the nesting must stay linear
    started = time.monotonic()
    response = client.post("/api/v1/incidents/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert time.monotonic() - started < 1


def test_brackets_inside_text_do_not_count_as_nesting(demo_world, client):
    client.force_login(person("rs-cert-duty"))
    body = json.dumps({"title": "[" * 1_000 + '\\"{' * 100, "summary": "x"})
    response = client.post("/api/v1/incidents/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"  # the fields, not the JSON
