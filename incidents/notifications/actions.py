"""Every change to notifications goes through one of these functions (STYLE.md: actions own writes).

Each runs in one transaction with its audit entries, its outbox events and its escalation timers. Access
is checked by the caller (incidents/notifications/access.py), outside the transaction, so a refusal stays
recorded. Audit details carry references, figures and codes; notifications are not above TLP:GREEN
except a flight's purpose, which stays out of the log.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation, Party
from hotline.audit.log import Entry, record, record_many
from hotline.db import lock_commit_order
from hotline.escalation import engine
from hotline.escalation.subjects import acknowledged_by_label
from hotline.realtime.outbox import publish_many
from incidents.actions import _author
from incidents.choices import AckMethod
from incidents.notifications import borders, recipients, rules, timers
from incidents.notifications.choices import (
    FLIGHT_TRANSITIONS,
    LIVE_FLIGHT_STATES,
    FlightState,
    ReplyAnswer,
    VersionKind,
)
from incidents.notifications.models import (
    POLICY_FIELDS,
    CalendarFeed,
    DroneConflict,
    DroneFlight,
    DroneFlightAcknowledgement,
    DroneVolume,
    ExerciseAcknowledgement,
    ExerciseNotification,
    ExerciseVersion,
    NotificationPolicy,
    ObservationInvitation,
    ObservationReply,
)
from incidents.notifications.payloads import (
    EXERCISE_FIELDS,
    conflicts_of,
    exercise_payload,
    flight_payload,
    with_exercise_details,
    with_flight_details,
)
from incidents.notifications.visibility import exercise_audience, flight_audience

log = logging.getLogger("hotline.notifications")


class NotAwaited(ValidationError):
    """Nothing of this notification waits on the caller's organisation (never did, or acknowledged)."""


def _next_number(model, year: int) -> int:
    # Under the commit-order lock (PostgreSQL) or SQLite's one writer: numbered once.
    return (model.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0) + 1


# --- exercises ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseAssessment:
    reasons: list[dict]
    near_borders: list[dict]
    late_by_s: int | None
    boundary_version: str
    policy: dict


def assess_exercise(
    values: dict, organisation, *, filed_at: datetime, previous: ExerciseVersion | None = None
) -> ExerciseAssessment:
    """What the rules say of an exercise as notified now (also the console's "why notifiable" preview);
    ValidationError {"area": …} for an area that cannot be used or lies far from every party.
    An amendment that does not bring the start forward keeps the lateness of the notice it amends:
    postponing an exercise does not make its notice late."""
    policy, boundaries = NotificationPolicy.current(), borders.active()
    rules.check_in_region("area", rules.check_area(values["area"]), 0.0, boundaries)
    near = rules.near_borders(values["area"], organisation.party.code, policy.border_distance_m, boundaries)
    if previous is not None and values["starts_at"] >= previous.starts_at:
        late = previous.late_by_s
    else:
        late = rules.late_by_seconds(filed_at, values["starts_at"], timedelta(days=policy.exercise_notice_days))
    return ExerciseAssessment(
        rules.notifiable_reasons(values, policy, near), near, late, boundaries.version, policy.snapshot()
    )


def _publish_exercise(kind: str, notification: ExerciseNotification, extra: dict | None = None) -> dict:
    notification = with_exercise_details(ExerciseNotification.objects.filter(pk=notification.pk)).get()
    payload = exercise_payload(notification)
    publish_many(
        [
            (
                kind,
                f"exercise:{notification.pk}",
                {"exercise_notification": payload, **(extra or {})},
                exercise_audience(),
            )
        ]
    )
    return payload


