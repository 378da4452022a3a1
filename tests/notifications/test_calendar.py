"""The calendar of notified activities (a month of weeks, or a list) and the iCalendar feed of each
party, which calendar applications fetch without signing in."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from hotline.audit.models import AuditEntry
from incidents.notifications.actions import (
    do_amend_exercise,
    do_cancel_exercise,
    do_change_flight_state,
    do_notify_flight,
)
from tests.accounts.world import build_demo_world, person
from tests.notifications.test_console_exercises import (
    KRAGUJEVAC,
    NORTH_OF_BACKA_PALANKA,
    notify,
    signing_in,
    square,
    text,
)

BELGRADE = ZoneInfo("Europe/Belgrade")


@pytest.fixture
def world(db):
    build_demo_world()


@pytest.fixture
def console(world):
    """`console("hr-mod-duty")`: a client signed in as that person, second factor included."""
    return signing_in()


def at(day: date, hour: int = 0, minute: int = 0, zone=BELGRADE) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def first_of_month_after_next() -> date:
    today = timezone.localdate(timezone=BELGRADE)
    return (today.replace(day=1) + timedelta(days=70)).replace(day=1)


def fly(by: str = "rs-mod-duty", area=None, days_ahead: int = 5, aircraft_type: str = "Orbiter 3"):
    """A drone flight of two hours, `days_ahead` days from now; by default near the Danube, within the
    buffer of Croatia and of no other party."""
    starts_at = timezone.now() + timedelta(days=days_ahead)
    volume = {
        "polygon": area or square(*NORTH_OF_BACKA_PALANKA),
        "altitude_lower": {"value": 0, "unit": "m", "reference": "AGL"},
        "altitude_upper": {"value": 120, "unit": "m", "reference": "AGL"},
        "start": starts_at.isoformat(),
        "end": (starts_at + timedelta(hours=2)).isoformat(),
    }
    aircraft = {"type": aircraft_type, "category": "mini", "armed": False, "mtom_kg": 30, "remote_id": "RS-UAS-0042"}
    return do_notify_flight(person(by), aircraft=aircraft, purpose="Border surveillance training.", volumes=[volume])


def day_cell(page: str, day: date) -> str:
    found = re.search(rf'data-date="{day.isoformat()}" data-testid="day">(.*?)</td>', page, re.S)
    assert found, f"no cell for {day}"
    return found.group(1)


def month_page(client, month: date) -> str:
    return text(client.get(f"/notifications/calendar/?month={month:%Y-%m}"))


def feed_url(client) -> str:
    page = text(client.get("/notifications/calendar/"))
    return re.search(r'value="http://testserver(/notifications/calendar/[^"]+\.ics)"', page).group(1)


def feed(path: str) -> Calendar:
    response = Client().get(path)  # a calendar application: no session
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


# --- the month and the list -------------------------------------------------------------------------


def test_the_month_view_puts_an_exercise_on_each_day_it_covers_across_a_month_boundary(console):
    boundary = first_of_month_after_next()
    # From 10:00 two days before the 1st until the midnight that ends the 2nd: four local days.
    exercise = notify(starts_at=at(boundary - timedelta(days=2), 10), ends_at=at(boundary + timedelta(days=2)))
    client = console("hr-mod-duty")
    before = month_page(client, boundary - timedelta(days=1))
    assert exercise.reference not in day_cell(before, boundary - timedelta(days=3))
    for day in (boundary - timedelta(days=2), boundary - timedelta(days=1)):
        assert f"{exercise.reference} Sava Shield 2027" in day_cell(before, day)
    after = month_page(client, boundary)
    for day in (boundary, boundary + timedelta(days=1)):
        assert f"{exercise.reference} Sava Shield 2027" in day_cell(after, day)
    assert exercise.reference not in day_cell(after, boundary + timedelta(days=2))
    assert (
        f'href="?month={boundary:%Y-%m}"' in before and f'href="?month={boundary - timedelta(days=1):%Y-%m}"' in after
    )


def test_the_days_are_the_persons_own(console):
    boundary = first_of_month_after_next()
    late_evening = notify(starts_at=at(boundary + timedelta(days=9), 22), ends_at=at(boundary + timedelta(days=9), 23))
    belgrade = month_page(console("hr-mod-duty"), boundary)
    assert late_evening.reference in day_cell(belgrade, boundary + timedelta(days=9))
    traveller = person("al-mod-duty")
    traveller.time_zone = "Asia/Tokyo"
    traveller.save(update_fields=["time_zone"])
    tokyo = month_page(console("al-mod-duty"), boundary)
    assert late_evening.reference not in day_cell(tokyo, boundary + timedelta(days=9))
    assert late_evening.reference in day_cell(tokyo, boundary + timedelta(days=10))
    assert "Times in JST" in tokyo  # the zone by its abbreviation (console_time), never a city


def test_the_calendar_shows_exercises_and_the_flights_the_party_may_see_with_cancelled_ones_struck_through(console):
    boundary = first_of_month_after_next()
    cancelled = notify(starts_at=at(boundary, 8), ends_at=at(boundary, 18), designation="Called Off")
    do_cancel_exercise(person("rs-mod-duty"), cancelled, reason="Floods.")
    near_croatia = fly(days_ahead=3)
    far_from_everyone = fly(area=square(*KRAGUJEVAC), days_ahead=3, aircraft_type="Pegaz")
    do_change_flight_state(person("rs-mod-duty"), far_from_everyone, "cancelled")
    croatia = month_page(console("hr-mod-duty"), boundary)
    assert f"<del>{cancelled.reference} Called Off</del>" in croatia
    flights_month = timezone.localtime(near_croatia.starts_at, BELGRADE).date()
    croatia = month_page(console("hr-mod-duty"), flights_month)
    cell = day_cell(croatia, flights_month)
    assert f"{near_croatia.reference} Drone flight: Orbiter 3" in cell and "(planned)" in cell
    assert f'href="/notifications/drone-flights/{near_croatia.reference}/"' in cell
    assert far_from_everyone.reference not in croatia
    albania = month_page(console("al-mod-duty"), flights_month)
    assert near_croatia.reference not in albania and far_from_everyone.reference not in albania
    serbia = month_page(console("rs-mod-duty"), flights_month)
    assert f"<del>{far_from_everyone.reference} Drone flight: Pegaz</del>" in serbia and "(cancelled)" in serbia


def test_the_list_view_lists_the_months_activities_in_order_of_start(console):
    boundary = first_of_month_after_next()
    second = notify(
        starts_at=at(boundary + timedelta(days=10), 8),
        ends_at=at(boundary + timedelta(days=12), 8),
        designation="Second",
    )
    first = notify(
        starts_at=at(boundary - timedelta(days=3), 8), ends_at=at(boundary + timedelta(days=1), 8), designation="First"
    )
    outside = notify(
        starts_at=at(boundary + timedelta(days=40), 8),
        ends_at=at(boundary + timedelta(days=41), 8),
        designation="Outside",
    )
    page = text(console("me-cert-duty").get(f"/notifications/calendar/?month={boundary:%Y-%m}&view=list"))
    listed = page.split('data-testid="calendar-list"')[1].split("</table>")[0]
    assert re.findall(r'data-activity="([^"]+)"', listed) == [first.reference, second.reference]
    assert outside.reference not in listed
    assert f'href="?month={boundary + timedelta(days=31):%Y-%m}&amp;view=list"' in page


def test_observers_see_no_exercise_in_the_calendar(console):
    boundary = first_of_month_after_next()
    exercise = notify(starts_at=at(boundary, 8), ends_at=at(boundary, 18))
    assert exercise.reference not in month_page(console("osce-cpc-duty"), boundary)


def test_a_month_that_is_not_one_shows_the_current_month(console):
    page = text(console("hr-mod-duty").get("/notifications/calendar/?month=2026-13"))
    assert f"<strong>{timezone.localdate(timezone=BELGRADE):%B %Y}</strong>" in page


# --- the feed ---------------------------------------------------------------------------------------


def test_the_calendar_page_gives_each_person_the_feed_of_their_own_party(console):
    assert signed(feed_url(console("hr-cert-duty"))) == ["HR", 0]  # the party, its feed's generation


def test_the_feed_holds_exactly_what_the_party_may_see_with_sequence_and_status(console):
    amended = notify()
    do_amend_exercise(person("rs-mod-duty"), amended, {"troops": 2_500}, reason="More troops.")
    cancelled = notify(designation="Called Off")
    do_cancel_exercise(person("rs-mod-duty"), cancelled, reason="Floods.")
    near_croatia = fly()
    far_from_everyone = fly(area=square(*KRAGUJEVAC))
    do_change_flight_state(person("rs-mod-duty"), far_from_everyone, "cancelled")

    croatia = events(feed(feed_url(console("hr-mod-duty"))))
    assert set(croatia) == {
        f"{amended.reference}@hotline",
        f"{cancelled.reference}@hotline",
        f"{near_croatia.reference}@hotline",
    }
    event = croatia[f"{amended.reference}@hotline"]
    amended.refresh_from_db()
    assert (event["SEQUENCE"], str(event["STATUS"]), str(event["SUMMARY"])) == (
        2,
        "CONFIRMED",
        f"Sava Shield 2027 ({amended.reference})",
    )
    assert event.decoded("DTSTART") == amended.latest.starts_at.replace(microsecond=0) and event[
        "DTSTART"
    ].to_ical().endswith(b"Z")
    assert event.decoded("DTEND") == amended.latest.ends_at.replace(microsecond=0)
    assert str(event["LOCATION"]) == "Bačka Palanka, Čelarevo"
    assert str(event["URL"]) == f"http://testserver/notifications/exercises/{amended.reference}/"
    description = str(event["DESCRIPTION"])
    assert (
        "Type: Field training." in description
        and "Troops: 2,500." in description
        and "2,500 troops; the threshold is 1,500" in description
    )
    gone = croatia[f"{cancelled.reference}@hotline"]
    assert (gone["SEQUENCE"], str(gone["STATUS"])) == (2, "CANCELLED")
    flight = croatia[f"{near_croatia.reference}@hotline"]
    assert (str(flight["STATUS"]), str(flight["SUMMARY"])) == (
        "CONFIRMED",
        f"Drone flight {near_croatia.reference}: Orbiter 3",
    )
    assert flight.decoded("DTSTART") == near_croatia.starts_at.replace(microsecond=0)
    assert "Border surveillance training." not in flight.to_ical().decode()

    albania = events(feed(feed_url(console("al-mod-duty"))))
    assert set(albania) == {f"{amended.reference}@hotline", f"{cancelled.reference}@hotline"}
    serbia = events(feed(feed_url(console("rs-cert-duty"))))
    assert str(serbia[f"{far_from_everyone.reference}@hotline"]["STATUS"]) == "CANCELLED" and len(serbia) == 4
    assert len(events(feed(feed_url(console("wbc-sec-reviewer"))))) == 4
    assert events(feed(feed_url(console("osce-cpc-duty")))) == {}


def test_fetching_a_feed_records_nothing(console):
    notify()
    path = feed_url(console("hr-mod-duty"))
    entries = AuditEntry.objects.count()
    feed(path)
    feed(path)
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps("HR"),  # signed, but not for a calendar feed
        signing.dumps("HR", salt="hotline.calendar-feed")[:-1] + "x",
        signing.dumps("ZZ", salt="hotline.calendar-feed"),  # no such party
        signing.dumps(["HR"], salt="hotline.calendar-feed"),
    ],
)
def test_a_bad_token_gets_404(world, token):
    assert Client().get(f"/notifications/calendar/{token}.ics").status_code == 404


# --- revoking a party's feed ------------------------------------------------------------------------


def signed(path: str):
    """What a feed address carries: the party's code and its feed's generation."""
    token = path.removeprefix("/notifications/calendar/").removesuffix(".ics")
    return signing.Signer(salt="hotline.calendar-feed").unsign_object(token)


def revoke(client, party: str, confirm: str = "yes", follow: bool = False):
    return client.post("/notifications/calendar/revoke/", {"party": party, "confirm": confirm}, follow=follow)


def test_a_supervisor_revokes_the_feed_of_their_party_and_only_the_old_addresses_stop_working(console):
    supervisor = console("hr-mod-supervisor")
    old, other_party = feed_url(supervisor), feed_url(console("rs-mod-duty"))
    legacy = f"/notifications/calendar/{signing.dumps('HR', salt='hotline.calendar-feed')}.ics"  # before revocation
    feed(legacy)

    response = revoke(supervisor, "HR")
    assert response.status_code == 302
    page = text(supervisor.get("/notifications/calendar/"))
    assert "The old feed addresses of HR no longer work" in page
    new = feed_url(supervisor)
    assert new != old
    assert Client().get(old).status_code == 404 and Client().get(legacy).status_code == 404
    feed(new)
    feed(other_party)  # another party's feed is untouched
    assert signed(feed_url(console("hr-cert-duty"))) == signed(new) == ["HR", 1], "one feed per party"
    [entry] = AuditEntry.objects.filter(action="calendar_feed.revoked")
    assert entry.actor == "hr-mod-supervisor" and new.split("/")[-1].removesuffix(".ics") not in entry.body


def test_a_partys_feed_address_stays_the_same_over_time_and_earlier_timestamped_ones_still_work(console, monkeypatch):
    supervisor = console("hr-mod-supervisor")
    first = feed_url(supervisor)
    timestamped = f"/notifications/calendar/{signing.dumps(['HR', 0], salt='hotline.calendar-feed')}.ics"
    later = signing.time.time() + 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert feed_url(supervisor) == first, "a calendar subscribed an hour ago keeps its address"
    feed(first)
    feed(timestamped)  # given out before addresses were stable


def test_revoking_needs_the_confirmation(console):
    supervisor = console("hr-mod-supervisor")
    old = feed_url(supervisor)
    assert "Tick the box to confirm" in text(revoke(supervisor, "HR", confirm="", follow=True))
    assert feed_url(supervisor) == old


@pytest.mark.parametrize(
    ("username", "party", "allowed"),
    [
        ("hr-mod-duty", "HR", False),  # duty officers do not
        ("hr-cert-head", "HR", True),
        ("rs-mod-supervisor", "HR", False),  # not another party's
        ("wbc-sec-reviewer", "HR", False),
        ("wbc-sec-admin", "HR", True),  # commission administrators revoke every party's
    ],
)
def test_who_may_revoke_a_feed(console, username, party, allowed):
    path = feed_url(console("hr-mod-duty"))
    response = revoke(console(username), party)
    assert response.status_code == (302 if allowed else 403)
    assert (Client().get(path).status_code == 404) is allowed
    if not allowed:
        assert not AuditEntry.objects.filter(action="calendar_feed.revoked").exists()


def test_the_api_revokes_a_feed_and_answers_the_new_address(console):
    old = feed_url(console("hr-mod-duty"))
    response = console("hr-mod-supervisor").post("/api/v1/calendar-feeds/HR/revoke/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["party"], body["generation"]) == ("HR", 1)
    new = body["feed_url"].removeprefix("http://testserver")
    assert signed(new) == signed(feed_url(console("hr-mod-duty"))) == ["HR", 1]
    assert Client().get(old).status_code == 404
    feed(new)


def test_the_api_refuses_keys_other_parties_and_unknown_parties(console):
    from accounts.choices import ApiScope
    from tests.incidents.conftest import make_key_client

    old = feed_url(console("hr-mod-duty"))
    key = make_key_client("HR-MOD", scopes=(ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_WRITE))
    assert key.post("/api/v1/calendar-feeds/HR/revoke/").json()["code"] == "permission_denied"
    refused = console("rs-mod-supervisor").post("/api/v1/calendar-feeds/HR/revoke/")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert console("hr-mod-supervisor").post("/api/v1/calendar-feeds/ZZ/revoke/").status_code == 404
    feed(old)
