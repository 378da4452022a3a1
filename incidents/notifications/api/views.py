"""The notifications API: exercise notifications, observation invitations, drone flights and the
commission's notification policy.

Thin views (STYLE.md): the endpoints that write are `hotline.api.ActionView`s declaring how they find
the notification (notifications.visibility: 404 for what the caller may not know of), who may act
(notifications.access: 403, recorded), their input and the one action they call.
What they answer is built by notifications/payloads.py, the shapes the event feed and the console share.
Reading needs `notifications:read`, writing `notifications:write` (for an API key; people by their role).
"""

from datetime import UTC, datetime, time, timedelta

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import is_person
from accounts.api.permissions import HasRequiredScope
from accounts.choices import ApiScope
from accounts.models import Party
from hotline.api import (
    IDEMPOTENCY_PARAMETER,
    ActionView,
    IdCursorPagination,
    documented_errors,
    field_errors,
    validation_errors_as_400,
)
from hotline.json_input import JsonParser
from incidents.choices import AckMethod
from incidents.notifications import calendar, rules
from incidents.notifications.access import (
    access_party,
    may_acknowledge,
    may_change,
    may_file,
    may_reply_to_invitation,
    may_revoke_calendar_feed,
    may_set_policy,
    require,
)
from incidents.notifications.actions import (
    NotAwaited,
    assess_exercise,
    assess_flight,
    do_acknowledge_exercise,
    do_acknowledge_flight,
    do_amend_exercise,
    do_cancel_exercise,
    do_change_flight_state,
    do_invite_observers,
    do_notify_exercise,
    do_notify_flight,
    do_reply_to_invitation,
    do_revoke_calendar_feed,
    do_set_policy,
)
from incidents.notifications.api.serializers import (
    DroneFlightSerializer,
    ExerciseAcknowledgeSerializer,
    ExerciseAmendmentSerializer,
    ExerciseAssessmentSerializer,
    ExerciseAssessSerializer,
    ExerciseCancelSerializer,
    ExerciseNotificationSerializer,
    ExerciseNotifySerializer,
    FlightAcknowledgeSerializer,
    FlightAssessmentSerializer,
    FlightAssessSerializer,
    FlightNotifySerializer,
    FlightStateSerializer,
    InvitationNewSerializer,
    InvitationReplySerializer,
    InvitationSerializer,
    NotificationPolicySerializer,
    exercise_assessment_payload,
    flight_assessment_payload,
)
from incidents.notifications.choices import FlightState
from incidents.notifications.models import DroneFlight, ExerciseNotification, NotificationPolicy, ObservationInvitation
from incidents.notifications.payloads import (
    conflicts_of,
    exercise_payload,
    flight_payload,
    invitation_payload,
    with_exercise_details,
    with_flight_details,
)
from incidents.notifications.visibility import (
    access_exercise,
    access_flight,
    access_invitation,
    visible_exercises,
    visible_flights,
)

# --- shared pieces -----------------------------------------------------------------------------------


