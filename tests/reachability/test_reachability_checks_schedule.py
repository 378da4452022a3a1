"""The scheduled check goes out once per slot, at the slot's wall-clock time in Belgrade whatever the
season, never more than an hour late, and a schedule that cannot be read stops the service at start-up."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from hotline.env import ConfigError
from hotline.reachability.actions import do_start_scheduled_check
from hotline.reachability.models import ReachabilityCheck
from hotline.reachability.schedule import LATE_START_LIMIT, parse_schedule, parse_time_zone
from hotline.reachability.tasks import start_scheduled_check
from tests.accounts.world import build_demo_world
from tests.conftest import hotline_env, run_manage

BELGRADE = ZoneInfo("Europe/Belgrade")
# Central European Summer Time began on Sunday 29 March 2026 and ends on Sunday 25 October 2026.
TUESDAY_BEFORE_SPRING = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)  # 10:00 CET
TUESDAY_AFTER_SPRING = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # 10:00 CEST
TUESDAY_BEFORE_AUTUMN = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)  # 10:00 CEST
TUESDAY_AFTER_AUTUMN = datetime(2026, 10, 27, 9, 0, tzinfo=UTC)  # 10:00 CET


@pytest.fixture
def world(db):
    build_demo_world()


def every_minute(start: datetime, end: datetime):
    moment = start
    while moment <= end:
        yield moment
        moment += timedelta(minutes=1)


def run_schedule(start: datetime, end: datetime) -> list[ReachabilityCheck]:
    """What beat would do, once a minute from `start` to `end`."""
    started = [do_start_scheduled_check(now=moment) for moment in every_minute(start, end)]
    return [check for check in started if check is not None]


def test_it_puts_tuesday_ten_oclock_belgrade_time_at_the_right_utc_instant_in_every_season():
    schedule = parse_schedule("tue 10:00", BELGRADE)
    for slot in (TUESDAY_BEFORE_SPRING, TUESDAY_AFTER_SPRING, TUESDAY_BEFORE_AUTUMN, TUESDAY_AFTER_AUTUMN):
        assert schedule.latest_slot(slot + timedelta(days=6, hours=22)) == slot
        assert schedule.latest_slot(slot) == slot
        assert schedule.next_slot(slot - timedelta(minutes=1)) == slot
    # Across each change, the week between two slots is an hour shorter or longer in UTC.
    assert schedule.latest_slot(TUESDAY_AFTER_SPRING - timedelta(seconds=1)) == TUESDAY_BEFORE_SPRING
    assert TUESDAY_AFTER_SPRING - TUESDAY_BEFORE_SPRING == timedelta(days=7, hours=-1)
    assert schedule.latest_slot(TUESDAY_AFTER_AUTUMN - timedelta(seconds=1)) == TUESDAY_BEFORE_AUTUMN
    assert TUESDAY_AFTER_AUTUMN - TUESDAY_BEFORE_AUTUMN == timedelta(days=7, hours=1)


def test_it_makes_one_slot_of_a_time_the_clocks_repeat_and_one_of_a_time_they_skip():
    sunday = parse_schedule("sun 02:30", BELGRADE)
    # 25 October 2026: 02:30 happens twice; the slot is the first (CEST, 00:30 UTC).
    assert sunday.latest_slot(datetime(2026, 10, 25, 3, 0, tzinfo=UTC)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # 29 March 2026: 02:30 never happens; the slot is taken with the winter offset (01:30 UTC, 03:30 CEST).
    assert sunday.latest_slot(datetime(2026, 3, 29, 3, 0, tzinfo=UTC)) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_it_starts_exactly_one_check_per_slot_on_both_sides_of_the_spring_change(world):
    for slot in (TUESDAY_BEFORE_SPRING, TUESDAY_AFTER_SPRING):
        started = run_schedule(slot - timedelta(minutes=15), slot + timedelta(minutes=90))
        assert len(started) == 1
        check = started[0]
        assert check.scheduled_for == slot and check.started_at == slot
        assert check.started_by_label == "schedule" and check.started_by is None
        assert check.reference == f"CHK-{slot.astimezone(BELGRADE):%Y-%m-%d}"
        assert check.window_minutes == settings.HOTLINE_CHECK_WINDOW_MINUTES
    assert ReachabilityCheck.objects.count() == 2


def test_it_starts_the_autumn_slots_at_their_own_utc_instants(world):
    started = run_schedule(TUESDAY_BEFORE_AUTUMN - timedelta(hours=1), TUESDAY_BEFORE_AUTUMN + timedelta(hours=1))
    started += run_schedule(TUESDAY_AFTER_AUTUMN - timedelta(hours=1), TUESDAY_AFTER_AUTUMN + timedelta(hours=1))
    assert [check.scheduled_for for check in started] == [TUESDAY_BEFORE_AUTUMN, TUESDAY_AFTER_AUTUMN]


def test_a_slot_is_started_late_only_within_the_hour(world):
    assert do_start_scheduled_check(now=TUESDAY_AFTER_SPRING + LATE_START_LIMIT + timedelta(minutes=1)) is None
    assert run_schedule(TUESDAY_AFTER_SPRING + timedelta(hours=2), TUESDAY_AFTER_SPRING + timedelta(days=6)) == [], (
        "no stale check on Wednesday"
    )

    check = do_start_scheduled_check(now=TUESDAY_BEFORE_SPRING + timedelta(minutes=59))
    assert check is not None and check.scheduled_for == TUESDAY_BEFORE_SPRING
    assert check.started_at == TUESDAY_BEFORE_SPRING + timedelta(minutes=59), (
        "the window counts from when it really went out"
    )


def test_the_beat_task_starts_the_slot_once_however_often_it_runs(world):
    with time_machine.travel(TUESDAY_AFTER_SPRING + timedelta(seconds=20), tick=False):
        assert start_scheduled_check() == "CHK-2026-03-31"
        assert start_scheduled_check() is None
    assert ReachabilityCheck.objects.get().scheduled_for == TUESDAY_AFTER_SPRING
    assert settings.CELERY_BEAT_SCHEDULE["reachability-check-schedule"]["task"] == start_scheduled_check.name


def test_a_schedule_turned_off_starts_nothing(world, settings):
    settings.HOTLINE_CHECK_SCHEDULE = "off"
    assert run_schedule(TUESDAY_AFTER_SPRING, TUESDAY_AFTER_SPRING + timedelta(minutes=5)) == []


def test_other_days_and_times_can_be_scheduled(world, settings):
    settings.HOTLINE_CHECK_SCHEDULE = "mon,thu 09:30"
    settings.HOTLINE_CHECK_WINDOW_MINUTES = 60
    monday = datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # 09:30 CEST
    started = run_schedule(monday, monday + timedelta(days=3, hours=1))
    assert [check.scheduled_for for check in started] == [monday, monday + timedelta(days=3)]
    assert all(check.window_minutes == 60 for check in started)


@pytest.mark.parametrize("raw", ["someday 10:00", "tue", "tue 25:00", "tue 10:75", "10:00", "tue at ten"])
def test_it_names_the_variable_of_a_schedule_it_cannot_read(raw):
    with pytest.raises(ConfigError, match="^HOTLINE_CHECK_SCHEDULE: expected"):
        parse_schedule(raw, BELGRADE)


def test_it_names_the_variable_of_an_unknown_time_zone():
    with pytest.raises(ConfigError, match="^HOTLINE_CHECK_TIME_ZONE: "):
        parse_time_zone("Europe/Atlantis")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HOTLINE_CHECK_SCHEDULE", "every tuesday"),
        ("HOTLINE_CHECK_TIME_ZONE", "Mars/Olympus"),
        ("HOTLINE_CHECK_WINDOW_MINUTES", "2"),
    ],
)
def test_the_service_refuses_to_start_with_a_bad_check_setting_in_one_line(tmp_path, variable, value):
    result = run_manage("check", env=hotline_env(**{variable: value}, HOTLINE_DATA_DIR=str(tmp_path)))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and "Traceback" not in result.stderr, result.stderr
