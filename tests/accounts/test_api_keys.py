"""API keys: created by an organisation's supervisors in the console or by an administrator's command,
shown once, stored hashed, refused once revoked."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.actions import do_create_api_key
from accounts.models import ApiKey
from tests.accounts.world import build_demo_world, organisation, person


@pytest.fixture
def world(db, client, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    return client


def test_a_supervisor_creates_a_key_that_is_shown_once_and_works(world):
    world.force_login(person("rs-cert-supervisor"))
    response = world.post(
        "/keys/RS-CERT/new/", {"name": "MISP sync", "scopes": ["directory:read"], "expires_on": "2030-01-01"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    key = ApiKey.objects.get(name="MISP sync")
    assert key.organisation.code == "RS-CERT" and key.scopes == ["directory:read"]
    assert secret not in key.hashed_key and key.prefix == secret.split(".")[0]
    assert secret not in world.get("/keys/RS-CERT/").content.decode()  # never shown again

    world.logout()
    assert world.get("/api/v1/parties/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200


def test_a_revoked_key_is_refused_from_then_on(world):
    world.force_login(person("rs-cert-supervisor"))
    secret = world.post("/keys/RS-CERT/new/", {"name": "SIEM", "scopes": ["directory:read"]}).context["secret"]
    key = ApiKey.objects.get(name="SIEM")
    assert world.post(f"/keys/RS-CERT/{key.pk}/revoke/").status_code == 302
    assert world.post(f"/keys/RS-CERT/{key.pk}/revoke/").status_code == 302  # twice is harmless
    world.logout()
    response = world.get("/api/v1/parties/", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert (response.status_code, response.json()["code"]) == (401, "api_key_revoked")


def test_a_key_form_without_scopes_or_with_a_past_expiry_is_refused_readably(world):
    world.force_login(person("rs-cert-supervisor"))
    response = world.post("/keys/RS-CERT/new/", {"name": "x", "expires_on": "2020-01-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Choose a date in the future." in page
    assert not ApiKey.objects.exists()


def test_the_command_prints_the_key_alone_on_standard_output(world):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_key",
        "hr-cert",
        "--name",
        "ticketing",
        "--scopes",
        "directory:read",
        "incidents:read",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip()
    assert out.getvalue().count("\n") == 1 and "." in secret
    assert "shown only now" in err.getvalue()
    key = ApiKey.objects.get(prefix=secret.split(".")[0])
    assert key.organisation.code == "HR-CERT" and key.scopes == ["directory:read", "incidents:read"]
    assert key.is_valid(secret)


def test_the_command_names_an_unknown_organisation(world):
    with pytest.raises(CommandError, match="no organisation with code 'XX-CERT'"):
        call_command("create_api_key", "XX-CERT", "--name", "x", stdout=StringIO(), stderr=StringIO())


def test_a_key_that_lacks_a_scope_is_told_the_scope_as_clients_write_it(world):
    _, secret = do_create_api_key(organisation=organisation("RS-MOD"), name="SIEM", scopes=["directory:read"])
    response = world.post(
        "/api/v1/exercise-notifications/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {secret}"
    )
    assert (response.status_code, response.json()["code"]) == (403, "missing_scope")
    assert response.json()["detail"] == "This API key lacks the scope 'notifications:write'."
