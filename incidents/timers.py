"""The clocks incidents start and stop in the escalation engine (called by incidents/actions.py).

Each pending acknowledgement (one message, one recipient organisation) runs an acknowledgement clock;
a request for assistance also runs a reply clock, stopped when that organisation posts in the thread.
The engine knows them only as ("incidents.acknowledgement", acknowledgement id); what it calls back
when it pages for them is incidents/subjects.py. This module imports only the engine and our models.
"""

from hotline.escalation import engine
from hotline.escalation.choices import Clock, TimerState
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
