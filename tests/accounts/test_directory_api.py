"""The 24/7 directory through the API, for people and for API keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actions import do_create_api_key, do_revoke_api_key
from accounts.choices import KOSOVO_DESIGNATION_NOTE, ApiScope
from tests.accounts.world import build_demo_world, organisation, person


@pytest.fixture
def world(db):
    build_demo_world()


@pytest.fixture
def key_client(client, world):
    def make(scopes=(ApiScope.DIRECTORY_READ,), owner="RS-CERT", **options):
        key, secret = do_create_api_key(organisation=organisation(owner), name="SIEM", scopes=list(scopes), **options)
        client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {secret}"
        return key

    return make


def test_the_directory_lists_seven_parties_the_secretariat_and_two_observers(client, key_client):
    key_client()
    parties = client.get("/api/v1/parties/").json()
    assert [p["code"] for p in parties] == ["AL", "BA", "HR", "XK", "ME", "MK", "RS", "WBC", "OSCE", "EU"]
    kosovo = next(p for p in parties if p["code"] == "XK")
    assert kosovo["name"] == "Kosovo*"
    assert kosovo["designation_note"] == KOSOVO_DESIGNATION_NOTE
    assert [p["code"] for p in client.get("/api/v1/parties/?kind=observer").json()] == ["OSCE", "EU"]


def test_every_party_has_a_cert_and_a_crisis_centre_with_someone_on_duty_now(client, key_client):
    key_client()
    organisations = client.get("/api/v1/organisations/").json()
    assert len(organisations) == 7 * 2 + 1 + 2
    for party in ["AL", "BA", "HR", "XK", "ME", "MK", "RS"]:
        assert {o["code"] for o in organisations if o["party"]["code"] == party} == {f"{party}-CERT", f"{party}-MOD"}
    for entry in organisations:
        assert len(entry["on_duty_now"]["primary"]) == 1, entry["code"]
    serbia_mod = next(o for o in organisations if o["code"] == "RS-MOD")
    on_duty = serbia_mod["on_duty_now"]["primary"][0]["username"]
    assert on_duty in {"rs-mod-duty", "rs-mod-supervisor"}  # day or night shift


def test_organisations_filter_by_party_kind_language_and_text(client, key_client):
    key_client()
    codes = lambda query: [o["code"] for o in client.get(f"/api/v1/organisations/?{query}").json()]  # noqa: E731
    assert codes("party=rs") == ["RS-CERT", "RS-MOD"]
    assert len(codes("kind=cert")) == 7
    assert set(codes("language=mk")) == {"MK-CERT", "MK-MOD"}
    assert codes("q=Conflict Prevention") == ["OSCE-CPC"]


def test_a_bad_filter_value_gets_a_field_error(client, key_client):
    key_client()
    response = client.get("/api/v1/organisations/?kind=embassy")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "kind" in response.json()["fields"]


def test_contact_points_filter_by_organisation_and_method(client, key_client):
    key_client()
    points = client.get("/api/v1/contact-points/?organisation=HR-CERT&method=webhook").json()
    assert [(p["organisation"], p["address"]) for p in points] == [("HR-CERT", "https://hooks.hr-cert.example/hotline")]


def test_a_person_signed_in_to_the_console_reads_the_directory_too(client, world, settings):
    settings.OTP_REQUIRED = False
    client.force_login(person("osce-cpc-duty"))
    assert client.get("/api/v1/organisations/").status_code == 200


@pytest.mark.parametrize(
    "header, code",
    [
        (None, "not_authenticated"),
        ("Api-Key nonsense", "api_key_malformed"),
        ("Api-Key abcdefgh.wrongsecret", "api_key_invalid"),
    ],
)
def test_a_missing_malformed_or_unknown_key_gets_401_json(client, world, header, code):
    if header:
        client.defaults["HTTP_AUTHORIZATION"] = header
    response = client.get("/api/v1/parties/")
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_gets_401(client, key_client):
    key = key_client()
    do_revoke_api_key(key, actor=person("rs-cert-supervisor"))
    response = client.get("/api/v1/parties/")
    assert (response.status_code, response.json()["code"]) == (401, "api_key_revoked")


def test_an_expired_key_gets_401(client, key_client):
    key_client(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/parties/")
    assert (response.status_code, response.json()["code"]) == (401, "api_key_expired")


def test_a_key_without_the_directory_scope_is_refused(client, key_client):
    key_client(scopes=[ApiScope.INCIDENTS_WRITE])
    response = client.get("/api/v1/organisations/")
    assert (response.status_code, response.json()["code"]) == (403, "missing_scope")


def test_the_schema_documents_the_directory_and_the_api_key_scheme(client, db):
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/v1/parties/", "/api/v1/organisations/", "/api/v1/contact-points/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    parameters = {p["name"] for p in schema["paths"]["/api/v1/organisations/"]["get"]["parameters"]}
    assert {"party", "kind", "language", "q"} <= parameters