def _write_version(
    caller,
    notification: ExerciseNotification,
    kind: str,
    values: dict,
    *,
    reason: str = "",
    previous: ExerciseVersion | None = None,
) -> ExerciseVersion:
    """Append a version with a pending acknowledgement (and its clock) for every recipient; what older
    versions still wait for stops paging: acknowledging the newest acknowledges what it supersedes."""
    person, label, organisation = _author(caller)
    now = timezone.now()
    version = ExerciseVersion(
        notification=notification,
        number=(previous.number + 1) if previous else 1,
        kind=kind,
        reason=reason,
        **{field: values[field] for field in EXERCISE_FIELDS},
        filed_at=now,
        filed_by=person,
        filed_by_label=label,
    )
    version.full_clean(exclude=["notification", "filed_by", "boundary_version"], validate_constraints=False)
    assessment = assess_exercise(values, organisation, filed_at=now, previous=previous)
    version.notifiable_reasons, version.near_borders = assessment.reasons, assessment.near_borders
    version.late_by_s = None if kind == VersionKind.CANCELLATION else assessment.late_by_s
    version.boundary_version, version.policy = assessment.boundary_version, assessment.policy
    version.save()
    ExerciseNotification.objects.filter(pk=notification.pk).update(
        latest=version, cancelled=kind == VersionKind.CANCELLATION, updated_at=now
    )
    if previous is not None:
        superseded = ExerciseAcknowledgement.objects.filter(
            version__notification=notification, acknowledged_at__isnull=True
        )
        timers.cancel(
            timers.EXERCISE_KIND, superseded.values_list("pk", flat=True), by_label=f"superseded by v{version.number}"
        )
    to = recipients.exercise_recipients(organisation, values["exercise_type"])
    if previous is not None:
        # Whoever received a version hears of the next one, even if the type changed (a cyber exercise
        # amended to another type still tells the CERTs it told before).
        had = Organisation.objects.filter(pk__in=previous.acknowledgements.values("organisation_id")).exclude(
            pk__in=[o.pk for o in to]
        )
        to += list(had.select_related("party"))
    policies = {other.pk: engine.policy_for(timers.EXERCISE_SEVERITY, organisation, other) for other in to}
    acknowledgements = ExerciseAcknowledgement.objects.bulk_create(
        ExerciseAcknowledgement(version=version, organisation=other, due_at=now + policies[other.pk].acknowledge_within)
        for other in to
    )
    timers.watch(
        timers.EXERCISE_KIND,
        acknowledgements,
        organisation,
        dict.fromkeys(policies, timers.EXERCISE_SEVERITY),
        policies,
        now,
    )
    return version


def _clean_exercise(values: dict, *, new: bool) -> None:
    missing = [
        field
        for field in ("designation", "exercise_type", "purpose", "starts_at", "ends_at", "area", "command_level")
        if not values.get(field)
    ]
    if missing:
        raise ValidationError(dict.fromkeys(missing, "This field is required."))
    rules.check_exercise(values)
    if new and values["ends_at"] <= timezone.now():
        raise ValidationError({"ends_at": "This exercise has already ended: there is nothing to notify in advance."})


@transaction.atomic
def do_notify_exercise(caller, values: dict) -> ExerciseNotification:
    """Steps: check the figures, number the notification, write version 1 with its computed reasons,
    lateness and nearby borders, a pending acknowledgement and clock per recipient; record; tell everyone."""
    _, label, organisation = _author(caller)
    values = {
        field: values.get(field, ExerciseVersion._meta.get_field(field).get_default()) for field in EXERCISE_FIELDS
    }
    _clean_exercise(values, new=True)
    lock_commit_order()
    year = timezone.now().year
    notification = ExerciseNotification.objects.create(
        year=year, number=_next_number(ExerciseNotification, year), organisation=organisation
    )
    version = _write_version(caller, notification, VersionKind.NOTICE, values)
    record("exercise.notified", actor=caller, target=notification, details=_version_details(notification, version))
    _publish_exercise("exercise.notified", notification)
    log.info(
        "exercise notified",
        extra={"actor": label, "notification": notification.reference, "late_by_s": version.late_by_s},
    )
    notification.refresh_from_db()
    return notification


def _version_details(notification, version: ExerciseVersion) -> dict:
    return {
        "notification": notification.reference,
        "version": version.number,
        "kind": version.kind,
        "notifiable": [reason["code"] for reason in version.notifiable_reasons],
        "late_by_s": version.late_by_s,
        "boundary_version": version.boundary_version,
    }


def _locked_exercise(notification: ExerciseNotification) -> tuple[ExerciseNotification, ExerciseVersion]:
    lock_commit_order()
    notification = (
        ExerciseNotification.objects.select_for_update(of=("self",))
        .select_related("organisation__party")
        .get(pk=notification.pk)
    )
    if notification.cancelled:
        raise ValidationError({"notification": f"{notification.reference} is cancelled: it cannot change any more."})
    return notification, ExerciseVersion.objects.get(pk=notification.latest_id)


