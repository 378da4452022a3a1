"""The JSON shapes of incidents and messages, shared by the API, the event outbox and the console's
live updates, so that a client sees the same object whichever way it arrives. `content=False` gives the
metadata only (for the commission, on AMBER+STRICT and RED incidents).

The console's pages get the same dictionaries (`console_…`), never the models: a template cannot show
what a payload withholds. They add what a page prints and JSON does not need: the labels of the
enumerations, and the times as datetimes, which the templates show in the reader's time zone.
"""

import json

from hotline.formats import iso_time
from incidents.models import Acknowledgement, Attachment, Incident, Message


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


# --- for the console's templates -------------------------------------------------------------------


def console_incident(incident: Incident, *, content: bool) -> dict:
    payload = incident_payload(incident, content=content)
    return {
        **payload,
        "occurred_at": incident.occurred_at,
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
        "category_label": incident.get_category_display(),
        "severity_label": incident.get_severity_display(),
        "status_label": incident.get_status_display(),
        "reported_by": incident.reported_by_label,
        "location_text": json.dumps(payload["location"]) if payload["location"] else None,
    }


def console_acknowledgement(acknowledgement: Acknowledgement) -> dict:
    given = acknowledgement.acknowledged_at
    return {
        **acknowledgement_payload(acknowledgement),
        "due_at": acknowledgement.due_at,
        "acknowledged_at": given,
        "pending": given is None,
        "late": given is not None and given > acknowledgement.due_at,
        "method_label": acknowledgement.get_method_display(),
    }


def console_message(message: Message, *, content: bool) -> dict:
    return {
        **message_payload(message, content=content),
        "content_withheld": not content,
        "kind_label": message.get_kind_display(),
        "reply_by": message.reply_by,
        "created_at": message.created_at,
        "acknowledgements": [console_acknowledgement(ack) for ack in message.acknowledgements.all()],
    }


def console_attachment(attachment: Attachment) -> dict:
    """Only for those who see the incident's content (the views list no attachments to anyone else)."""
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": attachment.uploaded_by_label,
        "uploaded_at": attachment.uploaded_at,
    }
