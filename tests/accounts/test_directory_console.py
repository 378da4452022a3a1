"""The directory in the console: searchable, filterable, Kosovo* with its footnote, exports."""

import csv
import io

import pytest

from accounts.choices import KOSOVO_DESIGNATION_NOTE
from tests.accounts.world import build_demo_world, person


@pytest.fixture
def world(db, client, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    client.force_login(person("me-cert-duty"))
    return client


def listed(page: str) -> list[str]:
    import re

    return re.findall(r'<tr data-organisation="([^"]+)"', page)


def test_the_directory_shows_every_organisation_with_kosovo_and_its_footnote(world):
    page = world.get("/directory/").content.decode()
    assert len(listed(page)) == 17
    assert "Kosovo*" in page
    assert f"* {KOSOVO_DESIGNATION_NOTE}" in page
    assert page.count('data-testid="on-duty-primary"') == 17


def test_the_directory_filters_and_searches(world):
    assert listed(world.get("/directory/?party=XK").content.decode()) == ["XK-CERT", "XK-MOD"]
    assert listed(world.get("/directory/?kind=observer").content.decode()) == ["OSCE-CPC", "EU-EEAS"]
    assert listed(world.get("/directory/?language=cnr").content.decode()) == ["ME-CERT", "ME-MOD"]
    assert listed(world.get("/directory/?q=croatia").content.decode()) == ["HR-CERT", "HR-MOD"]
    page = world.get("/directory/?party=RS").content.decode()
    assert "Kosovo*" not in page.split("<tbody>")[1] and KOSOVO_DESIGNATION_NOTE not in page


def test_the_csv_export_has_a_row_per_contact_point_with_who_is_on_duty(world):
    response = world.get("/directory/export.csv?party=XK")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["organisation"] for row in rows} == {"XK-CERT", "XK-MOD"}
    assert all(row["party"] == "Kosovo*" and row["note"] == KOSOVO_DESIGNATION_NOTE for row in rows)
    assert all(row["on duty now"] for row in rows)
    assert "https://hooks.xk-cert.example/hotline" in {row["address"] for row in rows}


def test_the_vcard_export_has_a_card_per_organisation(world):
    body = world.get("/directory/export.vcf").content.decode()
    assert body.count("BEGIN:VCARD") == body.count("END:VCARD") == 17
    kosovo_cert = next(card for card in body.split("BEGIN:VCARD") if "NICKNAME:XK-CERT" in card)
    assert "ORG:Kosovo*" in kosovo_cert and "UNSCR 1244/1999" in kosovo_cert
    assert "EMAIL;TYPE=INTERNET;TYPE=pref" not in kosovo_cert  # e-mail is priority 2 in the demo
    assert "TEL;TYPE=VOICE;TYPE=pref:+383" in kosovo_cert


def test_a_contact_point_with_a_bad_address_is_refused_readably_and_nothing_is_saved(world):
    world.force_login(person("me-cert-supervisor"))
    for method, address, message in [
        ("phone", "call me", "international form"),
        ("email", "not-an-address", "valid e-mail"),
        ("webhook", "http://hooks.example.org/x", "https://"),
    ]:
        response = world.post(
            "/directory/ME-CERT/contact-points/new/", {"method": method, "address": address, "priority": 1}
        )
        assert response.status_code == 200
        assert message in response.content.decode(), method
    assert world.get("/api/v1/contact-points/?organisation=ME-CERT").json().__len__() == 5


def test_a_phone_number_is_stored_in_its_international_form(world):
    world.force_login(person("me-cert-supervisor"))
    world.post("/directory/ME-CERT/contact-points/new/", {"method": "sms", "address": "+382 20 555 999", "priority": 4})
    points = world.get("/api/v1/contact-points/?organisation=ME-CERT&method=sms").json()
    assert "+38220555999" in [point["address"] for point in points]
