"""Notifications as subjects of the escalation engine: every recipient acknowledges each exercise
version and each drone flight, and the engine pages it until it does.

How urgent: an exercise notice is routine (LOW: the commission's LOW policy); a drone flight is MEDIUM,
and HIGH for a party a volume enters, whose acknowledgement the flight waits for before activation.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hotline.escalation import engine
from hotline.escalation.choices import Severity, TimerState
from hotline.escalation.subjects import SubjectType, Summary
from incidents.notices.models import DroneFlightAcknowledgement, ExerciseAcknowledgement

EXERCISE_KIND = "incidents.exercise_acknowledgement"
FLIGHT_KIND = "incidents.drone_flight_acknowledgement"
EXERCISE_SEVERITY = Severity.LOW
FLIGHT_SEVERITY = Severity.MEDIUM
CROSS_BORDER_SEVERITY = Severity.HIGH


def flight_severity(cross_border: bool) -> str:
    return CROSS_BORDER_SEVERITY if cross_border else FLIGHT_SEVERITY


def watch(kind: str, acknowledgements, sender, severities: dict[int, str], policies: dict, started_at) -> None:
    """Start one acknowledgement clock per pending acknowledgement (in the filing transaction)."""
    engine.start_timers(
        [
            engine.Watch(
                subject_kind=kind,
                subject_id=acknowledgement.pk,
                recipient=acknowledgement.organisation,
                sender=sender,
                severity=severities[acknowledgement.organisation_id],
                policy=policies[acknowledgement.organisation_id],
                started_at=started_at,
            )
            for acknowledgement in acknowledgements
        ]
    )


def stop(kind: str, acknowledgement_ids, by_label: str) -> None:
    engine.stop_timers(kind, list(acknowledgement_ids), by_label=by_label)


def cancel(kind: str, acknowledgement_ids, by_label: str) -> None:
    """What no longer needs an acknowledgement (superseded, cancelled, completed) pages nobody."""
    engine.stop_timers(kind, list(acknowledgement_ids), by_label=by_label, state=TimerState.CANCELLED)


class ExerciseAcknowledgementSubject(SubjectType):
    kind = EXERCISE_KIND

    def summarise(self, subject_ids):
        found = {}
        for acknowledgement in ExerciseAcknowledgement.objects.filter(pk__in=subject_ids).select_related(
            "version__notification"
        ):
            version = acknowledgement.version
            found[acknowledgement.pk] = Summary(
                reference=f"{version.notification.reference} v{version.number}",
                title=version.designation,
                tlp="GREEN",
                path=reverse("notices:exercise", args=[version.notification.reference]) + f"#version-{version.number}",
                what=f"exercise {version.get_kind_display().lower()}",
            )
        return found

    def acknowledge(self, subject_id, person, method, recorded_by=None) -> bool:
        from incidents.notices.actions import NotAwaited, do_acknowledge_exercise

        acknowledgement = ExerciseAcknowledgement.objects.select_related("version__notification", "organisation").get(
            pk=subject_id
        )
        if getattr(person, "organisation_id", None) != acknowledgement.organisation_id:
            raise PermissionDenied(f"Only {acknowledgement.organisation.code} acknowledges this notification.")
        try:
            do_acknowledge_exercise(
                person,
                acknowledgement.version.notification,
                version_number=acknowledgement.version.number,
                method=method,
                recorded_by=recorded_by,
            )
        except NotAwaited:
            return False
        return True

    def may_see(self, caller, subject_id) -> bool:
        from incidents.notices.visibility import visible_exercises

        row = ExerciseAcknowledgement.objects.filter(pk=subject_id).values("version__notification_id").first()
        return row is not None and visible_exercises(caller).filter(pk=row["version__notification_id"]).exists()


class FlightAcknowledgementSubject(SubjectType):
    kind = FLIGHT_KIND

    def summarise(self, subject_ids):
        found = {}
        for acknowledgement in DroneFlightAcknowledgement.objects.filter(pk__in=subject_ids).select_related("flight"):
            flight = acknowledgement.flight
            found[acknowledgement.pk] = Summary(
                reference=flight.reference,
                title=f"{flight.aircraft_type}: {flight.purpose}",
                # Where and when a military drone flies is not for e-mail or SMS bodies.
                tlp="AMBER",
                path=reverse("notices:flight", args=[flight.reference]),
                what="cross-border drone flight" if acknowledgement.cross_border else "drone flight",
            )
        return found

    def acknowledge(self, subject_id, person, method, recorded_by=None) -> bool:
        from incidents.notices.actions import NotAwaited, do_acknowledge_flight

        acknowledgement = DroneFlightAcknowledgement.objects.select_related("flight", "organisation").get(pk=subject_id)
        if getattr(person, "organisation_id", None) != acknowledgement.organisation_id:
            raise PermissionDenied(f"Only {acknowledgement.organisation.code} acknowledges this flight.")
        try:
            do_acknowledge_flight(person, acknowledgement.flight, method=method, recorded_by=recorded_by)
        except NotAwaited:
            return False
        return True

    def may_see(self, caller, subject_id) -> bool:
        from incidents.notices.visibility import visible_flights

        row = DroneFlightAcknowledgement.objects.filter(pk=subject_id).values("flight_id").first()
        return row is not None and visible_flights(caller).filter(pk=row["flight_id"]).exists()
