"""Across a change of the clocks, a page reaches the person whose shift covers that instant.

RS-MOD's roster is written in Belgrade wall-clock time: night 19:00–03:00, early 03:00–11:00, day
11:00–19:00. On 25 October 2026 the clocks go back from 03:00 CEST to 02:00 CET, so the night shift lasts
nine hours and 02:00–02:59 happens twice, both times in the night shift; on 29 March 2026 they go forward
from 02:00 CET to 03:00 CEST, so the night lasts seven hours and the early shift begins an hour after
01:59 CET. Each case posts a CRITICAL message five real minutes before the instant, so that its first
escalation level (the on-duty officer, at the 5-minute deadline) fires exactly then.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.actions import do_create_shift
from accounts.choices import OrganisationKind, PartyKind, Role, ShiftKind
from accounts.models import DutyShift, Organisation, Party
from hotline.escalation.engine import tick
from hotline.escalation.models import Delivery, Page, Timer
from tests.conftest import make_user
from tests.incidents.reports import report

pytestmark = pytest.mark.django_db

BELGRADE = ZoneInfo("Europe/Belgrade")
# (person, starts, ends) in wall-clock time; a shift that ends at or before it starts ends the next day.
SHIFTS = [("rs-mod-night", time(19), time(3)), ("rs-mod-early", time(3), time(11)), ("rs-mod-day", time(11), time(19))]
CLOCKS_GO_BACK = date(2026, 10, 25)
CLOCKS_GO_FORWARD = date(2026, 3, 29)


def wall_clock(day: date, at: time) -> datetime:
    """A Belgrade wall-clock time as UTC. The shifts' edges (03:00, 11:00, 19:00) happen once even on
    the nights the clocks change, so there is no ambiguity to settle."""
    return datetime.combine(day, at, tzinfo=BELGRADE).astimezone(UTC)


@pytest.fixture
def rs_mod_roster():
    """RS-MOD (Belgrade) with three officers on eight-hour wall-clock shifts around both changes of the
    clocks; HR-MOD reports to it."""
    serbia = Party.objects.create(code="RS", name="Serbia", kind=PartyKind.MEMBER)
    croatia = Party.objects.create(code="HR", name="Croatia", kind=PartyKind.MEMBER)
    rs_mod, hr_mod = (
        Organisation.objects.create(
            party=party,
            code=f"{party.code}-MOD",
            name=f"{party.name} crisis centre",
            kind=OrganisationKind.CRISIS_CENTRE,
            time_zone=zone,
        )
        for party, zone in ((serbia, "Europe/Belgrade"), (croatia, "Europe/Zagreb"))
    )
    make_user("hr-mod-duty", organisation=hr_mod, role=Role.DUTY_OFFICER, email="duty@hr-mod.example")
    supervisor = make_user(
        "rs-mod-supervisor", organisation=rs_mod, role=Role.SUPERVISOR, email="supervisor@rs-mod.example"
    )
    people = {
        username: make_user(username, organisation=rs_mod, role=Role.DUTY_OFFICER, email=f"{username}@rs-mod.example")
        for username, _, _ in SHIFTS
    }
    for change in (CLOCKS_GO_BACK, CLOCKS_GO_FORWARD):
        for day in (change - timedelta(days=1), change):
            for username, starts, ends in SHIFTS:
                end_day = day + timedelta(days=1) if ends <= starts else day
                do_create_shift(
                    organisation=rs_mod,
                    person=people[username],
                    kind=ShiftKind.PRIMARY,
                    starts_at=wall_clock(day, starts),
                    ends_at=wall_clock(end_day, ends),
                    actor=supervisor,
                )
    return rs_mod


def night_before(change: date) -> DutyShift:
    return DutyShift.objects.get(
        person__username="rs-mod-night", starts_at=wall_clock(change - timedelta(days=1), time(19))
    )


def test_the_night_shifts_last_as_long_as_the_clocks_say(rs_mod_roster):
    assert night_before(CLOCKS_GO_BACK).ends_at - night_before(CLOCKS_GO_BACK).starts_at == timedelta(hours=9)
    assert night_before(CLOCKS_GO_FORWARD).ends_at - night_before(CLOCKS_GO_FORWARD).starts_at == timedelta(hours=7)


@pytest.mark.parametrize(
    ("fires_at", "on_the_wall", "paged"),
    [
        ("2026-10-25T00:59:00Z", "02:59 CEST", "rs-mod-night"),  # a minute before the clocks go back
        ("2026-10-25T01:00:00Z", "02:00 CET", "rs-mod-night"),  # just after: 02:00 again, still the night
        ("2026-10-25T01:59:59Z", "02:59 CET", "rs-mod-night"),  # the second 02:59, the night's last second
        ("2026-10-25T02:00:00Z", "03:00 CET", "rs-mod-early"),
        ("2026-03-29T00:59:59Z", "01:59 CET", "rs-mod-night"),  # the last second before the clocks go forward
        ("2026-03-29T01:00:00Z", "03:00 CEST", "rs-mod-early"),  # the clocks jumped: the early shift begins
    ],
)
def test_it_pages_whoever_is_on_duty_at_the_instant_it_fires(rs_mod_roster, fires_at, on_the_wall, paged):
    fires_at = datetime.fromisoformat(fires_at)
    assert f"{timezone.localtime(fires_at, BELGRADE):%H:%M %Z}" == on_the_wall
    posted_at = fires_at - timedelta(minutes=5)
    with time_machine.travel(posted_at, tick=False):
        report(Organisation.objects.get(code="HR-MOD").people.get(), to=("RS-MOD",), severity="critical")
    timer = Timer.objects.get(recipient=rs_mod_roster)
    assert timer.deadline == fires_at, "the deadline is five real minutes, whatever the clocks on the wall do"

    tick(now=posted_at)
    tick(now=fires_at - timedelta(microseconds=1))
    assert not Page.objects.filter(timer=timer, level=1).exists()
    tick(now=fires_at)
    level_1 = Delivery.objects.filter(page__timer=timer, page__level=1, person__isnull=False)
    assert set(level_1.values_list("person__username", flat=True)) == {paged}
