"""Notifications' pending acknowledgements as the escalation engine sees them: how a page names an
exercise version or a drone flight, how an acknowledgement given through a page's link or by phone is
recorded (by the notifications' own actions), and who may see its timeline. Registered from
NotificationsConfig.ready; the clocks themselves are started and stopped by notifications/timers.py.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hotline.escalation.subjects import SubjectType, Summary, excerpt
from incidents.notifications.actions import NotAwaited, do_acknowledge_exercise, do_acknowledge_flight
from incidents.notifications.models import DroneFlightAcknowledgement, ExerciseAcknowledgement
from incidents.notifications.timers import EXERCISE_KIND, FLIGHT_KIND
from incidents.notifications.visibility import visible_exercises, visible_flights


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
                path=reverse("notifications:exercise", args=[version.notification.reference])
                + f"#version-{version.number}",
                what=f"exercise {version.get_kind_display().lower()}",
                category="Military exercise",
                excerpt=excerpt(version.purpose),
            )
        return found

    def acknowledge(self, subject_id, person, method, recorded_by=None) -> bool:
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
                path=reverse("notifications:flight", args=[flight.reference]),
                what="cross-border drone flight" if acknowledgement.cross_border else "drone flight",
                category="Drone flight",
            )
        return found

    def acknowledge(self, subject_id, person, method, recorded_by=None) -> bool:
        acknowledgement = DroneFlightAcknowledgement.objects.select_related("flight", "organisation").get(pk=subject_id)
        if getattr(person, "organisation_id", None) != acknowledgement.organisation_id:
            raise PermissionDenied(f"Only {acknowledgement.organisation.code} acknowledges this flight.")
        try:
            do_acknowledge_flight(person, acknowledgement.flight, method=method, recorded_by=recorded_by)
        except NotAwaited:
            return False
        return True

    def may_see(self, caller, subject_id) -> bool:
        row = DroneFlightAcknowledgement.objects.filter(pk=subject_id).values("flight_id").first()
        return row is not None and visible_flights(caller).filter(pk=row["flight_id"]).exists()