@transaction.atomic
def do_amend_exercise(caller, notification: ExerciseNotification, changes: dict, *, reason: str) -> ExerciseVersion:
    """A new version: the latest one with `changes` applied. Every recipient acknowledges it."""
    notification, previous = _locked_exercise(notification)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the notification is amended."})
    unknown = sorted(set(changes) - set(EXERCISE_FIELDS))
    if unknown:
        raise ValidationError({field: "This field cannot be amended." for field in unknown})
    values = {field: changes.get(field, getattr(previous, field)) for field in EXERCISE_FIELDS}
    if all(values[field] == getattr(previous, field) for field in EXERCISE_FIELDS):
        raise ValidationError({"notification": "The amendment changes nothing."})
    _clean_exercise(values, new=False)
    version = _write_version(
        caller, notification, VersionKind.AMENDMENT, values, reason=reason.strip(), previous=previous
    )
    record(
        "exercise.amended",
        actor=caller,
        target=notification,
        details={
            **_version_details(notification, version),
            "changed": sorted(f for f in EXERCISE_FIELDS if values[f] != getattr(previous, f)),
        },
    )
    _publish_exercise("exercise.amended", notification)
    log.info(
        "exercise amended",
        extra={"actor": caller.username, "notification": notification.reference, "version": version.number},
    )
    return version


@transaction.atomic
def do_cancel_exercise(caller, notification: ExerciseNotification, *, reason: str) -> ExerciseVersion:
    """A cancellation is a notice of its own, acknowledged like the others."""
    notification, previous = _locked_exercise(notification)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the exercise is cancelled."})
    values = {field: getattr(previous, field) for field in EXERCISE_FIELDS}
    version = _write_version(
        caller, notification, VersionKind.CANCELLATION, values, reason=reason.strip(), previous=previous
    )
    record("exercise.cancelled", actor=caller, target=notification, details=_version_details(notification, version))
    _publish_exercise("exercise.cancelled", notification)
    log.info("exercise cancelled", extra={"actor": caller.username, "notification": notification.reference})
    return version


def _acknowledge(model, pending, caller, *, method: str, recorded_by, what: str):
    """Give every acknowledgement in `pending` (a queryset of the caller's organisation's) at once: a
    conditional update, so two officers clicking together acknowledge once."""
    person, label, organisation = _author(caller)
    label = acknowledged_by_label(label, recorded_by)
    chosen = list(pending.select_for_update(of=("self",)).values_list("pk", flat=True))
    now = timezone.now()
    given = model.objects.filter(pk__in=chosen, acknowledged_at__isnull=True).update(
        acknowledged_at=now,
        acknowledged_by=person,
        acknowledged_by_label=label,
        method=method,
    )
    if given == 0:
        raise NotAwaited({"notification": f"{what} does not wait for {organisation.code}'s acknowledgement."})
    return list(model.objects.filter(pk__in=chosen, acknowledged_at=now).select_related("organisation")), label


@transaction.atomic
def do_acknowledge_exercise(
    caller,
    notification: ExerciseNotification,
    *,
    version_number: int | None = None,
    method: str = AckMethod.CONSOLE,
    recorded_by=None,
) -> list[ExerciseAcknowledgement]:
    """Acknowledge the notification up to `version_number` (default: every version waiting on the
    caller's organisation). Acknowledging a version acknowledges the older ones it supersedes."""
    lock_commit_order()
    pending = ExerciseAcknowledgement.objects.filter(
        version__notification=notification, organisation=caller.organisation, acknowledged_at__isnull=True
    )
    if version_number is not None:
        pending = pending.filter(version__number__lte=version_number)
    what = f"{notification.reference}" + (f" v{version_number}" if version_number else "")
    acknowledgements, label = _acknowledge(
        ExerciseAcknowledgement, pending, caller, method=method, recorded_by=recorded_by, what=what
    )
    timers.stop(timers.EXERCISE_KIND, [a.pk for a in acknowledgements], by_label=label)
    versions = sorted(
        ExerciseVersion.objects.filter(acknowledgements__in=acknowledgements).values_list("number", flat=True)
    )
    record(
        "exercise.acknowledged",
        actor=recorded_by or caller,
        target=notification,
        details={
            "notification": notification.reference,
            "versions": versions,
            "method": method,
            "late": any(a.acknowledged_at > a.due_at for a in acknowledgements),
            **({"on_behalf_of": caller.username} if recorded_by else {}),
        },
    )
    _publish_exercise(
        "exercise.acknowledged", notification, {"organisation": caller.organisation.code, "versions": versions}
    )
    log.info(
        "exercise acknowledged", extra={"actor": label, "notification": notification.reference, "versions": versions}
    )
    return acknowledgements


