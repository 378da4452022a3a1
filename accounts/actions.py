"""Every change to contact points, rosters, API keys and reachability checks goes through one of these
functions.

Each owns its transaction. Roster changes lock the organisation's row first, so two supervisors
editing the same roster at once are serialised and the no-overlap rule cannot be raced past.
Each also appends its audit entry in the same transaction: the change and its record commit together.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import checks, paging
from accounts.models import (
    CHECK_WINDOW_MINUTES_MAX,
    CHECK_WINDOW_MINUTES_MIN,
    ApiKey,
    CheckResponse,
    ContactPoint,
    DutyShift,
    Organisation,
    ReachabilityCheck,
    User,
    validate_scopes,
)
from accounts.payloads import check_payload, response_payload
from accounts.schedule import configured_schedule, parse_time_zone
from hotline.audit.log import record
from hotline.db import lock_commit_order
from hotline.escalation.subjects import acknowledged_by_label
from hotline.realtime.outbox import publish, publish_many

log = logging.getLogger("hotline.accounts")


class RosterConflict(ValidationError):
    """A shift would overlap another of the same kind in the same organisation."""


def _shift_details(shift: DutyShift) -> dict:
    return {
        "person": shift.person.username,
        "kind": shift.kind,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
    }


def _contact_details(point: ContactPoint) -> dict:
    return {"method": point.method, "address": point.address, "priority": point.priority}


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _refuse_overlap(organisation, kind, starts_at, ends_at, ignoring=()) -> None:
    clash = (
        DutyShift.objects.filter(organisation=organisation, kind=kind, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk__in=[shift.pk for shift in ignoring])
        .select_related("person")
        .first()
    )
    if clash is not None:
        zone = organisation.zone
        raise RosterConflict(
            f"It overlaps the {clash.get_kind_display().lower()} shift of {clash.person} "
            f"({timezone.localtime(clash.starts_at, zone):%a %d %b %H:%M}–"
            f"{timezone.localtime(clash.ends_at, zone):%a %d %b %H:%M} "
            f"{organisation.time_zone}). Edit that shift, or add an override instead."
        )


def _refuse_outsider(organisation: Organisation, person: User) -> None:
    if person.organisation_id != organisation.pk:
        raise ValidationError(f"{person} is not a member of {organisation.code}.")


def _validated(shift: DutyShift) -> DutyShift:
    shift.full_clean()
    return shift


@transaction.atomic
def do_create_shift(*, organisation, person, kind, starts_at, ends_at, note="", actor) -> DutyShift:
    organisation = _lock(organisation)
    _refuse_outsider(organisation, person)
    shift = _validated(
        DutyShift(
            organisation=organisation,
            person=person,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            created_by=actor,
        )
    )
    _refuse_overlap(organisation, kind, starts_at, ends_at)
    shift.save()
    record(
        "roster.shift_created", actor=actor, organisation=organisation.code, target=shift, details=_shift_details(shift)
    )
    log.info("shift created", extra={"actor": actor.username, "organisation": organisation.code, "shift": shift.pk})
    return shift


@transaction.atomic
def do_update_shift(shift: DutyShift, *, person, kind, starts_at, ends_at, note, actor) -> DutyShift:
    organisation = _lock(shift.organisation)
    _refuse_outsider(organisation, person)
    shift.person, shift.kind, shift.starts_at, shift.ends_at, shift.note = person, kind, starts_at, ends_at, note
    _validated(shift)
    _refuse_overlap(organisation, kind, starts_at, ends_at, ignoring=[shift])
    shift.save(update_fields=["person", "kind", "starts_at", "ends_at", "note"])
    record(
        "roster.shift_changed", actor=actor, organisation=organisation.code, target=shift, details=_shift_details(shift)
    )
    log.info("shift changed", extra={"actor": actor.username, "organisation": organisation.code, "shift": shift.pk})
    return shift


@transaction.atomic
def do_delete_shift(shift: DutyShift, *, actor) -> None:
    organisation = _lock(shift.organisation)
    log.info("shift deleted", extra={"actor": actor.username, "organisation": organisation.code, "shift": shift.pk})
    record(
        "roster.shift_deleted", actor=actor, organisation=organisation.code, target=shift, details=_shift_details(shift)
    )
    shift.delete()


@transaction.atomic
def do_swap_shifts(first: DutyShift, second: DutyShift, *, actor) -> None:
    """Exchange the people of two shifts of the same organisation; times and kinds stay."""
    if first.organisation_id != second.organisation_id:
        raise ValidationError("Only shifts of the same organisation can be swapped.")
    if first.pk == second.pk:
        raise ValidationError("Choose two different shifts.")
    organisation = _lock(first.organisation)
    first.person, second.person = second.person, first.person
    first.save(update_fields=["person"])
    second.save(update_fields=["person"])
    record(
        "roster.shifts_swapped",
        actor=actor,
        organisation=organisation.code,
        details={"shifts": [_shift_details(first), _shift_details(second)]},
    )
    log.info(
        "shifts swapped",
        extra={"actor": actor.username, "organisation": organisation.code, "shifts": [first.pk, second.pk]},
    )


@transaction.atomic
def do_add_override(*, organisation, person, kind, starts_at: datetime, ends_at: datetime, note="", actor) -> DutyShift:
    """Put `person` on duty for [starts_at, ends_at) in place of whoever was: shifts of that kind that
    overlap are cut around the override (a shift that spans it is split in two)."""
    organisation = _lock(organisation)
    _refuse_outsider(organisation, person)
    override = _validated(
        DutyShift(
            organisation=organisation,
            person=person,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            is_override=True,
            created_by=actor,
        )
    )
    overlapping = DutyShift.objects.filter(
        organisation=organisation, kind=kind, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    for shift in overlapping:
        before = (shift.starts_at, starts_at) if shift.starts_at < starts_at else None
        after = (ends_at, shift.ends_at) if shift.ends_at > ends_at else None
        if before and after:
            DutyShift.objects.create(
                organisation=organisation,
                person=shift.person,
                kind=kind,
                starts_at=after[0],
                ends_at=after[1],
                note=shift.note,
                is_override=shift.is_override,
                created_by=actor,
            )
        if before:
            shift.ends_at = before[1]
            shift.save(update_fields=["ends_at"])
        elif after:
            shift.starts_at = after[0]
            shift.save(update_fields=["starts_at"])
        else:
            shift.delete()
    override.save()
    record(
        "roster.override_added",
        actor=actor,
        organisation=organisation.code,
        target=override,
        details=_shift_details(override),
    )
    log.info("override added", extra={"actor": actor.username, "organisation": organisation.code, "shift": override.pk})
    return override


@transaction.atomic
def do_save_contact_point(contact_point: ContactPoint, *, actor) -> ContactPoint:
    contact_point.full_clean()
    created = contact_point.pk is None
    contact_point.save()
    record(
        "contact_point.created" if created else "contact_point.changed",
        actor=actor,
        organisation=contact_point.organisation.code,
        target=contact_point,
        details=_contact_details(contact_point),
    )
    log.info(
        "contact point created" if created else "contact point changed",
        extra={
            "actor": actor.username,
            "organisation": contact_point.organisation.code,
            "contact_point": contact_point.pk,
        },
    )
    return contact_point


@transaction.atomic
def do_delete_contact_point(contact_point: ContactPoint, *, actor) -> None:
    log.info(
        "contact point deleted",
        extra={
            "actor": actor.username,
            "organisation": contact_point.organisation.code,
            "contact_point": contact_point.pk,
        },
    )
    record(
        "contact_point.deleted",
        actor=actor,
        organisation=contact_point.organisation.code,
        target=contact_point,
        details=_contact_details(contact_point),
    )
    contact_point.delete()


@transaction.atomic
def do_mark_contact_point_verified(contact_point: ContactPoint, *, actor, at: datetime | None = None) -> ContactPoint:
    contact_point.last_verified_at = at or timezone.now()
    contact_point.save(update_fields=["last_verified_at"])
    record(
        "contact_point.verified",
        actor=actor,
        organisation=contact_point.organisation.code,
        target=contact_point,
        details=_contact_details(contact_point),
    )
    log.info(
        "contact point verified",
        extra={
            "actor": actor.username,
            "organisation": contact_point.organisation.code,
            "contact_point": contact_point.pk,
        },
    )
    return contact_point


@transaction.atomic
def do_create_api_key(*, organisation, name: str, scopes: list[str], expires_at=None, actor=None) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and cannot be shown again."""
    key = ApiKey(
        organisation=organisation, name=name, scopes=sorted(set(scopes)), expiry_date=expires_at, created_by=actor
    )
    validate_scopes(key.scopes)
    secret = ApiKey.objects.assign_key(key)
    key.full_clean(exclude=["id", "hashed_key", "prefix"])
    key.save()
    record(
        "api_key.created",
        actor=actor,
        organisation=organisation.code,
        target=f"api_key:{key.prefix}",
        details={"name": name, "scopes": key.scopes, "expires_at": expires_at},
    )
    log.info(
        "api key created",
        extra={
            "actor": getattr(actor, "username", "system"),
            "organisation": organisation.code,
            "key_prefix": key.prefix,
        },
    )
    return key, secret


