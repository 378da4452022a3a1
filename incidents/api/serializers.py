"""What the incidents API takes in, and the documented shapes of what it gives out.

The answers themselves are built by incidents/payloads.py (the shapes the event outbox and the console
share), so that an incident reads the same from the API, the event feed and a live push; the output
serializers here declare those shapes for the OpenAPI schema and render model rows through the payload
functions (`to_representation`), never field by field.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.api import ApiErrorSerializer  # noqa: F401  (every app's errors have one shape)
from hotline.formats import OFFSET_REQUIRED, is_naive_time
from incidents.choices import POSTABLE_KINDS, AckMethod, Category, MessageKind, Severity, Status, Tlp
from incidents.geojson import validate_location
from incidents.models import Attachment
from incidents.payloads import incident_payload, message_payload

# A clock a few minutes fast on the reporter's side is no reason to refuse a report.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_RECIPIENTS = 50  # more names than there are organisations is a client's mistake
MAX_NUMBER = 2**31 - 1


# --- what comes in -----------------------------------------------------------------------------------


def _location(value):
    """A GeoJSON Point or Polygon, kept as its type and coordinates only (no foreign members)."""
    if value is None:
        return None
    try:
        validate_location(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None
    return {"type": value["type"], "coordinates": value["coordinates"]}


class OffsetDateTimeField(serializers.DateTimeField):
    """A time with its offset (Z or ±hh:mm): DRF would read a naive one as server (Belgrade) time."""

    default_error_messages = {"naive": OFFSET_REQUIRED}

    def to_internal_value(self, value):
        if is_naive_time(value):
            self.fail("naive")
        return super().to_internal_value(value)


class GeoJsonLocationField(serializers.JSONField):
    def to_internal_value(self, data):
        return _location(super().to_internal_value(data))


class IncidentReportSerializer(serializers.Serializer):
    """POST /api/v1/incidents/: report an incident to organisations or whole parties."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=20_000)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    tlp = serializers.ChoiceField(
        choices=Tlp.choices, help_text="The TLP 2.0 label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED."
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=MAX_RECIPIENTS,
        help_text="Organisation codes (HR-CERT) or party codes (HR: every organisation of the party).",
    )
    occurred_at = OffsetDateTimeField(
        help_text="When it happened, with its offset (RFC 3339); at most five minutes in the future."
    )
    exercise = serializers.BooleanField(default=False, help_text="A drill: marked EXERCISE wherever it is shown.")
    location = GeoJsonLocationField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A GeoJSON Point or Polygon (WGS84 longitude, latitude).",
    )

    def validate_occurred_at(self, value):
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError("The time of occurrence lies in the future.")
        return value


class MessagePostSerializer(serializers.Serializer):
    """POST /api/v1/incidents/{id}/messages/: add to the thread."""

    body = serializers.CharField(max_length=20_000)
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in POSTABLE_KINDS], default=MessageKind.NOTE
    )
    requires_ack = serializers.BooleanField(
        default=False,
        help_text="Every other taking-part organisation must acknowledge it (always, for a request for assistance).",
    )
    reply_by = OffsetDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only for a request for assistance: when a substantive reply is due (default 48 hours).",
    )


class AcknowledgeSerializer(serializers.Serializer):
    """POST /api/v1/incidents/{id}/acknowledge/: one message, or (empty body) every message waiting."""

    message = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_NUMBER,
        help_text="The number of the message in the thread; leave out to acknowledge all that wait on you.",
    )


class IncidentChangeSerializer(serializers.Serializer):
    """PATCH /api/v1/incidents/{id}/: the originator changes these (a commission administrator the status only)."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    tlp = serializers.ChoiceField(choices=Tlp.choices, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give a status, a TLP, or both.")
        return attrs


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent in the multipart body (documented as binary, not as the URL a FileField reads as)."""


class AttachmentUploadSerializer(serializers.Serializer):
    """POST /api/v1/incidents/{id}/attachments/ (multipart)."""

    file = UploadField(allow_empty_file=True, help_text="Size and type limits are set by the operator (default 25 MB).")
    message = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_NUMBER,
        help_text="The number of the message in the thread the file belongs to.",
    )


