"""The escalation API: policies (read by all, written by commission administrators), acknowledging a
timer (the console alert uses it too), recording a phone acknowledgement, and the waiting panel."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import is_person
from accounts.api.permissions import HasRequiredScope
from accounts.choices import ApiScope
from accounts.models import User
from hotline.api import documented_errors, validation_errors_as_400
from hotline.audit.refusals import refuse
from hotline.db import LARGEST_ID
from hotline.escalation import access, policy_descriptions
from hotline.escalation.actions import (
    do_acknowledge_timer,
    do_delete_override,
    do_record_phone_acknowledgement,
    do_save_policy,
)
from hotline.escalation.api.serializers import (
    PhoneAcknowledgementSerializer,
    PolicySerializer,
    TimerAcknowledgedSerializer,
    WaitingSerializer,
)
from hotline.escalation.models import Timer
from hotline.escalation.timeline import waiting

ESCALATION_ERRORS = {
    404: "No such policy, timer or party (`not_found`).",
    409: "Nothing waits any more: already acknowledged, or the escalation ended (`not_waiting`).",
}


def _errors(*statuses: int) -> dict:
    return documented_errors(ESCALATION_ERRORS, *statuses)


class EscalationApiView(APIView):
    permission_classes = [IsAuthenticated, HasRequiredScope]
    required_scope = ApiScope.INCIDENTS_READ


class PolicyList(EscalationApiView):
    @extend_schema(
        summary="List the escalation policies",
        description="One per severity (the built-in default "
        "until the commission edits it), then the commission's overrides for pairs of parties.",
        responses={200: PolicySerializer(many=True), **_errors(401, 403)},
    )
    def get(self, request):
        return Response(PolicySerializer(policy_descriptions.all_policies(), many=True).data)


PAIR = OpenApiParameter("pair", str, OpenApiParameter.PATH, description="Two party codes joined by +, e.g. AL+RS.")


class PolicyDetail(EscalationApiView):
    """`escalation-policies/{severity}/` and `escalation-policies/{severity}/{pair}/`."""

    def _find(self, severity, pair):
        try:
            return policy_descriptions.find(severity, pair)
        except LookupError as missing:
            raise NotFound(str(missing)) from None

    @extend_schema(summary="Read one escalation policy", responses={200: PolicySerializer, **_errors(401, 403, 404)})
    def get(self, request, severity, pair=None):
        described, _, _ = self._find(severity, pair)
        return Response(PolicySerializer(described).data)

    @extend_schema(
        summary="Replace an escalation policy (commission administrators)",
        description="Running "
        "escalations keep the policy they started with. Refused: waits that do not increase, a "
        "method's delay not shorter than its level's wait, unknown targets or contact points.",
        request=PolicySerializer,
        responses={200: PolicySerializer, **_errors(400, 401, 403, 404)},
    )
    def put(self, request, severity, pair=None):
        caller = request.user
        _, _, parties = self._find(severity, pair)
        if not access.may_edit_policies(caller):
            raise refuse(caller, "edit escalation policies")
        serializer = PolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        levels = [
            {key: value for key, value in dict(level).items() if key != "contact_points" or value}
            for level in data["levels"]
        ]
        with validation_errors_as_400():
            row = do_save_policy(
                caller,
                severity,
                parties,
                levels=levels,
                repeat_every_s=data["repeat_every_s"],
                repeat_count=data["repeat_count"],
                reply_within_s=data["reply_within_s"],
            )
        return Response(PolicySerializer(policy_descriptions.describe_row(row)).data)

    @extend_schema(
        summary="Remove a pair's override (commission administrators)",
        responses={204: None, **_errors(400, 401, 403, 404)},
    )
    def delete(self, request, severity, pair=None):
        caller = request.user
        _, row, _ = self._find(severity, pair)
        if not access.may_edit_policies(caller):
            raise refuse(caller, "edit escalation policies")
        if row is None:
            raise NotFound("There is no saved policy here to remove.")
        with validation_errors_as_400():
            do_delete_override(caller, row)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(operation_id="escalation_policy_pair_retrieve", parameters=[PAIR]),
    put=extend_schema(operation_id="escalation_policy_pair_update", parameters=[PAIR]),
    delete=extend_schema(operation_id="escalation_policy_pair_destroy", parameters=[PAIR]),
)
class PairPolicyDetail(PolicyDetail):
    """The commission's override for one pair of parties."""


class NotWaiting(NotFound):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_waiting"
    default_detail = "Nothing waits any more: it was acknowledged, or its escalation ended."


def _timer(caller, pk: int) -> Timer:
    """The timer, if the caller may see its subject; 404 otherwise (not a 403 that would confirm it exists)."""
    if pk > LARGEST_ID:
        raise Http404("There is no such timer.")
    timer = get_object_or_404(Timer.objects.select_related("recipient", "sender"), pk=pk)
    if not access.may_see_timer(caller, timer):
        raise Http404("There is no such timer.")
    return timer


class TimerAcknowledge(EscalationApiView):
    required_scope = ApiScope.INCIDENTS_WRITE

    @extend_schema(
        summary="Acknowledge what a timer waits for",
        description="For the people and keys of the "
        "organisation it waits on; the console's alert uses it. Stops the paging at once.",
        request=None,
        responses={200: TimerAcknowledgedSerializer, **_errors(401, 403, 404, 409)},
    )
    def post(self, request, pk):
        caller = request.user
        timer = _timer(caller, pk)
        if caller.organisation.pk != timer.recipient_id:
            raise refuse(caller, f"acknowledge for {timer.recipient.code}")
        method = "api" if not is_person(caller) else "console"
        with validation_errors_as_400():
            if not do_acknowledge_timer(caller, timer, method):
                raise NotWaiting()
        return Response({"acknowledged": True})


class TimerPhoneAcknowledgement(EscalationApiView):
    required_scope = ApiScope.INCIDENTS_WRITE

    @extend_schema(
        summary="Record an acknowledgement given by phone",
        description="By a supervisor or head of "
        "the sending or receiving organisation, or a commission administrator; recorded as the person "
        "who answered, by phone, with the recorder named in the audit log.",
        request=PhoneAcknowledgementSerializer,
        responses={200: TimerAcknowledgedSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        caller = request.user
        timer = _timer(caller, pk)
        if not access.may_record_phone_acknowledgement(caller, timer):
            raise refuse(caller, "record acknowledgements by phone")
        serializer = PhoneAcknowledgementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answered_by = (
            User.objects.filter(username=serializer.validated_data["answered_by"], is_active=True)
            .select_related("organisation")
            .first()
        )
        with validation_errors_as_400():
            if answered_by is None:
                raise ValidationError({"answered_by": "There is no such person."})
            if not do_record_phone_acknowledgement(caller, timer, answered_by):
                raise NotWaiting()
        return Response({"acknowledged": True})


class Waiting(EscalationApiView):
    @extend_schema(
        summary="What waits on the caller's organisation, and what it waits for",
        description="Soonest deadline first; for each, the level the escalation has reached and when it fires next.",
        responses={200: WaitingSerializer, **_errors(401, 403)},
    )
    def get(self, request):
        organisation = getattr(request.user, "organisation", None)
        if organisation is None:
            return Response({"to_acknowledge": [], "waiting_for": []})
        return Response(WaitingSerializer(waiting(organisation)).data)
