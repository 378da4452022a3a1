"""Every write of reachability checks goes through one of these functions: starting a check (by hand or
by the schedule) and answering it.

Each owns its transaction and appends its audit entry in it, starts or stops the escalation clocks
(timers.py) in it, and queues its events, pushed after commit.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.audit.log import record
from hotline.db import lock_commit_order
from hotline.escalation.subjects import acknowledged_by_label
from hotline.reachability import recipients, timers
from hotline.reachability.models import (
    CHECK_WINDOW_MINUTES_MAX,
    CHECK_WINDOW_MINUTES_MIN,
    CheckResponse,
    ReachabilityCheck,
)
from hotline.reachability.payloads import check_payload, response_payload
from hotline.reachability.schedule import configured_schedule, parse_time_zone
from hotline.realtime.outbox import publish, publish_many

log = logging.getLogger("hotline.reachability")

SCHEDULE_LABEL = "schedule"


class SlotAlreadyChecked(ValidationError):
    """The schedule's slot has its check already (the beat task ran twice, or two workers raced)."""


def _caller_label(caller) -> str:
    return caller.username if caller is not None else SCHEDULE_LABEL


def _next_reference(started_at: datetime) -> str:
    """CHK-2026-11-24 by the schedule's local date; a second check that day is CHK-2026-11-24-2.
    Called under the commit-order lock, so two starts cannot take the same reference."""
    day = timezone.localtime(started_at, parse_time_zone(settings.HOTLINE_CHECK_TIME_ZONE)).date()
    base = f"CHK-{day:%Y-%m-%d}"
    taken = set(ReachabilityCheck.objects.filter(reference__startswith=base).values_list("reference", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _publish_check(kind: str, check: ReachabilityCheck, responses: list[CheckResponse], desk_ids: list[int]) -> None:
    """Each checked organisation hears of its own response; the commission of the whole check."""
    summary, subject = check_payload(check), f"check:{check.pk}"
    publish_many(
        [
            *(
                (kind, subject, {"check": summary, "response": response_payload(response)}, [response.organisation_id])
                for response in responses
            ),
            (kind, subject, {"check": summary, "responses": [response_payload(r) for r in responses]}, desk_ids),
        ]
    )


@transaction.atomic
def do_start_check(
    caller, *, window_minutes: int | None = None, scheduled_for: datetime | None = None, now: datetime | None = None
) -> ReachabilityCheck:
    """Send a reachability check to every checked organisation. `caller` is a commission administrator,
    or None for the schedule (which names its slot in `scheduled_for`).

    Steps: take the commit-order lock (the reference is numbered once, and two starts of one slot queue
    here, the second failing on the slot's unique constraint); write the check and one pending response
    per organisation, each due when the window closes; start one escalation clock per response; stop the
    clocks of older checks still paging; record it; tell each organisation and the commission.
    """
    window_minutes = settings.HOTLINE_CHECK_WINDOW_MINUTES if window_minutes is None else window_minutes
    if not CHECK_WINDOW_MINUTES_MIN <= window_minutes <= CHECK_WINDOW_MINUTES_MAX:
        raise ValidationError(
            {"window_minutes": f"Give a window of {CHECK_WINDOW_MINUTES_MIN} to {CHECK_WINDOW_MINUTES_MAX} minutes."}
        )
    lock_commit_order()
    sender = recipients.commission()
    organisations = list(recipients.checked_organisations())
    if sender is None or not organisations:
        raise ValidationError(
            "A check needs the commission secretariat to send it and at least one organisation to answer."
        )
    if scheduled_for is not None and ReachabilityCheck.objects.filter(scheduled_for=scheduled_for).exists():
        raise SlotAlreadyChecked(f"A check was already started for the slot {scheduled_for.isoformat()}.")
    started_at = now or timezone.now()
    person = caller if caller is not None and getattr(caller, "api_key", None) is None else None
    check = ReachabilityCheck.objects.create(
        reference=_next_reference(started_at),
        started_at=started_at,
        started_by=person,
        started_by_label=_caller_label(caller),
        scheduled_for=scheduled_for,
        window_minutes=window_minutes,
    )
    window = timedelta(minutes=window_minutes)
    policies = {organisation.pk: timers.check_policy(sender, organisation, window) for organisation in organisations}
    responses = CheckResponse.objects.bulk_create(
        CheckResponse(
            reachability_check=check,
            organisation=organisation,
            due_at=started_at + policies[organisation.pk].acknowledge_within,
        )
        for organisation in organisations
    )
    timers.watch(check, responses, sender, policies)
    superseded = timers.cancel_superseded(check)
    record(
        "reachability.check_started",
        actor=caller,
        organisation=sender.code,
        target=check,
        details={
            "check": check.reference,
            "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
            "window_minutes": window_minutes,
            "organisations": [organisation.code for organisation in organisations],
            "superseded_clocks": superseded,
        },
    )
    _publish_check("check.started", check, responses, recipients.commission_ids())
    log.info(
        "reachability check started",
        extra={"actor": _caller_label(caller), "check": check.reference, "organisations": len(responses)},
    )
    return check


def do_start_scheduled_check(now: datetime | None = None) -> ReachabilityCheck | None:
    """Start the check of the schedule's slot if it has come, is at most an hour old and has no check
    yet; None otherwise. Run by beat every minute: a slot makes one check, whatever runs twice."""
    schedule = configured_schedule()
    now = now or timezone.now()
    slot = schedule.due_slot(now) if schedule is not None else None
    if slot is None or ReachabilityCheck.objects.filter(scheduled_for=slot).exists():
        return None
    try:
        return do_start_check(None, scheduled_for=slot, now=now)
    except (SlotAlreadyChecked, IntegrityError):
        return None  # another worker started this slot meanwhile


@transaction.atomic
def do_answer_check(caller, response: CheckResponse, *, method: str, recorded_by=None) -> bool:
    """Answer `response` for the caller's organisation. A conditional update: two people clicking at once
    answer once, and the second gets False. The response's escalation stops in the same transaction.
    `recorded_by`: the supervisor who took the answer by phone for `caller`."""
    if getattr(caller, "organisation_id", None) != response.organisation_id:
        raise PermissionDenied(f"Only {response.organisation.code} answers its reachability check.")
    person = caller if getattr(caller, "api_key", None) is None else None
    label = acknowledged_by_label(caller.username, recorded_by)
    now = timezone.now()
    answered = CheckResponse.objects.filter(pk=response.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now,
        acknowledged_by=person,
        acknowledged_by_label=label,
        method=method,
    )
    response.refresh_from_db(fields=["acknowledged_at", "acknowledged_by", "acknowledged_by_label", "method"])
    if not answered:
        return False
    timers.stop_answered(response, by_label=label)
    check = response.reachability_check
    record(
        "reachability.check_answered",
        actor=recorded_by or caller,
        organisation=response.organisation.code,
        target=response,
        details={
            "check": check.reference,
            "organisation": response.organisation.code,
            "method": method,
            "late": now > response.due_at,
            "seconds_to_answer": round((now - check.started_at).total_seconds()),
            **({"on_behalf_of": caller.username} if recorded_by else {}),
        },
    )
    payload = {"check": check_payload(check), "response": response_payload(response)}
    publish("check.answered", f"check:{check.pk}", payload, [response.organisation_id, *recipients.commission_ids()])
    log.info(
        "reachability check answered",
        extra={"actor": label, "check": check.reference, "organisation": response.organisation.code},
    )
    return True
