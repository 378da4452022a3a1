"""GET /api/v1/compliance/ (the figures of a period), /api/v1/compliance/items/ (the things behind one
figure) and /api/v1/compliance/trend/ (the main figures month by month).

For commission reviewers' sessions and secretariat keys with `compliance:read` (every party); a
member organisation's supervisors and heads get their own organisation and the regional median only.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from hotline.audit.log import record
from hotline.audit.refusals import refuse
from hotline.review import figures as compliance
from hotline.review.access import may_open_review, own_organisation, sees_every_party


class ReviewRefused(PermissionDenied):
    default_code = "review_access_refused"


def _period(request) -> compliance.Period:
    try:
        return compliance.period_from(request.query_params)
    except ValueError as error:
        raise ValidationError({"period": [str(error)]}) from None


def _caller_may_open(request, what: str):
    if not may_open_review(request.user):
        raise refuse(request.user, what, refusal=ReviewRefused)


def only_own(figures: dict, organisation) -> dict:
    """What a supervisor or head sees: their own organisation (no party totals) and the regional median."""
    own = [
        {"party": party["party"], "name": party["name"], "organisation": organisation_figures}
        for party in figures["parties"]
        for organisation_figures in party["organisations"]
        if organisation_figures["organisation"] == organisation.code
    ]
    return {
        **{key: figures[key] for key in ("since", "until", "exercise", "computed_at")},
        "parties": [
            {"party": o["party"], "name": o["name"], "totals": None, "organisations": [o["organisation"]]} for o in own
        ],
        "region": figures["region"],
    }


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "since",
        str,
        description="Start, inclusive: RFC 3339 with its offset, or a date (local midnight). Default: 30 days "
        "before `until`.",
    ),
    OpenApiParameter(
        "until",
        str,
        description="End, exclusive: RFC 3339 with its offset, or a date (that whole day included). Default: now.",
    ),
    OpenApiParameter(
        "preset", str, enum=list(compliance.PRESETS), description="A named period instead of since/until."
    ),
    OpenApiParameter(
        "exercise", str, enum=["true", "false"], description="true: drill traffic; false (default): real traffic."
    ),
]
PERIOD_FIELDS = {
    "since": serializers.DateTimeField(),
    "until": serializers.DateTimeField(),
    "exercise": serializers.BooleanField(),
}
# The nested figures are described in the README ("Compliance figures: the definitions").
FIGURES = inline_serializer(
    "ComplianceFigures",
    {
        **PERIOD_FIELDS,
        "computed_at": serializers.DateTimeField(),
        "parties": serializers.ListField(child=serializers.JSONField()),
        "region": serializers.JSONField(),
    },
)
ITEMS = inline_serializer(
    "ComplianceItems",
    {**PERIOD_FIELDS, "figure": serializers.CharField(), "items": serializers.ListField(child=serializers.JSONField())},
)
TREND = inline_serializer(
    "ComplianceTrend",
    {"exercise": serializers.BooleanField(), "months": serializers.ListField(child=serializers.JSONField())},
)


def _audited(request, page: str, period: compliance.Period, **details) -> None:
    record(
        "review.opened",
        actor=request.user,
        details={"page": page, "through": "api", **period.as_dict(), **details},
    )


class ComplianceFigures(APIView):
    """Every figure of the period, per party and organisation, with the regional median."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: FIGURES})
    def get(self, request):
        _caller_may_open(request, "read the compliance figures")
        period = _period(request)
        figures = compliance.compute(period)
        if not sees_every_party(request.user):
            figures = only_own(figures, own_organisation(request.user))
        _audited(request, "figures", period)
        return Response(figures)


FIGURE = OpenApiParameter("figure", str, enum=list(compliance.ITEM_FIGURES), required=True)
ORGANISATION = OpenApiParameter("organisation", str, description="An organisation's code, e.g. HR-CERT.")
PARTY = OpenApiParameter("party", str, description="A party's code, e.g. HR.")


class ComplianceItems(APIView):
    """The things behind one figure (metadata only: references, organisations, times, never content)."""

    @extend_schema(parameters=[*PERIOD_PARAMETERS, FIGURE, ORGANISATION, PARTY], responses={200: ITEMS})
    def get(self, request):
        _caller_may_open(request, "read the items behind a compliance figure")
        period = _period(request)
        figure = request.query_params.get("figure", "")
        if figure not in compliance.ITEM_FIGURES:
            raise ValidationError({"figure": [f"Choose one of: {', '.join(compliance.ITEM_FIGURES)}."]})
        organisation_code = request.query_params.get("organisation") or None
        party_code = request.query_params.get("party") or None
        if not sees_every_party(request.user):
            own = own_organisation(request.user)
            if organisation_code not in (None, own.code) or party_code is not None:
                raise refuse(request.user, "read another organisation's compliance items", refusal=ReviewRefused)
            organisation_code = own.code
        rows = compliance.items(period, figure, organisation_code=organisation_code, party_code=party_code)
        for row in rows:
            row.pop("incident_id")  # the console's link; the API names the incident by its reference
        _audited(request, "items", period, figure=figure, organisation=organisation_code or "", party=party_code or "")
        return Response({**period.as_dict(), "figure": figure, "items": rows})


class ComplianceTrend(APIView):
    """The main figures of each of the last 12 calendar months up to `until`, per party and the regional
    median (a supervisor or head: the regional median only)."""

    @extend_schema(parameters=PERIOD_PARAMETERS[1:2] + PERIOD_PARAMETERS[3:], responses={200: TREND})
    def get(self, request):
        _caller_may_open(request, "read the compliance trend")
        period = _period(request)
        points = compliance.trend(until=period.until, exercise=period.exercise)
        if not sees_every_party(request.user):
            for point in points:
                point.pop("parties")
        _audited(request, "trend", period)
        return Response({"exercise": period.exercise, "months": points})