@transaction.atomic
def do_revoke_api_key(key: ApiKey, *, actor) -> bool:
    """Revoke the key; False when it already was. The conditional update makes a double revoke harmless."""
    changed = ApiKey.objects.filter(pk=key.pk, revoked=False).update(revoked=True, revoked_at=timezone.now())
    if changed:
        record(
            "api_key.revoked",
            actor=actor,
            organisation=key.organisation.code,
            target=f"api_key:{key.prefix}",
            details={"name": key.name},
        )
        log.info(
            "api key revoked",
            extra={"actor": actor.username, "organisation": key.organisation.code, "key_prefix": key.prefix},
        )
    key.refresh_from_db()
    return bool(changed)


# --- reachability checks -------------------------------------------------------------------------------

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
    sender = checks.commission()
    organisations = list(checks.checked_organisations())
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
    policies = {organisation.pk: paging.check_policy(sender, organisation, window) for organisation in organisations}
    responses = CheckResponse.objects.bulk_create(
        CheckResponse(
            reachability_check=check,
            organisation=organisation,
            due_at=started_at + policies[organisation.pk].acknowledge_within,
        )
        for organisation in organisations
    )
    paging.watch(check, responses, sender, policies)
    superseded = paging.cancel_superseded(check)
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
    _publish_check("check.started", check, responses, checks.commission_ids())
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
    paging.stop_answered(response, by_label=label)
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
    publish("check.answered", f"check:{check.pk}", payload, [response.organisation_id, *checks.commission_ids()])
    log.info(
        "reachability check answered",
        extra={"actor": label, "check": check.reference, "organisation": response.organisation.code},
    )
    return True
