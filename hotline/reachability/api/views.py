"""The reachability checks through the API: the history with counts, one check, answering it, and the
figures per organisation. Reading needs `checks:read`, answering `checks:answer` (for an API key; people
by their role).

Thin views (STYLE.md): the endpoints that write are `hotline.api.ActionView`s declaring how they find
the check (reachability.visibility: 404), who may act (reachability.access: 403, recorded), their input
and the one action they call.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import is_person
from accounts.api.permissions import HasRequiredScope
from accounts.choices import ApiScope
from hotline.api import IDEMPOTENCY_PARAMETER, ActionView, IdCursorPagination, documented_errors
from hotline.audit.refusals import refuse
from hotline.json_input import JsonParser
from hotline.query import WholeNumber
from hotline.reachability.access import may_answer_checks, may_start_checks
from hotline.reachability.actions import do_answer_check, do_start_check
from hotline.reachability.api.serializers import (
    CheckAnsweredSerializer,
    CheckDetailSerializer,
    CheckSerializer,
    CheckStartSerializer,
    FiguresSerializer,
    figures_payload,
)
from hotline.reachability.choices import CheckAnswerMethod
from hotline.reachability.figures import FIGURES_OVER, FIGURES_OVER_MAX, organisation_figures, with_counts
from hotline.reachability.payloads import check_payload, response_payload
from hotline.reachability.visibility import access_check, own_response, visible_checks


class AlreadyAnswered(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_answered"
    default_detail = "Your organisation has already answered this check."


class NotAwaitingAnswer(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_awaiting_answer"
    default_detail = "This check was not sent to your organisation."


CHECK_ERRORS = {
    404: "No such check (`not_found`).",
    409: (
        "The caller's organisation has answered already (`already_answered`), "
        "or the check was not sent to it (`not_awaiting_answer`)."
    ),
}


def _errors(*statuses: int) -> dict:
    return documented_errors(CHECK_ERRORS, *statuses)


CHECK_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The check's id.")


class ChecksApiView(APIView):
    # Reading needs `checks:read`, writing `checks:answer` (for an API key; people by their role).
    permission_classes = [IsAuthenticated, HasRequiredScope]
    parser_classes = [JsonParser]

    @property
    def required_scope(self) -> str:
        return ApiScope.CHECKS_READ if self.request.method in SAFE_METHODS else ApiScope.CHECKS_ANSWER


@extend_schema_view(
    get=extend_schema(
        summary="List the reachability checks",
        description="Newest first, in pages (follow `next`), each with its counts: answered within the window, late, "
        "missed (window closed) and still waiting.",
        responses={200: CheckSerializer(many=True), **_errors(400, 401, 403)},
    ),
)
class ReachabilityCheckList(ChecksApiView, ActionView, generics.ListAPIView):
    serializer_class = CheckSerializer
    pagination_class = IdCursorPagination
    filter_backends = []

    def get_queryset(self):
        return with_counts(visible_checks(self.request.user))

    # POST: send a check now.
    input_serializer = CheckStartSerializer

    def permit(self, caller, _):
        if not may_start_checks(caller):
            raise refuse(caller, "start reachability checks")

    def act(self, caller, _, data):
        return do_start_check(caller, window_minutes=data.get("window_minutes"))

    def answer(self, caller, _, check):
        location = reverse("api:reachability-check-detail", args=[check.pk])
        return Response(
            CheckDetailSerializer(access_check(caller, pk=check.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    @extend_schema(
        summary="Send a reachability check now",
        description="For commission administrators (API keys never start checks). Every organisation but the "
        "observers and the secretariat must answer within the window; one that does not is paged like any "
        "unacknowledged message.",
        request=CheckStartSerializer,
        responses={201: CheckDetailSerializer, **_errors(400, 401, 403, 422)},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample("With the default window", request_only=True, value={}),
            OpenApiExample("With a 30-minute window", request_only=True, value={"window_minutes": 30}),
        ],
    )
    def post(self, request):
        return self.run_action(request)


class ReachabilityCheckDetail(ChecksApiView):
    @extend_schema(
        summary="One reachability check with every organisation's answer",
        parameters=[CHECK_ID],
        responses={200: CheckDetailSerializer, **_errors(401, 403, 404)},
    )
    def get(self, request, pk):
        return Response(CheckDetailSerializer(access_check(request.user, pk=pk)).data)


class ReachabilityCheckAnswer(ChecksApiView, ActionView):
    def find(self, caller, pk):
        return access_check(caller, pk=pk)

    def permit(self, caller, check):
        if not may_answer_checks(caller):
            raise refuse(caller, "answer reachability checks", check)

    def clean(self, caller, check, _):
        response = own_response(caller, check)
        if response is None:
            raise NotAwaitingAnswer(f"{check.reference} was not sent to {caller.organisation.code}.")
        return {"response": response}

    def act(self, caller, check, data):
        response = data["response"]
        method = CheckAnswerMethod.CONSOLE if is_person(caller) else CheckAnswerMethod.API
        if not do_answer_check(caller, response, method=method):
            raise AlreadyAnswered(
                f"{response.organisation.code} answered {check.reference} "
                f"at {response.acknowledged_at.isoformat()} ({response.acknowledged_by_label})."
            )
        return response

    def answer(self, caller, check, response):
        return Response({"check": check_payload(check), "response": response_payload(response)})

    @extend_schema(
        summary="Answer a check for the caller's organisation",
        description="People who act for a checked organisation (duty officers, supervisors, heads, administrators) "
        "and its keys with `checks:answer`; there is no answering for another organisation. Recorded with the "
        "method `api` for a key and `console` for a person. A second answer gets 409 `already_answered`.",
        parameters=[CHECK_ID, IDEMPOTENCY_PARAMETER],
        request=None,
        responses={200: CheckAnsweredSerializer, **_errors(401, 403, 404, 409, 422)},
    )
    def post(self, request, pk):
        return self.run_action(request, pk)


FIGURES_LAST = WholeNumber(
    "last", 1, FIGURES_OVER_MAX, default=FIGURES_OVER, description="How many closed checks to count over."
)


class ReachabilityFigures(ChecksApiView):
    @extend_schema(
        summary="Per organisation: how it answered the latest checks",
        description="Over the latest `last` checks whose window has closed (default 12): answered within the window, "
        "late, missed, the share within the window and the median time from the check to the answer.",
        parameters=[FIGURES_LAST.parameter()],
        responses={200: FiguresSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request):
        last = FIGURES_LAST.read(request)
        figures, covered = organisation_figures(last)
        return Response(
            {
                "last": last,
                "checks": [check.reference for check in covered],
                "organisations": [figures_payload(figure) for figure in figures],
            }
        )
