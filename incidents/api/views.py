"""The incidents API: incidents, threads, acknowledgements, attachments and the event feed.

Thin views (STYLE.md): the endpoints that write are `hotline.api.ActionView`s declaring how they find
the incident (incidents.visibility: 404 for what the caller may not know of), who may act
(incidents.access: 403, recorded), their input and the one action they call.
What they answer is built by incidents/payloads.py, the shapes the event feed and the console share.
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import is_person
from accounts.api.permissions import HasRequiredScope
from accounts.choices import ApiScope
from hotline.api import IDEMPOTENCY_PARAMETER, ActionView, IdCursorPagination, documented_errors
from hotline.db import LARGEST_ID
from hotline.escalation.api.serializers import TimerEntrySerializer
from hotline.escalation.timeline import timeline
from hotline.json_input import JsonParser
from hotline.query import WholeNumber
from hotline.realtime.outbox import FEED_PAGE, events_after, last_event_id
from incidents import timers
from incidents.access import may_act, may_change, may_take_part, require, require_tlp_change
from incidents.actions import (
    NotAwaited,
    do_acknowledge,
    do_add_attachment,
    do_change_incident,
    do_post_message,
    do_report_incident,
    note_attachment_download,
    note_read,
    resolve_recipients,
)
from incidents.api.serializers import (
    AcknowledgedSerializer,
    AcknowledgeSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    EventFeedSerializer,
    IncidentChangeSerializer,
    IncidentDetailSerializer,
    IncidentReportSerializer,
    IncidentSerializer,
    MessagePostSerializer,
    MessageSerializer,
    attachment_payload,
)
from incidents.choices import AckMethod
from incidents.filtersets import IncidentFilterSet
from incidents.models import Acknowledgement, Message
from incidents.payloads import message_payload
from incidents.visibility import access_incident, visible_incidents

# --- shared pieces -----------------------------------------------------------------------------------


class NotAwaitingAcknowledgement(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_awaiting_acknowledgement"
    default_detail = "The message does not wait for your organisation's acknowledgement."


def _detail(caller, pk: int) -> dict:
    """The incident as the caller sees it now, with its thread (after a change that may have changed
    how much the caller sees, e.g. raising the TLP)."""
    return IncidentDetailSerializer(visible_incidents(caller).get(pk=pk)).data


INCIDENT_ERRORS = {
    404: "No such incident, or not one the caller may know of (`not_found`).",
    409: "The message does not wait for the caller's acknowledgement (`not_awaiting_acknowledgement`).",
}


def _errors(*statuses: int) -> dict:
    return documented_errors(INCIDENT_ERRORS, *statuses)


INCIDENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The incident's id.")
WRITE_ERRORS = _errors(400, 401, 403, 404, 422)
READ_ERRORS = _errors(401, 403, 404)


class IncidentsApiView(APIView):
    # Reading needs `incidents:read`, writing `incidents:write` (for an API key; people by their role).
    permission_classes = [IsAuthenticated, HasRequiredScope]
    parser_classes = [JsonParser]

    @property
    def required_scope(self) -> str:
        return ApiScope.INCIDENTS_READ if self.request.method in SAFE_METHODS else ApiScope.INCIDENTS_WRITE


class IncidentAction(ActionView):
    """An endpoint that calls one incidents action on the incident of the URL (`pk`)."""

    find = staticmethod(access_incident)
    conflicts = {NotAwaited: NotAwaitingAcknowledgement}


# --- incidents ---------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="List the incidents the caller may see",
        description="Newest first, in pages (follow `next`). Incidents the caller sees only the metadata of "
        "have `content_withheld: true` and no title, summary or location.",
        responses={200: IncidentSerializer(many=True), **_errors(400, 401, 403)},
    ),
)
class IncidentList(IncidentsApiView, IncidentAction, generics.ListAPIView):
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return visible_incidents(self.request.user).prefetch_related("recipients")

    # POST: report an incident.
    find = None
    input_serializer = IncidentReportSerializer

    def permit(self, caller, _):
        require(may_act(caller), caller, "report incidents")

    def clean(self, caller, _, data):
        return {**data, "recipients": resolve_recipients(data["recipients"], caller.organisation)}

    def act(self, caller, _, data):
        return do_report_incident(caller, **data)

    def answer(self, caller, _, incident):
        location = reverse("api:incident-detail", args=[incident.pk])
        return Response(_detail(caller, incident.pk), status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Report an incident",
        description="To organisations (`HR-CERT`) or whole parties (`HR`). The report opens the thread as message "
        "1, which every recipient must acknowledge.",
        request=IncidentReportSerializer,
        responses={201: IncidentDetailSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "A DDoS reported to Croatia's CERT and crisis centre",
                request_only=True,
                value={
                    "title": "DDoS on the e-government portal",
                    "summary": "Volumetric attack since 07:50 UTC, 40 Gbit/s.",
                    "category": "cyber",
                    "severity": "high",
                    "tlp": "AMBER",
                    "recipients": ["HR-CERT", "HR-MOD"],
                    "occurred_at": "2026-11-25T08:00:00Z",
                    "exercise": False,
                },
            ),
            OpenApiExample(
                "An exercise drone sighting near the border, to a whole party",
                request_only=True,
                value={
                    "title": "Unidentified drone over the border crossing",
                    "summary": "Seen by border police at 21:10.",
                    "category": "drone",
                    "severity": "medium",
                    "tlp": "GREEN",
                    "recipients": ["BA"],
                    "occurred_at": "2026-11-25T21:10:00Z",
                    "exercise": True,
                    "location": {"type": "Point", "coordinates": [19.10, 44.75]},
                },
            ),
        ],
    )
    def post(self, request):
        return self.run_action(request)


class IncidentDetail(IncidentsApiView, IncidentAction):
    # PATCH: change the status, the TLP or both.
    input_serializer = IncidentChangeSerializer
    idempotent = False  # PATCH sets values: sending it again changes nothing

    def permit(self, caller, incident):
        require(may_change(caller, incident), caller, "change this incident", incident)

    def clean(self, caller, incident, data):
        if "tlp" in data:  # the source sets the label: only the originator changes it
            require_tlp_change(caller, incident)
        return data

    def act(self, caller, incident, data):
        return do_change_incident(caller, incident, **data)

    def answer(self, caller, _, incident):
        return Response(_detail(caller, incident.pk))

    @extend_schema(
        summary="One incident with its thread and attachments",
        description="Where the caller sees only the metadata, title, summary, location and message bodies are null "
        "and `attachments` is null. Reading a RED incident is recorded in the audit log.",
        parameters=[INCIDENT_ID],
        responses={200: IncidentDetailSerializer, **READ_ERRORS},
    )
    def get(self, request, pk):
        incident = access_incident(request.user, pk)
        if incident.content_visible:
            note_read(request.user, incident)
        return Response(IncidentDetailSerializer(incident).data)

    @extend_schema(
        summary="Change the status or the TLP",
        description="The status: for the originating organisation and commission administrators; the TLP: for the "
        "originating organisation only (TLP 2.0: the source sets the label). Each change is added to the "
        "thread and sent to every audience; raising the TLP withholds the content from those who may no longer "
        "read it.",
        parameters=[INCIDENT_ID],
        request=IncidentChangeSerializer,
        responses={200: IncidentDetailSerializer, **_errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Resolved", request_only=True, value={"status": "resolved"}),
            OpenApiExample("Shared with the community", request_only=True, value={"tlp": "GREEN"}),
        ],
    )
    def patch(self, request, pk):
        return self.run_action(request, pk)


# --- the thread --------------------------------------------------------------------------------------


class IncidentMessages(IncidentsApiView, IncidentAction):
    # POST: post to the thread.
    input_serializer = MessagePostSerializer

    def permit(self, caller, incident):
        require(may_take_part(caller, incident), caller, "post in this incident", incident)

    def act(self, caller, incident, data):
        return do_post_message(caller, incident, **data)

    def answer(self, caller, incident, message):
        return Response(message_payload(message, content=True), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The thread, oldest first",
        description="Message bodies are null where the caller sees only the incident's metadata.",
        parameters=[INCIDENT_ID],
        responses={200: MessageSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, pk):
        incident = access_incident(request.user, pk)
        content = incident.content_visible
        if content:
            note_read(request.user, incident)
        messages = (
            Message.objects.filter(incident=incident)
            .select_related("incident", "organisation")
            .prefetch_related("acknowledgements__organisation")
        )
        return Response([message_payload(message, content=content) for message in messages])

    @extend_schema(
        summary="Post to the thread",
        description="For the organisations taking part (originator and recipients). A request for assistance always "
        "needs acknowledgement and has a reply-by deadline (48 hours unless given).",
        parameters=[INCIDENT_ID, IDEMPOTENCY_PARAMETER],
        request=MessagePostSerializer,
        responses={201: MessageSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "A request for assistance",
                request_only=True,
                value={
                    "body": "Can you block the source ranges at your upstream?",
                    "kind": "request_for_assistance",
                    "requires_ack": True,
                },
            ),
            OpenApiExample(
                "A note", request_only=True, value={"body": "Traffic has dropped since 09:10.", "kind": "note"}
            ),
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class IncidentAcknowledge(IncidentsApiView, IncidentAction):
    input_serializer = AcknowledgeSerializer

    def permit(self, caller, incident):
        require(may_take_part(caller, incident), caller, "acknowledge in this incident", incident)

    def act(self, caller, incident, data):
        method = AckMethod.CONSOLE if is_person(caller) else AckMethod.API
        return do_acknowledge(caller, incident, message_number=data["message"], method=method)

    def answer(self, caller, incident, given):
        return Response({"acknowledged": [message_payload(ack.message, content=True) for ack in given]})

    @extend_schema(
        summary="Acknowledge one message, or every message waiting on the caller's organisation",
        description="Recorded with the method `api` for an API key and `console` for a person. When nothing waits, "
        "`acknowledged` is empty; naming a message that does not wait gives 409.",
        parameters=[INCIDENT_ID, IDEMPOTENCY_PARAMETER],
        request=AcknowledgeSerializer,
        responses={200: AcknowledgedSerializer, **_errors(400, 401, 403, 404, 409, 422)},
        examples=[
            OpenApiExample("Everything that waits on us", request_only=True, value={}),
            OpenApiExample("Message 3 only", request_only=True, value={"message": 3}),
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class IncidentTimeline(IncidentsApiView):
    @extend_schema(
        summary="The escalation timeline of an incident",
        description="For every message that needed an acknowledgement (and every reply clock of a request for "
        "assistance): each recipient organisation's timer, the pages it fired and how each page was delivered "
        "(method, to whom, status, attempts, last error). Metadata only: anyone who sees the incident sees it.",
        parameters=[INCIDENT_ID],
        responses={200: TimerEntrySerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, pk):
        incident = access_incident(request.user, pk)
        acknowledgements = Acknowledgement.objects.filter(message__incident=incident).values_list("pk", flat=True)
        return Response(TimerEntrySerializer(timeline(timers.SUBJECT_KIND, acknowledgements), many=True).data)


# --- attachments -------------------------------------------------------------------------------------


class IncidentAttachments(IncidentsApiView, IncidentAction):
    parser_classes = [MultiPartParser]
    input_serializer = AttachmentUploadSerializer

    def permit(self, caller, incident):
        require(may_take_part(caller, incident), caller, "attach files to this incident", incident)

    def act(self, caller, incident, data):
        return do_add_attachment(caller, incident, data["file"], message_number=data["message"])

    def answer(self, caller, incident, attachment):
        return Response(attachment_payload(attachment), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Attach a file",
        description="Multipart, field `file`, optionally `message` (a message number in the thread). Files are kept "
        "by their SHA-256; size and types are limited (400 with the reason under `fields.file`).",
        parameters=[INCIDENT_ID, IDEMPOTENCY_PARAMETER],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "A packet capture",
                request_only=True,
                media_type="multipart/form-data",
                value={"file": "capture.pcap", "message": 1},
            )
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class AttachmentDownload(IncidentsApiView):
    @extend_schema(
        summary="Download an attachment",
        description="Only for those who may read the incident's content; every download is recorded.",
        parameters=[INCIDENT_ID, OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        # Sent with the type it was uploaded as (PDF, PNG, text, …): any type.
        responses={(200, "*/*"): OpenApiTypes.BINARY, **READ_ERRORS},
    )
    def get(self, request, pk, attachment_id):
        incident = access_incident(request.user, pk, content=True)
        attachment = incident.attachments.filter(pk=attachment_id).first() if attachment_id <= LARGEST_ID else None
        if attachment is None:
            raise Http404("There is no such attachment.")
        note_attachment_download(request.user, attachment)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- the event feed ----------------------------------------------------------------------------------


FEED_AFTER = WholeNumber("after", 0, LARGEST_ID, description="The last event id the client has seen.")
FEED_LIMIT = WholeNumber(
    "limit", 1, FEED_PAGE, default=FEED_PAGE, description=f"At most this many events (1 to {FEED_PAGE})."
)


class EventFeed(IncidentsApiView):
    @extend_schema(
        summary="The events of the caller's organisation after an id",
        description="The catch-up feed the console uses too: each event as the WebSocket pushes it, oldest first. "
        "Keep `last_id` and send it back as `after`. Without `after` the feed starts now (no events, and the "
        "current `last_id`), so a new client does not download the whole history.",
        parameters=[FEED_AFTER.parameter(), FEED_LIMIT.parameter()],
        responses={200: EventFeedSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request):
        after = FEED_AFTER.read(request)
        limit = FEED_LIMIT.read(request)
        organisation_id = getattr(request.user, "organisation_id", None)
        if organisation_id is None:
            return Response({"events": [], "last_id": after or 0, "has_more": False})
        if after is None:
            return Response({"events": [], "last_id": last_event_id(organisation_id), "has_more": False})
        events = events_after(organisation_id, after, limit + 1)
        return Response(
            {
                "events": events[:limit],
                "last_id": events[:limit][-1]["id"] if events else after,
                "has_more": len(events) > limit,
            }
        )
