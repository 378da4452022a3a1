"""The JSON shapes of notifications, shared by the API, the event outbox and the console's live map,
so that a client sees the same object whichever way it arrives."""

from django.db.models import Prefetch, Q

from accounts.models import Organisation
from hotline.formats import iso_time
from incidents.notifications.choices import VersionKind
from incidents.notifications.models import (
    DroneConflict,
    DroneFlight,
    DroneFlightAcknowledgement,
    DroneVolume,
    ExerciseAcknowledgement,
    ExerciseNotification,
    ExerciseVersion,
    ObservationReply,
)
from incidents.notifications.rules import late_text
from incidents.notifications.visibility import OrganisationReader, visible_flights

# What a version says, in the order forms and comparisons show it.
EXERCISE_FIELDS = [
    "designation", "exercise_type", "purpose", "starts_at", "ends_at", "area", "place_names", "command_level",
    "troops", "airborne_or_amphibious_troops", "battle_tanks", "armoured_combat_vehicles", "artillery",
    "combat_aircraft_sorties", "helicopters", "uncrewed_aircraft", "uncrewed_types", "uncrewed_armed", "live_fire",
    "foreign_forces",
]  # fmt: skip


def _value(value):
    return iso_time(value) if hasattr(value, "isoformat") else value


def acknowledgement_payload(acknowledgement) -> dict:
    return {
        "organisation": acknowledgement.organisation.code,
        "due_at": iso_time(acknowledgement.due_at),
        "acknowledged_at": iso_time(acknowledgement.acknowledged_at),
        "acknowledged_by": acknowledgement.acknowledged_by_label or None,
        "method": acknowledgement.method or None,
    }


def differences(previous: ExerciseVersion | None, version: ExerciseVersion) -> list[dict]:
    """[{field, label, before, after}] of what `version` changed of `previous`."""
    if previous is None or version.kind == VersionKind.CANCELLATION:
        return []
    changed = []
    for field in EXERCISE_FIELDS:
        before, after = getattr(previous, field), getattr(version, field)
        if before != after:
            label = ExerciseVersion._meta.get_field(field).verbose_name
            changed.append({"field": field, "label": label, "before": _value(before), "after": _value(after)})
    return changed


def version_payload(version: ExerciseVersion, previous: ExerciseVersion | None = None) -> dict:
    return {
        "number": version.number,
        "kind": version.kind,
        "reason": version.reason,
        "filed_at": iso_time(version.filed_at),
        "filed_by": version.filed_by_label,
        **{field: _value(getattr(version, field)) for field in EXERCISE_FIELDS},
        "notifiable": bool(version.notifiable_reasons),
        "notifiable_reasons": version.notifiable_reasons,
        "late_by": version.late_by_s,
        "late_by_text": late_text(version.late_by_s, "day"),
        "near_borders": version.near_borders,
        "boundary_version": version.boundary_version,
        "changes": differences(previous, version),
        "acknowledgements": [acknowledgement_payload(a) for a in version.acknowledgements.all()],
    }


def with_exercise_details(queryset):
    """Everything exercise_payload() reads, in a fixed number of queries."""
    return queryset.select_related("organisation__party", "latest").prefetch_related(
        Prefetch(
            "versions",
            queryset=ExerciseVersion.objects.prefetch_related(
                Prefetch("acknowledgements", queryset=ExerciseAcknowledgement.objects.select_related("organisation"))
            ),
        ),
        Prefetch("invitations__replies", queryset=ObservationReply.objects.select_related("organisation")),
    )


def invitation_payload(invitation) -> dict:
    return {
        "id": invitation.pk,
        "starts_at": iso_time(invitation.starts_at),
        "ends_at": iso_time(invitation.ends_at),
        "reporting_point": invitation.reporting_point,
        "observers_per_party": invitation.observers_per_party,
        "reply_by": iso_time(invitation.reply_by),
        "details": invitation.details,
        "replies": [
            {
                "organisation": reply.organisation.code,
                "answer": reply.answer,
                "observers": reply.observers,
                "replied_at": iso_time(reply.replied_at),
            }
            for reply in invitation.replies.all()
        ],
    }


