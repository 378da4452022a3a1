"""The JSON shapes of incidents and messages, shared by the API, the event outbox and the console's
live updates, so that a client sees the same object whichever way it arrives. `content=False` gives the
metadata only (for the commission, on AMBER+STRICT and RED incidents)."""

from hotline.formats import iso_time
from incidents.models import Acknowledgement, Incident, Message


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
        "occurred_at": iso_time(incident.occurred_at),
        "created_at": iso_time(incident.created_at),
        "updated_at": iso_time(incident.updated_at),
        "content_withheld": not content,
        "title": incident.title if content else None,
        "summary": incident.summary if content else None,
        "location": incident.location if content else None,
    }


def acknowledgement_payload(acknowledgement: Acknowledgement) -> dict:
    return {
        "organisation": acknowledgement.organisation.code,
        "due_at": iso_time(acknowledgement.due_at),
        "acknowledged_at": iso_time(acknowledgement.acknowledged_at),
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
        "reply_by": iso_time(message.reply_by),
        "created_at": iso_time(message.created_at),
        "acknowledgements": [acknowledgement_payload(ack) for ack in message.acknowledgements.all()],
    }
