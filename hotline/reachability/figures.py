"""The counts of each reachability check and the figures of each organisation over the latest checks.

Who is checked is in recipients.py; who sees what in visibility.py; the writes (`do_start_check`,
`do_answer_check`, `do_start_scheduled_check`) in actions.py; the escalation of a response that is not
answered in timers.py and subjects.py.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from accounts.models import Organisation
from hotline.reachability.choices import CheckResponseState
from hotline.reachability.models import CheckResponse, ReachabilityCheck

FIGURES_OVER = 12  # checks: a quarter of weekly checks
FIGURES_OVER_MAX = 200


def with_counts(checks, now: datetime | None = None):
    """Each check with its counts: `total`, `answered` (within the window), `late`, `missed`, `pending`."""
    now = now or timezone.now()
    unanswered = Q(responses__acknowledged_at__isnull=True)
    return checks.annotate(
        total=Count("responses"),
        answered=Count("responses", filter=Q(responses__acknowledged_at__lte=F("responses__due_at"))),
        late=Count("responses", filter=Q(responses__acknowledged_at__gt=F("responses__due_at"))),
        missed=Count("responses", filter=unanswered & Q(responses__due_at__lte=now)),
        pending=Count("responses", filter=unanswered & Q(responses__due_at__gt=now)),
    )


@dataclass
class Figures:
    """How one organisation answered the last checks whose window has closed."""

    organisation: Organisation
    checks: int
    answered_within_window: int
    answered_late: int
    missed: int
    median_time_to_answer: timedelta | None

    @property
    def within_window_share(self) -> float | None:
        return self.answered_within_window / self.checks if self.checks else None

    @property
    def within_window_percent(self) -> int | None:
        share = self.within_window_share
        return None if share is None else round(share * 100)


def closed_checks(last: int, now: datetime | None = None) -> list[ReachabilityCheck]:
    """The latest `last` checks whose window has closed for every organisation: a check still open
    would count as missed what may yet be answered in time."""
    now = now or timezone.now()
    return list(
        ReachabilityCheck.objects.annotate(closes_at=Max("responses__due_at"))
        .filter(closes_at__lte=now)
        .order_by("-started_at", "-pk")[:last]
    )


def organisation_figures(
    last: int = FIGURES_OVER, now: datetime | None = None
) -> tuple[list[Figures], list[ReachabilityCheck]]:
    """Per organisation over the latest `last` closed checks: how many it answered within the window,
    late, or not at all, and the median time from the check to its answer (answered ones, late too).
    Returns the figures (in directory order) and the checks they cover."""
    now = now or timezone.now()
    checks = closed_checks(last, now)
    responses = (
        CheckResponse.objects.filter(reachability_check__in=checks)
        .select_related("organisation__party", "reachability_check")
        .order_by("organisation__party__position", "organisation__code")
    )
    grouped: dict[int, list[CheckResponse]] = {}
    organisations: dict[int, Organisation] = {}
    for response in responses:
        grouped.setdefault(response.organisation_id, []).append(response)
        organisations[response.organisation_id] = response.organisation
    figures = []
    for organisation_id, answers in grouped.items():
        states = [response.state_at(now) for response in answers]
        times = [response.time_to_answer for response in answers if response.acknowledged_at is not None]
        figures.append(
            Figures(
                organisation=organisations[organisation_id],
                checks=len(answers),
                answered_within_window=states.count(CheckResponseState.ANSWERED),
                answered_late=states.count(CheckResponseState.LATE),
                missed=states.count(CheckResponseState.MISSED),
                median_time_to_answer=statistics.median(times) if times else None,
            )
        )
    return figures, checks


def duration_text(duration: timedelta | None) -> str:
    """How long people took, for the console: "4 min 12 s", "1 h 05 min"."""
    if duration is None:
        return ""
    seconds = max(0, round(duration.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"