def exercise_payload(notification: ExerciseNotification) -> dict:
    """The notification as its latest version says it, with every version (and what each changed)."""
    versions = sorted(notification.versions.all(), key=lambda version: version.number)
    history = [
        version_payload(version, versions[index - 1] if index else None) for index, version in enumerate(versions)
    ]
    latest = history[-1]
    return {
        "id": notification.pk,
        "reference": notification.reference,
        "organisation": notification.organisation.code,
        "party": notification.organisation.party.code,
        "state": "cancelled" if notification.cancelled else "notified",
        "version": latest["number"],
        **{key: value for key, value in latest.items() if key not in ("number", "kind", "reason", "changes")},
        "recipients": [a["organisation"] for a in latest["acknowledgements"]],
        "versions": [
            {
                key: version[key]
                for key in (
                    "number",
                    "kind",
                    "reason",
                    "filed_at",
                    "filed_by",
                    "late_by",
                    "notifiable",
                    "changes",
                    "acknowledgements",
                )
            }
            for version in history
        ],
        "invitations": [invitation_payload(invitation) for invitation in notification.invitations.all()],
        "created_at": iso_time(notification.created_at),
        "updated_at": iso_time(notification.updated_at),
    }


def volume_payload(volume: DroneVolume) -> dict:
    return {
        "number": volume.number,
        "polygon": volume.polygon,
        "circle": volume.circle,
        "altitude_lower": {"value": volume.lower_value, "unit": volume.lower_unit, "reference": volume.lower_reference},
        "altitude_upper": {"value": volume.upper_value, "unit": volume.upper_unit, "reference": volume.upper_reference},
        "start": iso_time(volume.starts_at),
        "end": iso_time(volume.ends_at),
    }


def with_flight_details(queryset):
    return queryset.select_related("organisation__party").prefetch_related(
        "volumes",
        Prefetch("acknowledgements", queryset=DroneFlightAcknowledgement.objects.select_related("organisation")),
    )


def conflicts_of(flights: list[DroneFlight], seen_by: Organisation | None) -> dict[int, list[dict]]:
    """Per flight id: [{flight, operator, state, volume, with_volume, found_at}] of the conflicts it is in,
    as `seen_by` may know them: the operator of a flight hears of every conflict of its own flight (it
    must be warned); anyone else only of those with flights it sees itself. None: all of them (for
    the outbox, which splits its audiences by the same rule)."""
    ids = [flight.pk for flight in flights]
    found: dict[int, list[dict]] = {pk: [] for pk in ids}
    rows = list(
        DroneConflict.objects.filter(Q(first__flight_id__in=ids) | Q(second__flight_id__in=ids)).select_related(
            "first__flight__organisation", "second__flight__organisation"
        )
    )
    visible = None
    if seen_by is not None and rows:
        others = {volume.flight_id for conflict in rows for volume in (conflict.first, conflict.second)}
        visible = set(visible_flights(OrganisationReader(seen_by)).filter(pk__in=others).values_list("pk", flat=True))
    for conflict in rows:
        for own, other in ((conflict.first, conflict.second), (conflict.second, conflict.first)):
            if own.flight_id not in found:
                continue
            if (
                visible is not None
                and other.flight_id not in visible
                and own.flight.organisation.party_id != seen_by.party_id
            ):
                continue
            found[own.flight_id].append(
                {
                    "flight": other.flight.reference,
                    "operator": other.flight.organisation.code,
                    "state": other.flight.state,
                    "volume": own.number,
                    "with_volume": other.number,
                    "found_at": iso_time(conflict.found_at),
                }
            )
    return found


def flight_payload(flight: DroneFlight, conflicts: list[dict]) -> dict:
    """`conflicts`: conflicts_of() as the reader may know them."""
    acknowledgements = list(flight.acknowledgements.all())
    return {
        "id": flight.pk,
        "reference": flight.reference,
        "organisation": flight.organisation.code,
        "party": flight.organisation.party.code,
        "state": flight.state,
        "aircraft": {
            "type": flight.aircraft_type,
            "category": flight.aircraft_category,
            "armed": flight.armed,
            "mtom_kg": float(flight.mtom_kg),
            "remote_id": flight.remote_id,
        },
        "purpose": flight.purpose,
        "deviation_report": flight.deviation_report,
        "start": iso_time(flight.starts_at),
        "end": iso_time(flight.ends_at),
        "volumes": [volume_payload(volume) for volume in flight.volumes.all()],
        "filed_at": iso_time(flight.filed_at),
        "filed_by": flight.filed_by_label,
        "late_by": flight.late_by_s,
        "late_by_text": late_text(flight.late_by_s, "hour"),
        "neighbours_within_buffer": flight.neighbours,
        "crosses_into": flight.crosses_into,
        "conflicts_with": conflicts,
        "boundary_version": flight.boundary_version,
        "buffer_m": flight.policy.get("drone_buffer_m"),
        "recipients": [a.organisation.code for a in acknowledgements],
        "acknowledgements": [
            {**acknowledgement_payload(a), "distance_m": a.distance_m, "cross_border": a.cross_border}
            for a in acknowledgements
        ],
        "awaiting_cross_border": sorted(
            a.organisation.code for a in acknowledgements if a.cross_border and a.is_pending
        ),
        "updated_at": iso_time(flight.updated_at),
    }
