"""Incidents as subjects of the escalation engine.

Each pending acknowledgement (one message, one recipient organisation) runs an acknowledgement clock;
a request for assistance also runs a reply clock, stopped when that organisation posts in the thread.
The engine knows them only as ("incidents.acknowledgement", acknowledgement id).
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hotline.escalation import engine
from hotline.escalation.choices import Clock, TimerState
from hotline.escalation.subjects import SubjectType, Summary
from incidents.models import Acknowledgement, Incident, Message

SUBJECT_KIND = "incidents.acknowledgement"


def deadline_policy(incident: Incident, sender, recipient):
    return engine.policy_for(incident.severity, sender, recipient)


def watch(incident: Incident, message: Message, acknowledgements: list[Acknowledgement], policies: dict) -> None:
    """Start the clocks of a message's pending acknowledgements (in the posting transaction)."""
    watches = []
    for acknowledgement in acknowledgements:
        policy = policies[acknowledgement.organisation_id]
        common = dict(
            subject_kind=SUBJECT_KIND,
            subject_id=acknowledgement.pk,
            recipient=acknowledgement.organisation,
            sender=message.organisation,
            severity=incident.severity,
            started_at=message.created_at,
            exercise=incident.exercise,
        )
        watches.append(engine.Watch(**common, policy=policy))
        if message.reply_by is not None:
            reminders = policy.reply_reminders(int((message.reply_by - message.created_at).total_seconds()))
            watches.append(engine.Watch(**common, policy=reminders, clock=Clock.REPLY, deadline=message.reply_by))
    engine.start_timers(watches)


def stop_acknowledged(acknowledgements: list[Acknowledgement], by_label: str) -> None:
    engine.stop_timers(SUBJECT_KIND, [a.pk for a in acknowledgements], by_label=by_label, clock=Clock.ACKNOWLEDGEMENT)


def stop_reply_clocks(incident: Incident, organisation, by_label: str) -> None:
    """The organisation replied in the thread: its requests for assistance have their reply."""
    waiting = Acknowledgement.objects.filter(
        message__incident=incident, organisation=organisation, message__reply_by__isnull=False
    )
    engine.stop_timers(SUBJECT_KIND, waiting.values_list("pk", flat=True), by_label=by_label, clock=Clock.REPLY)


def cancel_all(incident: Incident, by_label: str) -> None:
    """A resolved or closed incident pages nobody any more."""
    everything = Acknowledgement.objects.filter(message__incident=incident)
    engine.stop_timers(
        SUBJECT_KIND, everything.values_list("pk", flat=True), by_label=by_label, state=TimerState.CANCELLED
    )


class AcknowledgementSubject(SubjectType):
    kind = SUBJECT_KIND

    def summarise(self, subject_ids):
        found = {}
        for acknowledgement in Acknowledgement.objects.filter(pk__in=subject_ids).select_related("message__incident"):
            message, incident = acknowledgement.message, acknowledgement.message.incident
            found[acknowledgement.pk] = Summary(
                reference=f"{incident.reference} #{message.number}",
                title=incident.title,
                tlp=incident.tlp,
                path=reverse("incidents:detail", args=[incident.reference]) + f"#message-{message.number}",
                what=message.get_kind_display().lower(),
            )
        return found

    def acknowledge(self, subject_id, person, method, recorded_by=None) -> bool:
        from incidents.actions import NotAwaited, do_acknowledge

        acknowledgement = Acknowledgement.objects.select_related("message__incident").get(pk=subject_id)
        if person.organisation_id != acknowledgement.organisation_id:
            raise PermissionDenied(f"Only {acknowledgement.organisation.code} acknowledges this message.")
        try:
            do_acknowledge(
                person,
                acknowledgement.message.incident,
                message_number=acknowledgement.message.number,
                method=method,
                recorded_by=recorded_by,
            )
        except NotAwaited:
            return False
        return True

    def may_see(self, caller, subject_id) -> bool:
        from incidents.visibility import visible_incidents

        acknowledgement = Acknowledgement.objects.filter(pk=subject_id).values("message__incident_id").first()
        return (
            acknowledgement is not None
            and visible_incidents(caller).filter(pk=acknowledgement["message__incident_id"]).exists()
        )