@transaction.atomic
def do_invite_observers(
    caller,
    notification: ExerciseNotification,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reporting_point: str,
    observers_per_party: int,
    reply_by: datetime,
    details: str = "",
) -> ObservationInvitation:
    notification, _ = _locked_exercise(notification)
    if reply_by <= timezone.now():
        raise ValidationError({"reply_by": "The reply-by date must lie in the future."})
    invitation = ObservationInvitation(
        notification=notification,
        starts_at=starts_at,
        ends_at=ends_at,
        reporting_point=reporting_point,
        observers_per_party=observers_per_party,
        reply_by=reply_by,
        details=details,
        created_by_label=caller.username,
    )
    invitation.full_clean()
    invitation.save()
    record(
        "exercise.observers_invited",
        actor=caller,
        target=invitation,
        details={
            "notification": notification.reference,
            "invitation": invitation.pk,
            "observers_per_party": observers_per_party,
            "reply_by": reply_by.isoformat(),
        },
    )
    _publish_exercise("exercise.invitation", notification)
    return invitation


@transaction.atomic
def do_reply_to_invitation(
    caller, invitation: ObservationInvitation, *, answer: str, observers: list[str]
) -> ObservationReply:
    """Accept (naming the observers, at most the number invited) or decline, until the reply-by date;
    a later reply replaces an earlier one."""
    lock_commit_order()
    _, label, organisation = _author(caller)
    notification = invitation.notification
    if organisation.pk not in recipients.invited_organisations(notification):
        raise ValidationError(
            {"invitation": f"{organisation.code} is not invited to observe {notification.reference}."}
        )
    if notification.cancelled:
        raise ValidationError({"invitation": f"{notification.reference} is cancelled."})
    now = timezone.now()
    if now > invitation.reply_by:
        raise ValidationError({"invitation": f"Replies were due by {invitation.reply_by:%Y-%m-%d %H:%M} UTC."})
    if answer not in ReplyAnswer.values:
        raise ValidationError({"answer": f"The answer is one of {', '.join(ReplyAnswer.values)}."})
    names = [str(name).strip() for name in observers if str(name).strip()]
    if answer == ReplyAnswer.ACCEPTED and not names:
        raise ValidationError({"observers": "Name the observers you send."})
    if answer == ReplyAnswer.DECLINED and names:
        raise ValidationError({"observers": "A declined invitation names no observers."})
    if len(names) > invitation.observers_per_party or any(len(name) > 150 for name in names):
        raise ValidationError(
            {"observers": f"At most {invitation.observers_per_party} observers, each name at most 150 characters."}
        )
    reply, _ = ObservationReply.objects.update_or_create(
        invitation=invitation,
        organisation=organisation,
        defaults={"answer": answer, "observers": names, "replied_at": now, "replied_by_label": label},
    )
    record(
        "exercise.invitation_answered",
        actor=caller,
        target=invitation,
        details={
            "notification": notification.reference,
            "invitation": invitation.pk,
            "answer": answer,
            "observers": len(names),
        },
    )
    _publish_exercise("exercise.invitation", notification)
    return reply


# --- drone flights -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlightAssessment:
    volumes: list[rules.Volume]
    geography: rules.Geography
    late_by_s: int | None
    policy: dict


def assess_flight(raw_volumes, organisation, *, filed_at: datetime) -> FlightAssessment:
    """What the rules say of a flight's volumes as filed now (also the console's preview)."""
    policy = NotificationPolicy.current()
    volumes, boundaries = rules.clean_volumes(raw_volumes, filed_at), borders.active()
    for index, volume in enumerate(volumes):
        rules.check_in_region(f"volumes[{index}].area", volume.projected, volume.radius_m, boundaries)
    geography = rules.flight_geography(volumes, organisation.party.code, policy.drone_buffer_m, boundaries)
    late = rules.late_by_seconds(
        filed_at, min(v.starts_at for v in volumes), timedelta(hours=policy.drone_notice_hours)
    )
    return FlightAssessment(volumes, geography, late, policy.snapshot())


