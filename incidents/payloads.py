"""The JSON shapes of incidents and messages, shared by the API, the event outbox and the console's
live updates, so that a client sees the same object whichever way it arrives. `content=False` gives the
metadata only (for the commission, on AMBER+STRICT and RED incidents)."""

from incidents.models import Acknowledgement, Incident, Message


def _time(value):
    return value.isoformat() if value is not None else None


def incident_payload(incident: Incident, *, content: bool) -> dict:
    recipients = sorted(organisation.code for organisation in incident.recipients.all())
    return {
        "id": incident.pk,
        "reference": incident.reference,
        "exercise": incident.exercise,
        "category": incident.category,
        "severity": incident.severity,
        "tlp": incident.tlp,
        "status": incident.status,
        "originator": incident.originator.code,
        "recipients": recipients,
        "occurred_at": _time(incident.occurred_at),
        "created_at": _time(incident.created_at),
        "updated_at": _time(incident.updated_at),
        "content_withheld": not content,
        "title": incident.title if content else None,
        "summary": incident.summary if content else None,
        "location": incident.location if content else None,
    }


def acknowledgement_payload(acknowledgement: Acknowledgement) -> dict:
    return {
        "organisation": acknowledgement.organisation.code,
        "due_at": _time(acknowledgement.due_at),
        "acknowledged_at": _time(acknowledgement.acknowledged_at),
        "acknowledged_by": acknowledgement.acknowledged_by_label or None,
        "method": acknowledgement.method or None,
    }


def message_payload(message: Message, *, content: bool) -> dict:
    return {
        "incident": message.incident.reference,
        "incident_id": message.incident_id,
        "number": message.number,
        "kind": message.kind,
        "organisation": message.organisation.code,
        "author": message.author_label,
        "body": message.body if content else None,
        "requires_ack": message.requires_ack,
        "reply_by": _time(message.reply_by),
        "created_at": _time(message.created_at),
        "acknowledgements": [acknowledgement_payload(ack) for ack in message.acknowledgements.all()],
    }