# --- what goes out -----------------------------------------------------------------------------------


class AcknowledgementOutSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    due_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(allow_null=True)
    method = serializers.ChoiceField(choices=AckMethod.choices, allow_null=True)

    class Meta:
        ref_name = "Acknowledgement"


class MessageSerializer(serializers.Serializer):
    """One entry of a thread (incidents.payloads.message_payload); `body` is null where the caller sees
    only the incident's metadata."""

    incident = serializers.CharField(help_text="The incident's reference, e.g. HL-2026-00042.")
    incident_id = serializers.IntegerField()
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    organisation = serializers.CharField()
    author = serializers.CharField()
    body = serializers.CharField(allow_null=True)
    requires_ack = serializers.BooleanField()
    reply_by = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    acknowledgements = AcknowledgementOutSerializer(many=True)

    def to_representation(self, message):
        return message_payload(message, content=self.context.get("content", True))


class IncidentSerializer(serializers.Serializer):
    """An incident (incidents.payloads.incident_payload). Where the caller sees only the metadata
    (the commission, on AMBER+STRICT and RED), `content_withheld` is true and title, summary and
    location are null."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    exercise = serializers.BooleanField(help_text="A drill: show it as EXERCISE, never as a real event.")
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    tlp = serializers.ChoiceField(choices=Tlp.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    originator = serializers.CharField()
    recipients = serializers.ListField(child=serializers.CharField())
    occurred_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    content_withheld = serializers.BooleanField()
    title = serializers.CharField(allow_null=True)
    summary = serializers.CharField(allow_null=True)
    location = serializers.JSONField(allow_null=True)

    def to_representation(self, incident):
        return incident_payload(incident, content=incident.content_visible)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    organisation = serializers.CharField()
    uploaded_by = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    message = serializers.IntegerField(allow_null=True, help_text="The number of the message it belongs to.")
    download_url = serializers.CharField()

    def to_representation(self, attachment):
        return attachment_payload(attachment)


def attachment_payload(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "organisation": attachment.organisation.code,
        "uploaded_by": attachment.uploaded_by_label,
        "uploaded_at": attachment.uploaded_at.isoformat(),
        "message": attachment.message.number if attachment.message_id else None,
        "download_url": reverse("api:incident-attachment", args=[attachment.incident_id, attachment.pk]),
    }


class IncidentDetailSerializer(IncidentSerializer):
    """An incident with its thread and its attachments (null where the content is withheld)."""

    messages = MessageSerializer(many=True)
    attachments = AttachmentSerializer(many=True, allow_null=True)

    def to_representation(self, incident):
        content = incident.content_visible
        messages = incident.messages.select_related("incident", "organisation").prefetch_related(
            "acknowledgements__organisation"
        )
        attachments = incident.attachments.select_related("organisation", "message") if content else None
        return {
            **incident_payload(incident, content=content),
            "messages": [message_payload(message, content=content) for message in messages],
            "attachments": [attachment_payload(attachment) for attachment in attachments] if content else None,
        }


class AcknowledgedSerializer(serializers.Serializer):
    acknowledged = MessageSerializer(many=True, help_text="The messages acknowledged now; empty when nothing waited.")


class EventSerializer(serializers.Serializer):
    """One event of the feed, as the console's WebSocket receives it. Incident events carry `incident`,
    and message and acknowledgement events also `message` (and `acknowledgement`); other kinds of event
    may carry other fields."""

    id = serializers.IntegerField()
    type = serializers.CharField(help_text="incident.created, incident.updated, message.created, ack.recorded, …")
    created_at = serializers.DateTimeField()
    exercise = serializers.BooleanField(required=False)
    incident = IncidentSerializer(required=False)
    message = MessageSerializer(required=False)
    acknowledgement = AcknowledgementOutSerializer(required=False)


class EventFeedSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    last_id = serializers.IntegerField(help_text="Send it back as `after` for the next page.")
    has_more = serializers.BooleanField(help_text="More events wait: ask again at once.")
