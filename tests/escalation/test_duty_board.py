"""The console home as a duty board: am I on shift and until when, who is on duty now and next with
their own phone and e-mail, what waits on me and what I wait for (one row per item, titled, critical
first), and the recent activity (only what the organisation may see)."""

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from accounts.duty import next_on_duty, on_duty
from accounts.models import User
from incidents.demo import load_demo_incidents
from incidents.notifications.demo import load_demo_notifications
from tests.accounts.world import build_demo_world, organisation, person
from tests.escalation.test_console_pages import part, signed_in, text
from tests.incidents.reports import report


@pytest.fixture
def world(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()


@pytest.fixture
def demo(world):
    """The whole demo: its incidents (a request for assistance to HR-MOD) and notifications (HR-MOD's
    exercise told to seven parties)."""
    with override_settings(DEMO_MODE=True):
        load_demo_incidents()
        load_demo_notifications()


def rows(page: str, testid: str) -> list[str]:
    return re.findall(rf'<tr [^>]*data-testid="{testid}".*?</tr>', page, re.S)


def local_hhmm(page: str, moment) -> str:
    zone = ZoneInfo(re.search(r'data-time-zone="([^"]+)"', page)[1])
    return timezone.localtime(moment, zone).strftime("%H:%M")


def test_a_duty_officer_on_shift_sees_until_when_and_who_is_on_duty_now_and_next(world):
    croatia = organisation("HR-MOD")
    now = on_duty(croatia).primary[0]
    coming = next_on_duty(croatia)

    page = text(signed_in(now.person.username).get("/"))

    assert f"On shift until {local_hhmm(page, now.ends_at)}" in page
    duty = part(page, "on-duty-now")
    assert now.person.get_full_name() in duty and now.person.get_role_display() in duty
    assert f'href="tel:{now.person.phone}"' in duty and f'href="mailto:{now.person.email}"' in duty
    nxt = duty[duty.index('data-testid="on-duty-next"') :]
    assert coming.person.get_full_name() in nxt and f'href="tel:{coming.person.phone}"' in nxt
    assert "Signed in as" not in page and "Times are shown in" not in page
    # The card reloads itself when the shift ends (board.js): it says when.
    assert f'data-changes-at="{now.ends_at.astimezone(UTC).isoformat()}"' in page


def test_someone_off_shift_is_told_so_and_when_their_next_shift_is(world):
    croatia = organisation("HR-MOD")
    on_shift = {shift.person.username for shift in on_duty(croatia).primary + on_duty(croatia).backup}
    off = next(username for username in ("hr-mod-duty", "hr-mod-supervisor", "hr-mod-head") if username not in on_shift)
    page = text(signed_in(off).get("/"))
    assert "Not on shift now." in page and "On shift until" not in page


def test_a_request_with_two_clocks_is_one_titled_row_and_critical_comes_first(demo):
    page = text(signed_in("hr-mod-duty").get("/waiting/panel/?next=/"))
    mine = rows(page, "waiting-row")
    references = [re.search(r'data-reference="([^"]+)"', row)[1] for row in mine]
    assert len(references) == len(set(references))  # one row per item, not per timer
    request = next(row for row in mine if 'data-reference="HL-2026-00001 #2"' in row)
    assert "Unidentified drone over the Bačka Palanka–Ilok bridge" in request
    assert "a substantive reply is due" in request and "Acknowledge</button>" in request
    severities = [re.search(r'class="severity-(\w+)', row)[1] for row in mine]
    assert severities[0] == "critical"
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    assert [order[s] for s in severities] == sorted(order[s] for s in severities)


def test_real_traffic_comes_before_an_exercise_of_the_same_severity_as_in_the_alerts(demo):
    real = report(person("rs-mod-duty"), ("HR-MOD",), severity="critical", title="Armed drone over Vukovar")
    page = text(signed_in("hr-mod-duty").get("/waiting/panel/?next=/"))
    critical = [row for row in rows(page, "waiting-row") if 'class="severity-critical' in row]
    assert len(critical) == 2 and "EXERCISE" in critical[1], "the demo's critical exercise waits too"
    assert f'data-reference="{real.reference} #1"' in critical[0], "though its deadline is the later one"


def test_an_exercise_told_to_seven_parties_is_one_row_with_the_parties_still_to_answer(demo):
    page = text(signed_in("hr-mod-duty").get("/waiting/panel/?next=/"))
    exercise = [row for row in rows(page, "waiting-for-row") if 'data-reference="EX-2026-0002 v1"' in row]
    assert len(exercise) == 1
    assert "VELEBIT 27" in exercise[0]
    parties = re.findall(r"<li[^>]*>([A-Z]+-[A-Z]+)", exercise[0])
    assert parties == ["AL-MOD", "BA-MOD", "ME-MOD", "MK-MOD", "RS-MOD", "WBC-SEC", "XK-MOD"]


def test_the_waiting_page_has_one_h1_and_keeps_it_when_reloaded_live(demo):
    client = signed_in("hr-mod-duty")
    page = text(client.get("/waiting/"))
    assert page.count("<h1") == 1
    assert 'data-waiting-panel data-url="/waiting/panel/?next=%2Fwaiting%2F"' in page
    assert text(client.get("/waiting/panel/?next=/waiting/")).count("<h1") == 1
    assert text(client.get("/waiting/panel/?next=/")).count("<h1") == 0  # inside the home page's own h1


def test_recent_activity_lists_what_the_organisation_sees_and_never_a_red_incident_to_another_party(world):
    seen = report(person("rs-mod-duty"), ("HR-MOD",), title="Drone seen from Ilok")
    hidden = report(person("rs-mod-duty"), ("BA-MOD",), tlp="RED", title="Secret jamming trial")

    croatia = part(text(signed_in("hr-mod-duty").get("/")), "recent-activity")
    assert seen.reference in croatia
    assert "Drone seen from Ilok" not in croatia, "metadata only: the page it links to applies today's TLP"
    assert hidden.reference not in croatia and "Secret jamming trial" not in croatia

    secretariat = part(text(signed_in("wbc-sec-duty").get("/")), "recent-activity")
    assert hidden.reference in secretariat  # it knows the RED incident exists, not what it says
    assert "Secret jamming trial" not in secretariat


def test_someone_of_no_organisation_gets_a_board_without_duty_or_activity(world):
    admin = User.objects.create_superuser("root", "root@example.org", "x" * 20)
    client = Client()
    client.force_login(admin)
    page = text(client.get("/"))
    assert "Duty board" in page and "On duty at" not in page and 'data-testid="activity-line"' not in page
    assert "nothing waits on you" in text(client.get("/waiting/"))


def test_the_recent_activity_reloads_alone_for_the_live_channel(world):
    seen = report(person("rs-mod-duty"), ("HR-MOD",), title="Drone seen from Ilok")
    fragment = text(signed_in("hr-mod-duty").get("/activity/"))
    assert "<html" not in fragment and 'data-activity-panel data-url="/activity/"' in fragment
    assert seen.reference in fragment
    assert seen.reference not in text(signed_in("ba-mod-duty").get("/activity/"))
