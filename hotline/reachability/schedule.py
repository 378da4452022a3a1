"""When the scheduled reachability checks fall: "tue 10:00" in Europe/Belgrade by default.

Read by settings.py at start-up (so a bad value stops the service with one line naming the variable)
and by the beat task every minute. Imports nothing of Django's models: settings import it.

A slot is a wall-clock time in the schedule's zone, turned into one UTC instant:
- a time that happens twice (clocks go back) is its first occurrence, so it still makes one slot;
- a time the clocks skip (clocks go forward) is taken with the offset before the change, i.e. one hour
  later on the wall clock (02:30 → 03:30). The default 10:00 is never in either case.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from hotline.env import ConfigError

DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
FULL_DAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
OFF_WORDS = {"off", "none", "never"}
SCHEDULE_SHAPE = re.compile(r"^\s*([a-z,\s]+?)\s+(\d{1,2}):(\d{2})\s*$")
EXAMPLE = "a day and a time such as 'tue 10:00', days such as 'mon,thu 09:30', 'daily 10:00', or 'off'"

# A slot is started at most this long after its time: a service that was down on Tuesday morning does not
# fire a stale check on Tuesday evening or Wednesday; the next slot comes as usual.
LATE_START_LIMIT = timedelta(hours=1)


@dataclass(frozen=True)
class CheckSchedule:
    """The weekdays (Monday is 0) and the wall-clock time of the scheduled checks, in `zone`."""

    weekdays: frozenset[int]
    at: time
    zone: ZoneInfo

    def slot_on(self, day) -> datetime:
        """The UTC instant of the slot on local date `day` (see the module's notes on DST)."""
        return datetime.combine(day, self.at, tzinfo=self.zone).astimezone(UTC)

    def latest_slot(self, now: datetime) -> datetime | None:
        """The last slot at or before `now`, looking back one week."""
        today = now.astimezone(self.zone).date()
        for back in range(8):
            day = today - timedelta(days=back)
            if day.weekday() in self.weekdays and self.slot_on(day) <= now:
                return self.slot_on(day)
        return None

    def due_slot(self, now: datetime) -> datetime | None:
        """The slot a check should be started for now: the latest one, unless it is too late for it."""
        slot = self.latest_slot(now)
        if slot is None or now - slot > LATE_START_LIMIT:
            return None
        return slot

    def next_slot(self, now: datetime) -> datetime | None:
        """The first slot after `now` (for the console: "next scheduled check")."""
        today = now.astimezone(self.zone).date()
        for ahead in range(8):
            day = today + timedelta(days=ahead)
            if day.weekday() in self.weekdays and self.slot_on(day) > now:
                return self.slot_on(day)
        return None


def parse_days(text: str) -> frozenset[int] | None:
    words = [word for word in re.split(r"[,\s]+", text.strip()) if word]
    if words == ["daily"]:
        return frozenset(range(7))
    days = set()
    for word in words:
        day = DAYS.get(word, FULL_DAYS.get(word))
        if day is None:
            return None
        days.add(day)
    return frozenset(days) or None


def parse_time_zone(raw: str, variable: str = "HOTLINE_CHECK_TIME_ZONE") -> ZoneInfo:
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{variable}: expected a time zone name such as Europe/Belgrade; got {raw!r}") from None


def parse_schedule(raw: str, zone: ZoneInfo, variable: str = "HOTLINE_CHECK_SCHEDULE") -> CheckSchedule | None:
    """The schedule `raw` names, None for 'off'; ConfigError naming `variable` for anything else."""
    text = (raw or "").strip().lower()
    if text in OFF_WORDS:
        return None
    shape = SCHEDULE_SHAPE.match(text)
    days = parse_days(shape.group(1)) if shape else None
    if days is None or not (0 <= int(shape.group(2)) <= 23 and 0 <= int(shape.group(3)) <= 59):
        raise ConfigError(f"{variable}: expected {EXAMPLE}; got {raw!r}")
    return CheckSchedule(weekdays=days, at=time(int(shape.group(2)), int(shape.group(3))), zone=zone)


def configured_schedule() -> CheckSchedule | None:
    """The schedule of the running settings (the beat task and the console ask here)."""
    return parse_schedule(settings.HOTLINE_CHECK_SCHEDULE, parse_time_zone(settings.HOTLINE_CHECK_TIME_ZONE))


def validate_settings(schedule: str, time_zone: str) -> None:
    """Called by settings.py: fail at start-up, in one line, on a schedule or zone that cannot be read."""
    parse_schedule(schedule, parse_time_zone(time_zone))
