"""Supervisors keep their organisation's roster: shifts never overlap, overrides and swaps do what they say,
and gaps in the coming two weeks are pointed out."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.choices import ShiftKind
from accounts.models import DutyShift
from tests.accounts.world import build_demo_world, organisation, person


@pytest.fixture
def world(db, client, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    return client


def local_form(start: datetime, end: datetime, person_pk, kind="primary", note="") -> dict:
    zone = organisation("RS-MOD").zone
    start, end = start.astimezone(zone), end.astimezone(zone)
    return {
        "person": person_pk,
        "kind": kind,
        "note": note,
        "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_date": end.date().isoformat(),
        "end_time": end.strftime("%H:%M"),
    }


def next_hour() -> datetime:
    return (timezone.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def test_an_overlapping_shift_of_the_same_kind_is_refused_with_a_clear_message(world):
    world.force_login(person("rs-mod-supervisor"))
    start = next_hour()
    before = DutyShift.objects.count()
    response = world.post(
        "/rosters/RS-MOD/shifts/new/", local_form(start, start + timedelta(hours=2), person("rs-mod-head").pk)
    )
    assert response.status_code == 200
    assert "It overlaps the primary shift of" in response.content.decode()
    assert DutyShift.objects.count() == before


def test_an_override_replaces_whoever_was_on_duty_for_its_period_only(world):
    world.force_login(person("rs-mod-supervisor"))
    start = next_hour()
    head = person("rs-mod-head")
    covering = DutyShift.objects.get(
        organisation__code="RS-MOD", kind=ShiftKind.PRIMARY, starts_at__lte=start, ends_at__gt=start
    )
    response = world.post(
        "/rosters/RS-MOD/overrides/new/", local_form(start, start + timedelta(minutes=30), head.pk, note="doctor")
    )
    assert response.status_code == 302
    from accounts.duty import on_duty

    assert on_duty(organisation("RS-MOD"), start + timedelta(minutes=10)).primary[0].person == head
    assert on_duty(organisation("RS-MOD"), start + timedelta(minutes=40)).primary[0].person == covering.person
    if covering.starts_at < start:
        assert on_duty(organisation("RS-MOD"), start - timedelta(minutes=1)).primary[0].person == covering.person


def test_a_swap_exchanges_the_people_and_keeps_the_times(world):
    world.force_login(person("rs-mod-supervisor"))
    later = DutyShift.objects.filter(
        organisation__code="RS-MOD", kind=ShiftKind.PRIMARY, starts_at__gt=timezone.now()
    ).order_by("starts_at")
    first, second = later[0], later[1]
    assert first.person != second.person
    response = world.post("/rosters/RS-MOD/swap/", {"first": first.pk, "second": second.pk})
    assert response.status_code == 302
    swapped_first, swapped_second = DutyShift.objects.get(pk=first.pk), DutyShift.objects.get(pk=second.pk)
    assert (swapped_first.person, swapped_second.person) == (second.person, first.person)
    assert (swapped_first.starts_at, swapped_second.starts_at) == (first.starts_at, second.starts_at)


def test_a_gap_in_the_coming_fortnight_is_shown_to_the_supervisors_only(world):
    lost = DutyShift.objects.filter(
        organisation__code="RS-MOD", kind=ShiftKind.PRIMARY, starts_at__gt=timezone.now()
    ).order_by("starts_at")[2]
    lost.delete()
    world.force_login(person("rs-mod-supervisor"))
    page = world.get("/rosters/RS-MOD/").content.decode()
    assert 'data-testid="roster-gaps"' in page
    world.force_login(person("rs-mod-duty"))
    assert 'data-testid="roster-gaps"' not in world.get("/rosters/RS-MOD/").content.decode()


def test_a_full_roster_shows_no_gap(world):
    world.force_login(person("rs-mod-supervisor"))
    assert 'data-testid="roster-gaps"' not in world.get("/rosters/RS-MOD/").content.decode()


def test_the_week_view_lists_each_day_with_its_shifts_in_local_time(world):
    world.force_login(person("hr-cert-duty"))
    # Next week: the demo roster runs from yesterday for 14 days, so this week lacks its first days on a Sunday.
    next_week = timezone.localdate() + timedelta(days=7)
    page = world.get(f"/rosters/RS-MOD/?week={next_week.isoformat()}").content.decode()
    assert page.count('data-testid="shift"') >= 7 * 2  # at least a day and a night primary a day
    assert "08:00" in page and "20:00" in page


def test_a_shift_for_someone_of_another_organisation_is_refused(world):
    world.force_login(person("rs-mod-supervisor"))
    response = world.post(
        "/rosters/RS-MOD/shifts/new/",
        local_form(datetime(2027, 1, 1, 8, tzinfo=UTC), datetime(2027, 1, 1, 9, tzinfo=UTC), person("hr-mod-duty").pk),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("week, before", [("9999-12-31", "9999-12-06"), ("0001-01-01", "0001-01-08")])
def test_a_week_at_the_ends_of_the_calendar_shows_the_nearest_week_that_can_be_shown(world, week, before):
    world.force_login(person("hr-cert-duty"))
    response = world.get(f"/rosters/RS-CERT/?week={week}")
    assert response.status_code == 200
    assert f'href="?week={before}"' in response.content.decode()  # the week shown is the one after it
