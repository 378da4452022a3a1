"""The escalation API: policies (read by all, written by commission administrators), acknowledging a
timer (the console alert uses it too), recording a phone acknowledgement, and the waiting panel."""

from typing import NamedTuple

from django.core.exceptions import ValidationError
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
from hotline.api import ActionView, documented_errors, validation_errors_as_400
from hotline.audit.refusals import refuse
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
from hotline.escalation.models import EscalationPolicy
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


class FoundPolicy(NamedTuple):
    severity: str
    described: dict
    row: EscalationPolicy | None  # None until the commission saves one here
    parties: tuple | None  # the pair of an override


def _policy(severity: str, pair: str | None) -> FoundPolicy:
    """The policy of a severity, or of a pair of parties at a severity, or 404. Everyone reads policies."""
    try:
        return FoundPolicy(severity, *policy_descriptions.find(severity, pair))
    except LookupError as missing:
        raise NotFound(str(missing)) from None


class PolicyDetail(EscalationApiView, ActionView):
    """`escalation-policies/{severity}/` and `escalation-policies/{severity}/{pair}/`."""

    # PUT: replace the policy.
    input_serializer = PolicySerializer
    idempotent = False  # PUT replaces: sending it again changes nothing

    def find(self, caller, severity, pair=None):
        return _policy(severity, pair)

    def permit(self, caller, _):
        if not access.may_edit_policies(caller):
            raise refuse(caller, "edit escalation policies")

    def act(self, caller, policy, data):
        levels = [
            {key: value for key, value in dict(level).items() if key != "contact_points" or value}
            for level in data["levels"]
        ]
        return do_save_policy(
            caller,
            policy.severity,
            policy.parties,
            levels=levels,
            repeat_every_s=data["repeat_every_s"],
            repeat_count=data["repeat_count"],
            reply_within_s=data["reply_within_s"],
        )

    def answer(self, caller, _, row):
        return Response(PolicySerializer(policy_descriptions.describe_row(row)).data)

    @extend_schema(summary="Read one escalation policy", responses={200: PolicySerializer, **_errors(401, 403, 404)})
    def get(self, request, severity, pair=None):
        return Response(PolicySerializer(_policy(severity, pair).described).data)

    @extend_schema(
        summary="Replace an escalation policy (commission administrators)",
        description="Running "
        "escalations keep the policy they started with. Refused: waits that do not increase, a "
        "method's delay not shorter than its level's wait, unknown targets or contact points.",
        request=PolicySerializer,
        responses={200: PolicySerializer, **_errors(400, 401, 403, 404)},
    )
    def put(self, request, severity, pair=None):
        return self.run_action(request, severity, pair)

    @extend_schema(
        summary="Remove a pair's override (commission administrators)",
        responses={204: None, **_errors(400, 401, 403, 404)},
    )
    def delete(self, request, severity, pair=None):
        caller = request.user
        row = _policy(severity, pair).row
        self.permit(caller, row)
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


class TimerAction(EscalationApiView, ActionView):
    """An endpoint that calls one escalation action on the timer of the URL (`pk`)."""

    required_scope = ApiScope.INCIDENTS_WRITE
    find = staticmethod(access.access_timer)
    # Idempotent (the ActionView default): the same Idempotency-Key replays the first answer; without a key,
    # an acknowledgement given twice answers 409 `not_waiting` the second time.

    def answer(self, caller, timer, _):
        return Response({"acknowledged": True})


class TimerAcknowledge(TimerAction):
    def permit(self, caller, timer):
        if caller.organisation.pk != timer.recipient_id:
            raise refuse(caller, f"acknowledge for {timer.recipient.code}")

    def act(self, caller, timer, _):
        method = "api" if not is_person(caller) else "console"
        if not do_acknowledge_timer(caller, timer, method):
            raise NotWaiting()

    @extend_schema(
        summary="Acknowledge what a timer waits for",
        description="For the people and keys of the "
        "organisation it waits on; the console's alert uses it. Stops the paging at once.",
        request=None,
        responses={200: TimerAcknowledgedSerializer, **_errors(401, 403, 404, 409)},
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


class TimerPhoneAcknowledgement(TimerAction):
    input_serializer = PhoneAcknowledgementSerializer

    def permit(self, caller, timer):
        if not access.may_record_phone_acknowledgement(caller, timer):
            raise refuse(caller, "record acknowledgements by phone")

    def clean(self, caller, timer, data):
        answered_by = (
            User.objects.filter(username=data["answered_by"], is_active=True).select_related("organisation").first()
        )
        if answered_by is None:
            raise ValidationError({"answered_by": "There is no such person."})
        return {"answered_by": answered_by}

    def act(self, caller, timer, data):
        if not do_record_phone_acknowledgement(caller, timer, data["answered_by"]):
            raise NotWaiting()

    @extend_schema(
        summary="Record an acknowledgement given by phone",
        description="By a supervisor or head of "
        "the sending or receiving organisation, or a commission administrator; recorded as the person "
        "who answered, by phone, with the recorder named in the audit log.",
        request=PhoneAcknowledgementSerializer,
        responses={200: TimerAcknowledgedSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


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
