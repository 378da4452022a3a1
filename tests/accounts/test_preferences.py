"""A person's own preferences: the console's theme and the zone times are shown in, through the console's
top bar and through GET/PATCH /api/v1/me/; a person without a zone of their own sees their organisation's."""

import json

import pytest

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from hotline.audit.models import AuditEntry
from tests.accounts.world import build_demo_world, organisation, person


@pytest.fixture
def world(db, client, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    return client


def test_every_party_s_organisations_keep_their_own_capital_s_zone(world):
    assert organisation("MK-CERT").time_zone == "Europe/Skopje"
    assert organisation("HR-MOD").time_zone == "Europe/Zagreb"
    assert organisation("ME-CERT").time_zone == "Europe/Podgorica"
    assert organisation("XK-CERT").time_zone == "CET"  # IANA has no zone of Pristina: no other party's city


def test_a_person_without_a_zone_of_their_own_sees_their_organisation_s_zone(world):
    skopje = person("mk-cert-duty")
    assert skopje.time_zone == ""
    world.force_login(skopje)
    me = world.get("/api/v1/me/").json()
    assert me["time_zone"] == "" and me["effective_time_zone"] == "Europe/Skopje"
    page = world.get("/incidents/").content.decode()
    assert 'data-time-zone="Europe/Skopje"' in page
    assert "Europe/" not in page.replace('data-time-zone="Europe/Skopje"', "")  # labels say CET/CEST


def test_a_person_changes_their_theme_and_zone_through_the_api_and_it_is_recorded(world):
    world.force_login(person("hr-mod-duty"))
    answer = world.patch(
        "/api/v1/me/", {"theme": "dark", "time_zone": "Europe/Zagreb"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["theme"] == "dark" and answer.json()["effective_time_zone"] == "Europe/Zagreb"
    assert person("hr-mod-duty").theme == "dark"
    entry = AuditEntry.objects.filter(action="user.preferences_changed").get()
    assert json.loads(entry.body)["details"]["values"] == {"theme": "dark", "time_zone": "Europe/Zagreb"}
    assert 'data-theme="dark"' in world.get("/").content.decode()


def test_an_unknown_theme_or_zone_is_refused_and_changes_nothing(world):
    world.force_login(person("hr-mod-duty"))
    assert world.patch("/api/v1/me/", {"theme": "pink"}, content_type="application/json").status_code == 400
    refused = world.patch("/api/v1/me/", {"time_zone": "Mars/Olympus"}, content_type="application/json")
    assert refused.status_code == 400 and "time_zone" in refused.json()["fields"]
    assert person("hr-mod-duty").theme == "auto" and person("hr-mod-duty").time_zone == ""


def test_an_api_key_has_no_preferences(world, client):
    _, secret = do_create_api_key(organisation=organisation("RS-CERT"), name="SIEM", scopes=[ApiScope.DIRECTORY_READ])
    answer = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert answer.status_code == 403


def test_the_top_bar_s_theme_form_keeps_the_choice_and_returns_to_the_page(world):
    world.force_login(person("rs-mod-duty"))
    answer = world.post("/preferences/theme/", {"theme": "light", "next": "/incidents/"})
    assert answer.status_code == 302 and answer["Location"] == "/incidents/"
    assert person("rs-mod-duty").theme == "light"
    assert world.post("/preferences/theme/", {"theme": "dark"}, HTTP_ACCEPT="application/json").status_code == 204
    assert person("rs-mod-duty").theme == "dark"
    assert world.post("/preferences/theme/", {"theme": "sepia"}).status_code == 400