def _find_conflicts(
    flight: DroneFlight, volumes: list[DroneVolume], checked: list[rules.Volume]
) -> list[DroneConflict]:
    """Other live flights' volumes that overlap ours in area, altitude and time. Boxes and windows are
    compared by the database; only those candidates are compared exactly."""
    conflicts = []
    for volume, own in zip(volumes, checked, strict=True):
        candidates = DroneVolume.objects.filter(
            flight__state__in=LIVE_FLIGHT_STATES,
            starts_at__lt=volume.ends_at,
            ends_at__gt=volume.starts_at,
            west__lte=volume.east,
            east__gte=volume.west,
            south__lte=volume.north,
            north__gte=volume.south,
        ).exclude(flight=flight)
        for other in candidates:
            if rules.volumes_conflict(own, rules.volume_from_row(other)):
                first, second = sorted((volume, other), key=lambda v: v.pk)
                conflicts.append(DroneConflict(first=first, second=second, found_at=flight.filed_at))
    return DroneConflict.objects.bulk_create(conflicts)


def _publish_flight(kind: str, flight: DroneFlight, extra: dict | None = None) -> None:
    """One event per group of readers who may know of the same conflicts (conflicts_of's rule): a party
    told of this flight is not told of another flight it may not see."""
    flight = with_flight_details(DroneFlight.objects.filter(pk=flight.pk)).get()
    audience = Organisation.objects.filter(pk__in=flight_audience(flight)).select_related("party")
    if not conflicts_of([flight], None)[flight.pk]:
        publish_many(
            [
                (
                    kind,
                    f"drone_flight:{flight.pk}",
                    {"drone_flight": flight_payload(flight, []), **(extra or {})},
                    {a.pk for a in audience},
                )
            ]
        )
        return
    groups: dict[str, tuple[list[dict], set[int]]] = {}
    for reader in audience:
        conflicts = conflicts_of([flight], reader)[flight.pk]
        key = json.dumps(conflicts, sort_keys=True)
        groups.setdefault(key, (conflicts, set()))[1].add(reader.pk)
    publish_many(
        [
            (
                kind,
                f"drone_flight:{flight.pk}",
                {"drone_flight": flight_payload(flight, conflicts), **(extra or {})},
                readers,
            )
            for conflicts, readers in groups.values()
        ]
    )


def _mass(value):
    """A JSON number as the Decimal it means (9.2, not 9.199999999999999289…), anything else as given."""
    return Decimal(str(value)) if isinstance(value, float) else value


