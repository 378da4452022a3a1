"""Who is on duty: the one answer that everything which pages or displays duty uses."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.choices import ShiftKind
from accounts.models import ContactPoint, DutyShift, Organisation


@dataclass
class OnDuty:
    """The people on duty at one organisation at one time, and what to fall back on when nobody is."""

    organisation: Organisation
    at: datetime
    primary: list[DutyShift] = field(default_factory=list)
    backup: list[DutyShift] = field(default_factory=list)
    # Only filled when no shift covers the time: then the organisation's own contact points are the way in.
    fallback_contact_points: list[ContactPoint] = field(default_factory=list)

    @property
    def people(self):
        return [shift.person for shift in [*self.primary, *self.backup]]

    @property
    def is_covered(self) -> bool:
        return bool(self.primary or self.backup)


def shifts_covering(organisation: Organisation, at: datetime):
    return (
        DutyShift.objects.filter(organisation=organisation, starts_at__lte=at, ends_at__gt=at)
        .select_related("person")
        .order_by("kind", "starts_at")
    )


def on_duty(organisation: Organisation, at: datetime | None = None) -> OnDuty:
    """Who is on duty at `organisation` at `at` (default now): primary, then backup, else its contact points.

    A shift covers [starts_at, ends_at): at the boundary the next shift's person is on duty.
    """
    at = at or timezone.now()
    result = OnDuty(organisation=organisation, at=at)
    for shift in shifts_covering(organisation, at):
        (result.primary if shift.kind == ShiftKind.PRIMARY else result.backup).append(shift)
    if not result.is_covered:
        result.fallback_contact_points = list(organisation.contact_points.all())
    return result


def next_on_duty(organisation: Organisation, at: datetime | None = None) -> DutyShift | None:
    """The next primary shift to begin after `at`."""
    at = at or timezone.now()
    return (
        DutyShift.objects.filter(organisation=organisation, kind=ShiftKind.PRIMARY, starts_at__gt=at)
        .select_related("person")
        .order_by("starts_at")
        .first()
    )


def primary_gaps(organisation: Organisation, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) that no primary shift covers: nobody would be paged there first."""
    shifts = DutyShift.objects.filter(
        Q(organisation=organisation, kind=ShiftKind.PRIMARY, starts_at__lt=end, ends_at__gt=start)
    ).order_by("starts_at")
    gaps = []
    covered_until = start
    for shift in shifts:
        if shift.starts_at > covered_until:
            gaps.append((covered_until, shift.starts_at))
        covered_until = max(covered_until, shift.ends_at)
    if covered_until < end:
        gaps.append((covered_until, end))
    return gaps


GAP_WARNING_HORIZON = timedelta(days=14)


def coming_gaps(organisation: Organisation, now: datetime | None = None):
    now = now or timezone.now()
    return primary_gaps(organisation, now, now + GAP_WARNING_HORIZON)


def shift_of(person, at: datetime | None = None) -> DutyShift | None:
    """The shift `person` is on at `at` (default now), primary before backup; None when off duty."""
    at = at or timezone.now()
    return (
        DutyShift.objects.filter(person=person, starts_at__lte=at, ends_at__gt=at)
        .select_related("organisation")
        .order_by("kind", "starts_at")
        .first()
    )


def next_shift_of(person, at: datetime | None = None) -> DutyShift | None:
    """The next shift of `person` to begin after `at` (default now)."""
    at = at or timezone.now()
    return DutyShift.objects.filter(person=person, starts_at__gt=at).order_by("starts_at", "kind").first()
