"""The API answers in JSON even when it fails, and documents itself without reaching the internet."""

import re


def test_an_unknown_api_address_gets_json_with_a_stable_code(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_an_unknown_console_address_gets_a_readable_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"There is no page at this address" in response.content


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