class NotAwaitingAcknowledgement(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_awaiting_acknowledgement"
    default_detail = "Nothing of this notification waits for your organisation's acknowledgement."


# A flight's model fields that the API takes inside `aircraft`.
AIRCRAFT_FIELDS = {
    "aircraft_type": "type", "aircraft_category": "category", "armed": "armed",
    "mtom_kg": "mtom_kg", "remote_id": "remote_id",
}  # fmt: skip


def _flight_fields(fields: dict) -> dict:
    """A flight's field errors as the API names the fields: the aircraft's nest as they came in (as the
    serializer's own do); `volumes[i].field` keys stay as rules.clean_volumes gives them."""
    aircraft = {AIRCRAFT_FIELDS[name]: fields.pop(name) for name in list(fields) if name in AIRCRAFT_FIELDS}
    return {**fields, **({"aircraft": aircraft} if aircraft else {})}


def _exercise(pk: int) -> dict:
    return exercise_payload(with_exercise_details(ExerciseNotification.objects.filter(pk=pk)).get())


def _flight(pk: int, caller) -> dict:
    flight = with_flight_details(DroneFlight.objects.filter(pk=pk)).get()
    return flight_payload(flight, conflicts_of([flight], caller.organisation)[flight.pk])


def _method(caller) -> str:
    return AckMethod.CONSOLE if is_person(caller) else AckMethod.API


NOTIFICATION_ERRORS = {
    403: "The key lacks the scope (`missing_scope`), or the caller may not do this (`permission_denied`; "
    "recorded): only the notifying organisation changes a notification, only a recipient acknowledges it, "
    "and the commission receives notifications but does not file them.",
    404: "No such notification, flight or invitation, or not one the caller may know of (`not_found`).",
    409: "Nothing of it waits for the caller's organisation's acknowledgement (`not_awaiting_acknowledgement`).",
}


def _errors(*statuses: int) -> dict:
    return documented_errors(NOTIFICATION_ERRORS, *statuses)


EXERCISE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The exercise notification's id.")
FLIGHT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The drone flight's id.")
INVITATION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The invitation's id.")
READ_ERRORS = _errors(401, 403, 404)
CHANGE_ERRORS = _errors(400, 401, 403, 404, 422)


class NotificationsApiView(APIView):
    # Reading needs `notifications:read`, writing `notifications:write` (for an API key; people by their role).
    permission_classes = [IsAuthenticated, HasRequiredScope]
    parser_classes = [JsonParser]

    @property
    def required_scope(self) -> str:
        return ApiScope.NOTIFICATIONS_READ if self.request.method in SAFE_METHODS else ApiScope.NOTIFICATIONS_WRITE


class NotificationAction(ActionView):
    """An endpoint that calls one notifications action; the actions refuse with Django's ValidationError
    (400 `invalid`), or with NotAwaited (409) when nothing waits for the caller's acknowledgement."""

    conflicts = {NotAwaited: NotAwaitingAcknowledgement}


class ExerciseAction(NotificationAction):
    """An endpoint that calls one notifications action on the exercise notification of the URL (`pk`)."""

    find = staticmethod(access_exercise)


class FlightAction(NotificationAction):
    """An endpoint that calls one notifications action on the drone flight of the URL (`pk`)."""

    find = staticmethod(access_flight)


# --- filters (they narrow what the visibility functions give, never widen it) ------------------------

MOMENT_MESSAGE = "Give a date (2026-12-01, a whole day in UTC) or a time (2026-12-01T08:00:00Z)."


@extend_schema_field({"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]})
class MomentFilter(django_filters.CharFilter):
    """`from`: what has not ended before it; `to`: what has started by it. A date is a whole UTC day."""

    def __init__(self, *, until: bool, **kwargs):
        super().__init__(**kwargs)
        self.until = until

    def bound(self, text: str) -> tuple[str, datetime]:
        """The lookup and the moment `text` means (a date `to` ends where the next day begins)."""
        try:
            day = parse_date(text) if len(text) == 10 else None
            if day is not None:
                moment = datetime.combine(day + timedelta(days=1) if self.until else day, time(), tzinfo=UTC)
                return ("starts_at__lt" if self.until else "ends_at__gte"), moment
            moment = parse_datetime(text)
            if moment is None:
                raise ValueError
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValidationError({self.field_name: [MOMENT_MESSAGE]}) from None
        return ("starts_at__lte" if self.until else "ends_at__gte"), moment

    def filter(self, queryset, value):
        if not value:
            return queryset
        lookup, moment = self.bound(value.strip())
        # An exercise's dates are those of its latest version.
        prefix = "latest__" if queryset.model is ExerciseNotification else ""
        return queryset.filter(**{prefix + lookup: moment})


def _party(name: str, value: str) -> str:
    code = value.strip().upper()
    if not Party.objects.filter(code=code).exists():
        raise ValidationError({name: [f"There is no party {code!r}."]})
    return code


class ExerciseFilterSet(django_filters.FilterSet):
    party = django_filters.CharFilter(
        method="by_party", label="Party code, e.g. RS: notified by one of its organisations"
    )
    state = django_filters.ChoiceFilter(
        choices=[("notified", "notified"), ("cancelled", "cancelled")], method="by_state"
    )

    class Meta:
        model = ExerciseNotification
        fields = ["party", "state"]

    def by_party(self, queryset, name, value):
        return queryset.filter(organisation__party__code=_party(name, value))

    def by_state(self, queryset, name, value):
        return queryset.filter(cancelled=value == "cancelled")


class FlightFilterSet(django_filters.FilterSet):
    party = django_filters.CharFilter(
        method="by_party", label="Party code, e.g. RS: operated by one of its organisations"
    )
    state = django_filters.ChoiceFilter(choices=FlightState.choices)

    class Meta:
        model = DroneFlight
        fields = ["party", "state"]

    def by_party(self, queryset, name, value):
        return queryset.filter(organisation__party__code=_party(name, value))


def _add_date_filters(filterset, what: str) -> None:
    # `from` is a Python keyword: it cannot be declared as an attribute, so both are added by name.
    filterset.base_filters["from"] = MomentFilter(
        until=False, field_name="from", label=f"{what} that have not ended before this date or time"
    )
    filterset.base_filters["to"] = MomentFilter(
        until=True, field_name="to", label=f"{what} that start by this date (the whole day) or time"
    )


_add_date_filters(ExerciseFilterSet, "Exercises")
_add_date_filters(FlightFilterSet, "Flights")


# --- exercises ---------------------------------------------------------------------------------------

EXERCISE_EXAMPLE = {
    "designation": "Danube Shield 2026", "exercise_type": "field_training",
    "purpose": "Brigade field training: river crossing and defence of bridges.",
    "starts_at": "2027-03-01T06:00:00Z", "ends_at": "2027-03-05T18:00:00Z",
    "area": {
        "type": "Polygon",
        "coordinates": [[[19.40, 45.28], [19.55, 45.28], [19.55, 45.36], [19.40, 45.36], [19.40, 45.28]]],
    },
    "place_names": "Bačka Palanka, Čelarevo", "command_level": "brigade", "troops": 2400, "battle_tanks": 12,
    "armoured_combat_vehicles": 40, "artillery": 8, "helicopters": 4, "uncrewed_aircraft": 6, "uncrewed_types": "Pegaz",
}  # fmt: skip


@extend_schema_view(
    get=extend_schema(
        summary="List the exercise notifications the caller may see",
        description="Newest first, in pages (follow `next`). Every participant's CERTs and crisis centres and the "
        "commission see all of them; observers see none.",
        responses={200: ExerciseNotificationSerializer(many=True), **_errors(400, 401, 403)},
    ),
)
class ExerciseList(NotificationsApiView, NotificationAction, generics.ListAPIView):
    serializer_class = ExerciseNotificationSerializer
    filterset_class = ExerciseFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return with_exercise_details(visible_exercises(self.request.user))

    # POST: notify an exercise.
    input_serializer = ExerciseNotifySerializer

    def permit(self, caller, _):
        require(may_file(caller), caller, "file exercise notifications")

    def act(self, caller, _, data):
        return do_notify_exercise(caller, data)

    def answer(self, caller, _, notification):
        location = reverse("api:exercise-notification-detail", args=[notification.pk])
        return Response(_exercise(notification.pk), status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Notify an exercise",
        description="Vienna Document-shaped. The answer says whether the commission's policy makes it notifiable "
        "(and why), how late the notice is and which parties' borders lie near its area; every other participant "
        "and the commission receive it and must acknowledge it. The commission does not file notifications.",
        request=ExerciseNotifySerializer,
        responses={201: ExerciseNotificationSerializer, **CHANGE_ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample("A brigade exercise near the Croatian border", request_only=True, value=EXERCISE_EXAMPLE)
        ],
    )
    def post(self, request):
        return self.run_action(request)


class ExerciseAssess(NotificationsApiView):
    required_scope = ApiScope.NOTIFICATIONS_READ  # it computes, it does not write

    @extend_schema(
        summary="What the rules say of an exercise, without filing it",
        description="Notifiable or not (and why), how late a notice filed now would be, and which parties' borders "
        "lie near the area, under the commission's current policy and border data. Writes nothing: an "
        "Idempotency-Key is not needed. For those who may file.",
        request=ExerciseAssessSerializer,
        responses={200: ExerciseAssessmentSerializer, **_errors(400, 401, 403)},
        examples=[OpenApiExample("The brigade exercise above", request_only=True, value=EXERCISE_EXAMPLE)],
    )
    def post(self, request):
        caller = request.user
        require(may_file(caller), caller, "assess exercise notifications")
        serializer = ExerciseAssessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        with validation_errors_as_400():
            rules.check_exercise(values)
            assessment = assess_exercise(values, caller.organisation, filed_at=timezone.now())
        return Response(exercise_assessment_payload(assessment))


class ExerciseDetail(NotificationsApiView):
    @extend_schema(
        summary="One exercise notification, with every version and invitation",
        parameters=[EXERCISE_ID],
        responses={200: ExerciseNotificationSerializer, **READ_ERRORS},
    )
    def get(self, request, pk):
        notification = access_exercise(request.user, pk)
        return Response(_exercise(notification.pk))


class ExerciseAmend(NotificationsApiView, ExerciseAction):
    input_serializer = ExerciseAmendmentSerializer

    def permit(self, caller, notification):
        require(may_change(caller, notification), caller, "amend this notification", notification)

    def act(self, caller, notification, data):
        changes = {name: value for name, value in data.items() if name != "reason"}
        return do_amend_exercise(caller, notification, changes, reason=data["reason"])

    def answer(self, caller, notification, _):
        location = reverse("api:exercise-notification-detail", args=[notification.pk])
        return Response(_exercise(notification.pk), status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Amend an exercise notification",
        description="For the notifying organisation. A new version: the latest one with the given fields changed, "
        "recomputed (an amendment that does not bring the start forward keeps the notice's lateness); every "
        "recipient acknowledges it.",
        parameters=[EXERCISE_ID, IDEMPOTENCY_PARAMETER],
        request=ExerciseAmendmentSerializer,
        responses={201: ExerciseNotificationSerializer, **CHANGE_ERRORS},
        examples=[
            OpenApiExample(
                "Postponed by a day",
                request_only=True,
                value={
                    "starts_at": "2027-03-02T06:00:00Z",
                    "ends_at": "2027-03-06T18:00:00Z",
                    "reason": "Flooding on the training area.",
                },
            )
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class ExerciseCancel(NotificationsApiView, ExerciseAction):
    input_serializer = ExerciseCancelSerializer

    def permit(self, caller, notification):
        require(may_change(caller, notification), caller, "cancel this notification", notification)

    def act(self, caller, notification, data):
        return do_cancel_exercise(caller, notification, reason=data["reason"])

    def answer(self, caller, notification, _):
        return Response(_exercise(notification.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel an exercise notification",
        description="For the notifying organisation. "
        "A cancellation is a version of its own, acknowledged like the others.",
        parameters=[EXERCISE_ID, IDEMPOTENCY_PARAMETER],
        request=ExerciseCancelSerializer,
        responses={201: ExerciseNotificationSerializer, **CHANGE_ERRORS},
        examples=[OpenApiExample("Cancelled", request_only=True, value={"reason": "Forces needed for flood relief."})],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class ExerciseAcknowledge(NotificationsApiView, ExerciseAction):
    input_serializer = ExerciseAcknowledgeSerializer

    def permit(self, caller, notification):
        require(may_acknowledge(caller), caller, "acknowledge notifications", notification)

    def act(self, caller, notification, data):
        return do_acknowledge_exercise(caller, notification, version_number=data["version"], method=_method(caller))

    def answer(self, caller, notification, _):
        return Response(_exercise(notification.pk))

    @extend_schema(
        summary="Acknowledge an exercise notification",
        description="For a recipient organisation: every version waiting on it, or up to `version`. Acknowledging a "
        "version acknowledges the older ones it supersedes. Recorded with the method `api` for an API key and "
        "`console` for a person; 409 when nothing waits.",
        parameters=[EXERCISE_ID, IDEMPOTENCY_PARAMETER],
        request=ExerciseAcknowledgeSerializer,
        responses={200: ExerciseNotificationSerializer, **_errors(400, 401, 403, 404, 409, 422)},
        examples=[
            OpenApiExample("Everything that waits on us", request_only=True, value={}),
            OpenApiExample("Up to version 2", request_only=True, value={"version": 2}),
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class ExerciseInvitations(NotificationsApiView, ExerciseAction):
    input_serializer = InvitationNewSerializer

    def permit(self, caller, notification):
        require(may_change(caller, notification), caller, "invite observers to this exercise", notification)

    def act(self, caller, notification, data):
        return do_invite_observers(caller, notification, **data)

    def answer(self, caller, notification, invitation):
        return Response(invitation_payload(invitation), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Invite observers to an exercise",
        description="For the notifying organisation (Vienna Document 2011, chapter VI). The recipients of the latest "
        "version, except the commission, may answer until `reply_by`.",
        parameters=[EXERCISE_ID, IDEMPOTENCY_PARAMETER],
        request=InvitationNewSerializer,
        responses={201: InvitationSerializer, **CHANGE_ERRORS},
        examples=[
            OpenApiExample(
                "Two observers per party",
                request_only=True,
                value={
                    "starts_at": "2027-03-03T08:00:00Z",
                    "ends_at": "2027-03-04T16:00:00Z",
                    "reporting_point": "Bačka Palanka barracks gate, 07:30",
                    "observers_per_party": 2,
                    "reply_by": "2027-02-15T12:00:00Z",
                    "details": "Helmets and boots; transport from the barracks.",
                },
            )
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class InvitationReply(NotificationsApiView, NotificationAction):
    find = staticmethod(access_invitation)
    input_serializer = InvitationReplySerializer

    def permit(self, caller, invitation):
        require(may_reply_to_invitation(caller, invitation.notification), caller, "answer this invitation", invitation)

    def act(self, caller, invitation, data):
        return do_reply_to_invitation(caller, invitation, **data)

    def answer(self, caller, invitation, _):
        return Response(invitation_payload(ObservationInvitation.objects.get(pk=invitation.pk)))

    @extend_schema(
        summary="Accept or decline an invitation to observe",
        description="For an invited organisation, until the reply-by date; a later reply replaces an earlier one. "
        "Accepting names the observers (at most the number invited per party); declining names none.",
        parameters=[INVITATION_ID, IDEMPOTENCY_PARAMETER],
        request=InvitationReplySerializer,
        responses={200: InvitationSerializer, **CHANGE_ERRORS},
        examples=[
            OpenApiExample(
                "Two observers",
                request_only=True,
                value={"answer": "accepted", "observers": ["Col. Ana Kovač", "Maj. Ivan Horvat"]},
            ),
            OpenApiExample("Declined", request_only=True, value={"answer": "declined"}),
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


# --- drone flights -----------------------------------------------------------------------------------

FLIGHT_EXAMPLE = {
    "aircraft": {
        "type": "Bayraktar TB2", "category": "MALE", "armed": False, "mtom_kg": 650, "remote_id": "RS-TB2-0007",
    },
    "purpose": "border surveillance",
    "volumes": [{
        "circle": {"lon": 19.45, "lat": 45.30, "radius_m": 2000},
        "altitude_lower": {"value": 0, "unit": "m", "reference": "AGL"},
        "altitude_upper": {"value": 1500, "unit": "ft", "reference": "AMSL"},
        "start": "2027-03-01T08:00:00Z", "end": "2027-03-01T12:00:00Z",
    }],
}  # fmt: skip


@extend_schema_view(
    get=extend_schema(
        summary="List the drone flights the caller may see",
        description="Newest first, in pages (follow `next`). A flight is seen by the operator's party, the parties "
        "within the buffer (its recipients) and the commission; no other party learns of it.",
        responses={200: DroneFlightSerializer(many=True), **_errors(400, 401, 403)},
    ),
)
class FlightList(NotificationsApiView, NotificationAction, generics.ListAPIView):
    serializer_class = DroneFlightSerializer
    filterset_class = FlightFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return with_flight_details(visible_flights(self.request.user))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        conflicts = conflicts_of(page, request.user.organisation)
        return self.get_paginated_response(
            DroneFlightSerializer(page, many=True, context={"conflicts": conflicts}).data
        )

    # POST: notify a drone flight.
    input_serializer = FlightNotifySerializer

    def permit(self, caller, _):
        require(may_file(caller), caller, "file drone flights")

    def act(self, caller, _, data):
        return do_notify_flight(
            caller, aircraft=dict(data["aircraft"]), purpose=data["purpose"], volumes=data["volumes"]
        )

    def answer(self, caller, _, flight):
        location = reverse("api:drone-flight-detail", args=[flight.pk])
        return Response(_flight(flight.pk, caller), status=status.HTTP_201_CREATED, headers={"Location": location})

    def invalid_fields(self, error):
        return _flight_fields(field_errors(error))

    @extend_schema(
        summary="Notify a drone flight",
        description="One or more 4D volumes (a GeoJSON polygon or a circle, an altitude band, a time window). The "
        "parties whose border lies within the commission's buffer of a volume and the commission receive it; a "
        "party a volume enters must acknowledge before the flight may be activated. Overlapping volumes of other "
        "notified flights are listed in `conflicts_with` and both operators are warned. A refused volume is named "
        "`volumes[i].field` under `fields`.",
        request=FlightNotifySerializer,
        responses={201: DroneFlightSerializer, **CHANGE_ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample("Surveillance 7 km from the Croatian border", request_only=True, value=FLIGHT_EXAMPLE)
        ],
    )
    def post(self, request):
        return self.run_action(request)


class FlightAssess(NotificationsApiView):
    required_scope = ApiScope.NOTIFICATIONS_READ  # it computes, it does not write

    @extend_schema(
        summary="What the rules say of a flight's volumes, without filing it",
        description="How late a notice filed now would be, which parties lie within the buffer and which a volume "
        "enters, under the commission's current policy and border data. Only `volumes` is read. Writes nothing: an "
        "Idempotency-Key is not needed. For those who may file.",
        request=FlightAssessSerializer,
        responses={200: FlightAssessmentSerializer, **_errors(400, 401, 403)},
        examples=[OpenApiExample("The flight above", request_only=True, value=FLIGHT_EXAMPLE)],
    )
    def post(self, request):
        caller = request.user
        require(may_file(caller), caller, "assess drone flights")
        serializer = FlightAssessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            assessment = assess_flight(
                serializer.validated_data["volumes"], caller.organisation, filed_at=timezone.now()
            )
        return Response(flight_assessment_payload(assessment))


class FlightDetail(NotificationsApiView):
    @extend_schema(
        summary="One drone flight",
        parameters=[FLIGHT_ID],
        responses={200: DroneFlightSerializer, **READ_ERRORS},
    )
    def get(self, request, pk):
        flight = access_flight(request.user, pk)
        return Response(_flight(flight.pk, request.user))


class FlightAcknowledge(NotificationsApiView, FlightAction):
    input_serializer = FlightAcknowledgeSerializer

    def permit(self, caller, flight):
        require(may_acknowledge(caller), caller, "acknowledge drone flights", flight)

    def act(self, caller, flight, _):
        return do_acknowledge_flight(caller, flight, method=_method(caller))

    def answer(self, caller, flight, _):
        return Response(_flight(flight.pk, caller))

    @extend_schema(
        summary="Acknowledge a drone flight",
        description="For a recipient organisation. Recorded with the method `api` for an API key and `console` for "
        "a person; 409 when nothing waits.",
        parameters=[FLIGHT_ID, IDEMPOTENCY_PARAMETER],
        request=FlightAcknowledgeSerializer,
        responses={200: DroneFlightSerializer, **_errors(400, 401, 403, 404, 409, 422)},
        examples=[OpenApiExample("Acknowledged", request_only=True, value={})],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class FlightStateChange(NotificationsApiView, FlightAction):
    input_serializer = FlightStateSerializer

    def permit(self, caller, flight):
        require(may_change(caller, flight), caller, "change this flight's state", flight)

    def act(self, caller, flight, data):
        return do_change_flight_state(caller, flight, **data)

    def answer(self, caller, flight, _):
        return Response(_flight(flight.pk, caller))

    @extend_schema(
        summary="Activate, complete, cancel a flight or report it non-conforming",
        description="For the operator. A flight whose volume enters another party is activated only once that "
        "party has acknowledged it; a non-conforming flight needs a deviation report.",
        parameters=[FLIGHT_ID, IDEMPOTENCY_PARAMETER],
        request=FlightStateSerializer,
        responses={200: DroneFlightSerializer, **CHANGE_ERRORS},
        examples=[
            OpenApiExample("Airborne", request_only=True, value={"state": "activated"}),
            OpenApiExample(
                "Off its volume",
                request_only=True,
                value={
                    "state": "non_conforming",
                    "deviation_report": "Drifted 800 m east of volume 1 in strong wind; returning.",
                },
            ),
        ],
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


# --- the commission's policy -------------------------------------------------------------------------


class Policy(NotificationsApiView, NotificationAction):
    # PUT: replace the policy.
    input_serializer = NotificationPolicySerializer
    idempotent = False  # PUT replaces: sending it again changes nothing

    def permit(self, caller, _):
        require(may_set_policy(caller), caller, "change the notification policy")

    def act(self, caller, _, data):
        return do_set_policy(caller, data)

    def answer(self, caller, _, policy):
        return Response(NotificationPolicySerializer(policy).data)

    @extend_schema(
        summary="The commission's notification policy",
        description="Thresholds (inclusive), notice periods and the drone buffer, with the Vienna Document's "
        "figures beside the commission's. Read by everyone signed in and keys with `notifications:read`.",
        responses={200: NotificationPolicySerializer, **_errors(401, 403)},
    )
    def get(self, request):
        return Response(NotificationPolicySerializer(NotificationPolicy.current()).data)

    @extend_schema(
        summary="Replace the notification policy (commission administrators)",
        description="Every writable field. A person's decision: API keys are refused. It applies to what is filed "
        "from now on; what was filed keeps the policy it was judged by.",
        request=NotificationPolicySerializer,
        responses={200: NotificationPolicySerializer, **_errors(400, 401, 403)},
    )
    def put(self, request):
        return self.run_action(request)


class CalendarFeedRevoke(NotificationsApiView, NotificationAction):
    find = staticmethod(access_party)

    def permit(self, caller, party):
        require(may_revoke_calendar_feed(caller, party), caller, "revoke this party's calendar feed", party)

    def act(self, caller, party, data):
        return do_revoke_calendar_feed(caller, party)

    def answer(self, caller, party, feed):
        url = calendar.feed_url(self.request, party)
        return Response({"party": party.code, "generation": feed.generation, "feed_url": url})

    @extend_schema(
        summary="Revoke a party's calendar feed address",
        description="Every feed address of the party given out so far stops working (404); the answer holds the "
        "new one. The party's supervisors and heads, and commission administrators; a person's decision: API "
        "keys are refused.",
        request=None,
        responses={
            200: inline_serializer(
                "CalendarFeedRevoked",
                {
                    "party": serializers.CharField(),
                    "generation": serializers.IntegerField(),
                    "feed_url": serializers.URLField(),
                },
            ),
            **_errors(401, 403, 404),
        },
    )
    def post(self, request, code):
        return self.run_action(request, code)