@transaction.atomic
def do_notify_flight(caller, *, aircraft: dict, purpose: str, volumes: list) -> DroneFlight:
    """Steps: check the volumes; compute from the active boundaries which parties lie within the buffer
    and which a volume enters; number and write the flight and its volumes; make those parties' desks
    and the commission its recipients, each with a pending acknowledgement and clock; find conflicts
    with other notified volumes and warn both operators; record; tell every concerned organisation."""
    person, label, organisation = _author(caller)
    now = timezone.now()
    assessment = assess_flight(volumes, organisation, filed_at=now)
    geography = assessment.geography
    lock_commit_order()
    year = now.year
    flight = DroneFlight(
        year=year,
        number=_next_number(DroneFlight, year),
        organisation=organisation,
        aircraft_type=str(aircraft.get("type") or "").strip(),
        aircraft_category=str(aircraft.get("category") or "").strip().lower(),
        armed=bool(aircraft.get("armed")),
        mtom_kg=_mass(aircraft.get("mtom_kg")),
        remote_id=str(aircraft.get("remote_id") or "").strip(),
        purpose=(purpose or "").strip(),
        starts_at=min(v.starts_at for v in assessment.volumes),
        ends_at=max(v.ends_at for v in assessment.volumes),
        filed_at=now,
        filed_by=person,
        filed_by_label=label,
        late_by_s=assessment.late_by_s,
        neighbours=geography.neighbours,
        crosses_into=geography.crosses_into,
        boundary_version=geography.boundary_version,
        policy=assessment.policy,
    )
    flight.full_clean(exclude=["organisation", "filed_by", "year", "number"], validate_constraints=False)
    flight.save()
    rows = DroneVolume.objects.bulk_create(
        DroneVolume(
            flight=flight,
            number=index,
            polygon=None if v.is_circle else v.area,
            circle=v.area if v.is_circle else None,
            lower_value=v.lower.value,
            lower_unit=v.lower.unit,
            lower_reference=v.lower.reference,
            upper_value=v.upper.value,
            upper_unit=v.upper.unit,
            upper_reference=v.upper.reference,
            starts_at=v.starts_at,
            ends_at=v.ends_at,
            **dict(zip(("west", "south", "east", "north"), v.bbox(), strict=True)),
        )
        for index, v in enumerate(assessment.volumes, 1)
    )
    distance = {item["party"]: item["distance_m"] for item in geography.neighbours}
    to = [
        (desk, distance[desk.party.code], desk.party.code in geography.crosses_into)
        for desk in recipients.party_desks(list(distance))
    ]
    to += [(desk, None, False) for desk in recipients.commission()]
    severities = {desk.pk: timers.flight_severity(cross) for desk, _, cross in to}
    policies = {desk.pk: engine.policy_for(severities[desk.pk], organisation, desk) for desk, _, _ in to}
    acknowledgements = DroneFlightAcknowledgement.objects.bulk_create(
        DroneFlightAcknowledgement(
            flight=flight,
            organisation=desk,
            distance_m=metres,
            cross_border=cross,
            due_at=now + policies[desk.pk].acknowledge_within,
        )
        for desk, metres, cross in to
    )
    timers.watch(timers.FLIGHT_KIND, acknowledgements, organisation, severities, policies, now)
    conflicts = _find_conflicts(flight, rows, assessment.volumes)
    record(
        "drone_flight.notified",
        actor=caller,
        target=flight,
        details={
            "flight": flight.reference,
            "volumes": len(rows),
            "late_by_s": flight.late_by_s,
            "neighbours": geography.neighbours,
            "crosses_into": geography.crosses_into,
            "boundary_version": geography.boundary_version,
            "recipients": [desk.code for desk, _, _ in to],
        },
    )
    _publish_flight("drone_flight.notified", flight)
    _warn_conflicts(caller, flight, conflicts)
    log.info(
        "drone flight notified",
        extra={"actor": label, "flight": flight.reference, "crosses_into": geography.crosses_into},
    )
    return flight


def _warn_conflicts(caller, flight: DroneFlight, conflicts: list[DroneConflict]) -> None:
    """A deconfliction warning to both operators (and the commission), recorded once per pair of volumes."""
    if not conflicts:
        return
    others = {
        conflict.second.flight_id if conflict.first.flight_id == flight.pk else conflict.first.flight_id
        for conflict in conflicts
    }
    record_many(
        [
            Entry(
                "drone_flight.conflict_found",
                actor=caller,
                target=conflict,
                details={
                    "flights": sorted({conflict.first.flight.reference, conflict.second.flight.reference}),
                    "volumes": [conflict.first.number, conflict.second.number],
                },
            )
            for conflict in DroneConflict.objects.filter(pk__in=[c.pk for c in conflicts]).select_related(
                "first__flight", "second__flight"
            )
        ]
    )
    for other in DroneFlight.objects.filter(pk__in=others):
        _publish_flight("drone_flight.conflict", other)
    _publish_flight("drone_flight.conflict", flight)


@transaction.atomic
def do_acknowledge_flight(
    caller, flight: DroneFlight, *, method: str = AckMethod.CONSOLE, recorded_by=None
) -> DroneFlightAcknowledgement:
    lock_commit_order()
    pending = DroneFlightAcknowledgement.objects.filter(
        flight=flight, organisation=caller.organisation, acknowledged_at__isnull=True
    )
    acknowledgements, label = _acknowledge(
        DroneFlightAcknowledgement, pending, caller, method=method, recorded_by=recorded_by, what=flight.reference
    )
    acknowledgement = acknowledgements[0]
    timers.stop(timers.FLIGHT_KIND, [acknowledgement.pk], by_label=label)
    record(
        "drone_flight.acknowledged",
        actor=recorded_by or caller,
        target=flight,
        details={
            "flight": flight.reference,
            "method": method,
            "cross_border": acknowledgement.cross_border,
            "late": acknowledgement.acknowledged_at > acknowledgement.due_at,
            **({"on_behalf_of": caller.username} if recorded_by else {}),
        },
    )
    _publish_flight("drone_flight.acknowledged", flight, {"organisation": caller.organisation.code})
    log.info("drone flight acknowledged", extra={"actor": label, "flight": flight.reference})
    return acknowledgement


