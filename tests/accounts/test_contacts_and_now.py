"""Reaching people from the directory and the rosters: numbers as `tel:` links in E.164 and grouped for
reading aloud, e-mails as `mailto:`, the person on duty with their own phone and e-mail, labelled
filters; the roster's "now" line; and `GET /api/v1/organisations/{code}/on-duty/`."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from accounts.duty import next_on_duty, on_duty
from accounts.models import DutyShift
from accounts.phones import spoken
from accounts.templatetags.contacts import mailto_link, tel_link
from tests.accounts.world import build_demo_world, organisation, person


@pytest.mark.parametrize(
    "stored, read_aloud",
    [
        ("+381115550100", "+381 11 555 0100"),  # Belgrade
        ("+381641234567", "+381 64 123 4567"),  # a Serbian mobile
        ("+38515550100", "+385 1 555 0100"),  # Zagreb: a one-digit area code
        ("+38521555010", "+385 21 555 010"),  # Split
        ("+38922345678", "+389 2 234 5678"),  # Skopje
        ("+35542222333", "+355 4 222 2333"),  # Tirana
        ("+38338555010", "+383 38 555 010"),  # Prishtina
        ("+38220555999", "+382 20 555 999"),  # Podgorica
        ("+38733555010", "+387 33 555 010"),  # Sarajevo
        ("+3815551012", "+381 55 510 12"),  # the demo's fictional numbers: never a digit alone
        ("+3225551014", "+32 255 510 14"),  # outside the region: country code, then threes
        ("+14155550100", "+1 415 555 0100"),
        ("+381 11 555 0100", "+381 11 555 0100"),  # already spaced: the same
        ("call the desk", "call the desk"),  # not a number: as it was
    ],
)
def test_a_number_is_grouped_for_reading_aloud(stored, read_aloud):
    assert spoken(stored) == read_aloud


def test_a_number_becomes_a_tel_link_in_e164_and_anything_else_stays_text():
    assert tel_link("+381 11 555 0100") == '<a href="tel:+381115550100" class="tel">+381 11 555 0100</a>'
    assert tel_link("ext. 12") == "ext. 12"
    assert mailto_link("duty@hr-mod.example") == (
        '<a href="mailto:duty@hr-mod.example" class="mailto">duty@hr-mod.example</a>'
    )


@pytest.fixture
def world(db, client, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    client.force_login(person("hr-mod-duty"))
    return client


def test_directory_numbers_are_tel_links_in_e164_shown_grouped_and_emails_are_mailto(world):
    page = world.get("/directory/?party=RS").content.decode()
    links = re.findall(r'<a href="tel:([^"]+)" class="tel">([^<]+)</a>', page)
    assert links and all(re.fullmatch(r"\+[1-9]\d{6,14}", href) for href, _ in links)
    assert ("+3815551012", "+381 55 510 12") in links  # RS-CERT's phone contact point
    assert 'href="mailto:duty@rs-cert.example"' in page


def test_the_person_on_duty_has_their_own_phone_and_email_beside_the_name(world):
    page = world.get("/directory/?party=HR").content.decode()
    row = re.search(r'<tr data-organisation="HR-MOD">.*?</tr>', page, re.S)[0]
    duty = on_duty(organisation("HR-MOD")).primary[0].person
    cell = row[row.index('data-testid="on-duty-primary"') :]
    assert cell.index(duty.get_full_name()) < cell.index(f'href="tel:{duty.phone}"') < cell.index("</td>")
    assert f'href="mailto:{duty.email}"' in cell


def test_directory_filters_are_labelled_and_the_page_has_one_h1(world):
    page = world.get("/directory/").content.decode()
    assert page.count("<h1") == 1
    for name in ("q", "party", "kind", "language"):
        field_id = re.search(rf'<(?:select|input)[^>]*name="{name}"[^>]*id="([^"]+)"', page) or re.search(
            rf'<(?:select|input)[^>]*id="([^"]+)"[^>]*name="{name}"', page
        )
        assert f'<label for="{field_id[1]}">' in page, name


def next_midnight(place):
    today = timezone.localtime(timezone.now(), place.zone).date()
    return datetime.combine(today + timedelta(days=1), time(), tzinfo=place.zone)


def test_the_roster_draws_a_now_line_on_today_and_marks_the_current_shift_in_words(world):
    page = world.get("/rosters/HR-MOD/").content.decode()
    assert page.count("<h1") == 1
    today = re.search(r'<tr class="today" data-testid="roster-today">.*?</tr>', page, re.S)[0]
    assert today.count('data-testid="now-line"') == 1
    # It moves (roster.js reloads the page) when the next shift of the week begins or ends.
    coming = min(
        moment
        for shift in DutyShift.objects.filter(organisation__code="HR-MOD")
        for moment in (shift.starts_at, shift.ends_at)
        if moment > timezone.now()
    )
    assert re.search(r'data-moves-at="([^"]+)"', today)[1] in {
        coming.astimezone(UTC).isoformat(),
        next_midnight(organisation("HR-MOD")).astimezone(UTC).isoformat(),
    }
    local = timezone.localtime(timezone.now(), organisation("HR-MOD").zone)
    assert re.search(r"now <time[^>]*>(\d\d:\d\d)</time>", today)[1] in {
        local.strftime("%H:%M"),
        (local - timedelta(minutes=1)).strftime("%H:%M"),
    }
    assert "(today)" in today
    current = on_duty(organisation("HR-MOD")).primary[0]
    marked = re.search(r'<div class="shift[^"]* current"[^>]*>.*?</div>', today, re.S)[0]
    assert str(current.person) in marked and "on duty now" in marked
    assert today.index(marked) < today.index('data-testid="now-line"')  # in order of time: after the shift begun
    assert page.count('data-testid="now-line"') == 1


def test_the_roster_of_another_week_has_no_now_line(world):
    in_two_weeks = (timezone.now() + timedelta(days=14)).date().isoformat()
    page = world.get(f"/rosters/HR-MOD/?week={in_two_weeks}").content.decode()
    assert 'data-testid="now-line"' not in page and 'data-testid="current-shift"' not in page


# --- the API -----------------------------------------------------------------------------------------


def use_key(client, scopes):
    _, secret = do_create_api_key(organisation=organisation("RS-CERT"), name="SIEM", scopes=list(scopes))
    client.logout()
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {secret}"


def test_the_api_says_who_is_on_duty_now_and_next_with_their_contacts(world):
    answer = world.get("/api/v1/organisations/HR-MOD/on-duty/")
    assert answer.status_code == 200
    body = answer.json()
    croatia = organisation("HR-MOD")
    duty, coming = on_duty(croatia).primary[0].person, next_on_duty(croatia).person
    assert body["organisation"] == "HR-MOD"
    assert [(p["username"], p["phone"], p["email"]) for p in body["now"]["primary"]] == [
        (duty.username, duty.phone, duty.email)
    ]
    assert len(body["now"]["backup"]) == 1 and body["now"]["fallback_contact_points"] == []
    assert body["next"]["username"] == coming.username and body["next"]["kind"] == "primary"


def test_a_key_with_the_directory_scope_reads_it_and_one_without_is_refused(client, world):
    use_key(client, [ApiScope.DIRECTORY_READ])
    assert client.get("/api/v1/organisations/HR-MOD/on-duty/").status_code == 200
    use_key(client, [ApiScope.INCIDENTS_WRITE])
    refused = client.get("/api/v1/organisations/HR-MOD/on-duty/")
    assert (refused.status_code, refused.json()["code"]) == (403, "missing_scope")


def test_an_unknown_organisation_is_404_and_nobody_unauthenticated_reads_it(client, world):
    assert world.get("/api/v1/organisations/XX-NONE/on-duty/").status_code == 404
    client.logout()
    assert client.get("/api/v1/organisations/HR-MOD/on-duty/").status_code == 401


def test_the_schema_documents_the_on_duty_endpoint(client, db):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/organisations/{code}/on-duty/"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
