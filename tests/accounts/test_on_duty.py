""" "On duty now" is right across shift boundaries and across the DST changes of Europe/Belgrade."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from accounts.actions import do_create_shift
from accounts.choices import OrganisationKind, PartyKind, Role, ShiftKind
from accounts.duty import on_duty
from accounts.forms import ShiftForm
from accounts.models import Organisation, Party, User


@pytest.fixture
def crisis_centre(db):
    party = Party.objects.create(code="RS", name="Serbia", kind=PartyKind.MEMBER)
    return Organisation.objects.create(
        party=party, code="RS-MOD", name="Crisis centre", kind=OrganisationKind.CRISIS_CENTRE
    )


@pytest.fixture
def officers(crisis_centre):
    day = User.objects.create(
        username="rs-mod-duty", first_name="Dana", organisation=crisis_centre, role=Role.DUTY_OFFICER
    )
    night = User.objects.create(
        username="rs-mod-supervisor", first_name="Noćni", organisation=crisis_centre, role=Role.SUPERVISOR
    )
    return day, night


def add_local_shift(organisation, person, start: tuple[date, time], end: tuple[date, time]):
    """Adds a shift the way a supervisor does: local dates and times through the console's form."""
    form = ShiftForm(
        {
            "person": person.pk,
            "kind": ShiftKind.PRIMARY,
            "start_date": start[0],
            "start_time": start[1],
            "end_date": end[0],
            "end_time": end[1],
        },
        organisation=organisation,
    )
    assert form.is_valid(), form.errors
    return do_create_shift(
        organisation=organisation,
        person=person,
        kind=ShiftKind.PRIMARY,
        starts_at=form.cleaned_data["starts_at"],
        ends_at=form.cleaned_data["ends_at"],
        actor=person,
    )


def who_is_on_duty(organisation, at_utc: datetime) -> str | None:
    people = on_duty(organisation, at_utc).people
    return people[0].username if people else None


def test_at_a_shift_boundary_the_next_shift_is_on_duty(crisis_centre, officers):
    day, night = officers
    add_local_shift(crisis_centre, night, (date(2026, 11, 24), time(20)), (date(2026, 11, 25), time(8)))
    add_local_shift(crisis_centre, day, (date(2026, 11, 25), time(8)), (date(2026, 11, 25), time(20)))
    # 08:00 in Belgrade in November (CET, UTC+1) is 07:00 UTC.
    assert who_is_on_duty(crisis_centre, datetime(2026, 11, 25, 6, 59, 59, tzinfo=UTC)) == "rs-mod-supervisor"
    assert who_is_on_duty(crisis_centre, datetime(2026, 11, 25, 7, 0, 0, tzinfo=UTC)) == "rs-mod-duty"
    assert who_is_on_duty(crisis_centre, datetime(2026, 11, 25, 19, 0, 0, tzinfo=UTC)) is None


def test_the_night_clocks_go_forward_hands_over_at_local_eight(crisis_centre, officers):
    day, night = officers
    night_shift = add_local_shift(crisis_centre, night, (date(2026, 3, 28), time(20)), (date(2026, 3, 29), time(8)))
    add_local_shift(crisis_centre, day, (date(2026, 3, 29), time(8)), (date(2026, 3, 29), time(20)))
    # The night of 28–29 March 2026 is an hour short: 20:00 CET (19:00 UTC) to 08:00 CEST (06:00 UTC).
    assert (night_shift.ends_at - night_shift.starts_at).total_seconds() == 11 * 3600
    assert who_is_on_duty(crisis_centre, datetime(2026, 3, 29, 5, 59, tzinfo=UTC)) == "rs-mod-supervisor"
    assert who_is_on_duty(crisis_centre, datetime(2026, 3, 29, 6, 0, tzinfo=UTC)) == "rs-mod-duty"
    assert who_is_on_duty(crisis_centre, datetime(2026, 3, 29, 17, 59, tzinfo=UTC)) == "rs-mod-duty"
    assert who_is_on_duty(crisis_centre, datetime(2026, 3, 29, 18, 0, tzinfo=UTC)) is None


def test_the_night_clocks_go_back_hands_over_at_local_eight(crisis_centre, officers):
    day, night = officers
    night_shift = add_local_shift(crisis_centre, night, (date(2026, 10, 24), time(20)), (date(2026, 10, 25), time(8)))
    add_local_shift(crisis_centre, day, (date(2026, 10, 25), time(8)), (date(2026, 10, 25), time(20)))
    # The night of 24–25 October 2026 is an hour long: 20:00 CEST (18:00 UTC) to 08:00 CET (07:00 UTC).
    assert (night_shift.ends_at - night_shift.starts_at).total_seconds() == 13 * 3600
    assert who_is_on_duty(crisis_centre, datetime(2026, 10, 25, 6, 59, tzinfo=UTC)) == "rs-mod-supervisor"
    assert who_is_on_duty(crisis_centre, datetime(2026, 10, 25, 7, 0, tzinfo=UTC)) == "rs-mod-duty"


def test_the_api_says_who_is_on_duty_now_as_the_clock_moves(client, crisis_centre, officers, settings):
    day, night = officers
    add_local_shift(crisis_centre, night, (date(2026, 10, 24), time(20)), (date(2026, 10, 25), time(8)))
    add_local_shift(crisis_centre, day, (date(2026, 10, 25), time(8)), (date(2026, 10, 25), time(20)))
    settings.OTP_REQUIRED = False
    client.force_login(day)

    def on_duty_now():
        entry = client.get("/api/v1/organisations/").json()[0]["on_duty_now"]
        return [shift["username"] for shift in entry["primary"]], [
            point["method"] for point in entry["fallback_contact_points"]
        ]

    crisis_centre.contact_points.create(method="phone", address="+381115550100")
    with time_machine.travel(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), tick=False):  # 02:30 CET, the repeated hour
        assert on_duty_now() == (["rs-mod-supervisor"], [])
    with time_machine.travel(datetime(2026, 10, 25, 7, 0, tzinfo=UTC), tick=False):
        assert on_duty_now() == (["rs-mod-duty"], [])
    with time_machine.travel(datetime(2026, 10, 25, 19, 0, tzinfo=UTC), tick=False):  # nobody rostered
        assert on_duty_now() == ([], ["phone"])


@pytest.mark.parametrize(
    "day, clock, message",
    [
        (date(2026, 3, 29), time(2, 30), "does not exist"),
        (date(2026, 10, 25), time(2, 30), "happens twice"),
    ],
)
def test_a_local_time_that_a_dst_change_skips_or_repeats_is_refused(crisis_centre, officers, day, clock, message):
    form = ShiftForm(
        {
            "person": officers[0].pk,
            "kind": ShiftKind.PRIMARY,
            "start_date": day,
            "start_time": clock,
            "end_date": day,
            "end_time": time(9),
        },
        organisation=crisis_centre,
    )
    assert not form.is_valid()
    assert message in form.errors["start_time"][0]