@transaction.atomic
def do_change_flight_state(caller, flight: DroneFlight, state: str, *, deviation_report: str = "") -> DroneFlight:
    """Planned → activated (only once every party a volume enters has acknowledged) or cancelled;
    activated → completed or non-conforming (with a deviation report); non-conforming → activated or
    completed. A cancelled or completed flight pages nobody any more."""
    lock_commit_order()
    flight = DroneFlight.objects.select_for_update(of=("self",)).select_related("organisation__party").get(pk=flight.pk)
    if state not in FlightState.values:
        raise ValidationError({"state": f"The state is one of {', '.join(FlightState.values)}."})
    if state not in FLIGHT_TRANSITIONS[flight.state]:
        allowed = ", ".join(sorted(FLIGHT_TRANSITIONS[flight.state])) or "none"
        raise ValidationError(
            {"state": f"A {flight.get_state_display().lower()} flight cannot become {state} (allowed: {allowed})."}
        )
    if state == FlightState.ACTIVATED:
        waiting = sorted(
            flight.acknowledgements.filter(cross_border=True, acknowledged_at__isnull=True).values_list(
                "organisation__code", flat=True
            )
        )
        if waiting:
            raise ValidationError(
                {
                    "state": (
                        f"A volume enters another party's territory: {', '.join(waiting)} "
                        "must acknowledge before the flight is activated."
                    )
                }
            )
    if state == FlightState.NON_CONFORMING and not deviation_report.strip():
        raise ValidationError({"deviation_report": "Say how the flight deviates from what was notified."})
    before = flight.state
    flight.state = state
    if deviation_report.strip():
        flight.deviation_report = deviation_report.strip()
    flight.save(update_fields=["state", "deviation_report", "updated_at"])
    if state in (FlightState.CANCELLED, FlightState.COMPLETED):
        open_ids = flight.acknowledgements.filter(acknowledged_at__isnull=True).values_list("pk", flat=True)
        timers.cancel(timers.FLIGHT_KIND, open_ids, by_label=f"{flight.reference} {state}")
    record(
        "drone_flight.state_changed",
        actor=caller,
        target=flight,
        details={"flight": flight.reference, "from": before, "to": state},
    )
    _publish_flight("drone_flight.state_changed", flight)
    log.info(
        "drone flight state changed",
        extra={"actor": caller.username, "flight": flight.reference, "from": before, "to": state},
    )
    return flight


# --- the policy --------------------------------------------------------------------------------------


@transaction.atomic
def do_set_policy(caller, values: dict) -> NotificationPolicy:
    """Applies to what is filed from now on; what was filed keeps the policy it was judged by."""
    lock_commit_order()
    policy = NotificationPolicy.current()
    before = policy.snapshot()
    unknown = sorted(set(values) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a field of the notification policy."))
    for field, value in values.items():
        setattr(policy, field, value)
    policy.updated_at, policy.updated_by_label = timezone.now(), caller.username
    policy.full_clean()
    policy.save()
    changed = {
        field: [before[field], getattr(policy, field)]
        for field in POLICY_FIELDS
        if before[field] != getattr(policy, field)
    }
    record("notification_policy.changed", actor=caller, details={"changed": changed})
    log.info("notification policy changed", extra={"actor": caller.username, "changed": sorted(changed)})
    return policy


def do_revoke_calendar_feed(actor, party: Party) -> CalendarFeed:
    """Every feed URL of `party` given out so far stops working; the calendar page shows the new one.
    Recorded (`calendar_feed.revoked`) without the token: it is a credential."""
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.select_for_update().get_or_create(party=party)
        feed.generation += 1
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["generation", "revoked_at"])
        record(
            "calendar_feed.revoked",
            actor=actor,
            target=party,
            details={"party": party.code, "generation": feed.generation},
        )
    log.info("calendar feed revoked", extra={"party": party.code, "generation": feed.generation})
    return feed
