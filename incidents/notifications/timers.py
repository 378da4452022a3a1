"""The clocks notifications start and stop in the escalation engine (called by notifications' actions):
every recipient acknowledges each exercise version and each drone flight, and the engine pages it
until it does. What the engine calls back is notifications/subjects.py; this module imports only the
engine.

How urgent: an exercise notification is routine (LOW: the commission's LOW policy); a drone flight is
MEDIUM, and HIGH for a party a volume enters, whose acknowledgement the flight waits for before activation.
"""

from hotline.escalation import engine
from hotline.escalation.choices import Severity, TimerState

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
