"""The 24/7 directory through the API: read-only, for every signed-in person and every key with
`directory:read`. The lists are bounded by the number of organisations, so they are not paginated."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import is_person
from accounts.actions import do_set_preferences
from accounts.api.permissions import HasRequiredScope
from accounts.api.serializers import (
    ContactPointSerializer,
    MeSerializer,
    OrganisationOnDutySerializer,
    OrganisationSerializer,
    PartySerializer,
    PreferencesSerializer,
)
from accounts.choices import ApiScope
from accounts.duty import next_on_duty, on_duty
from accounts.filtersets import ContactPointFilterSet, OrganisationFilterSet, PartyFilterSet
from accounts.models import ContactPoint, Organisation, Party
from hotline.api import ActionView, documented_errors
from hotline.audit.refusals import refuse


class DirectoryView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, HasRequiredScope]
    required_scope = ApiScope.DIRECTORY_READ
    pagination_class = None


class PartyList(DirectoryView):
    """The parties: the seven participants, the commission secretariat and the observers."""

    queryset = Party.objects.all()
    serializer_class = PartySerializer
    filterset_class = PartyFilterSet


class OrganisationList(DirectoryView):
    """Every organisation with who is on duty now (primary, backup, or its contact points if nobody)."""

    queryset = Organisation.objects.select_related("party").prefetch_related("contact_points")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet


class ContactPointList(DirectoryView):
    """Every way to reach each organisation, by priority."""

    queryset = ContactPoint.objects.select_related("organisation")
    serializer_class = ContactPointSerializer
    filterset_class = ContactPointFilterSet


class Me(ActionView):
    """`me/`: the signed-in person and their console preferences (the theme, the zone times are shown in).
    A person only: an API key has no preferences."""

    permission_classes = [IsAuthenticated]
    input_serializer = PreferencesSerializer
    idempotent = False  # PATCH sets values: sending it again changes nothing

    def permit(self, caller, _):
        if not is_person(caller):
            raise refuse(caller, "read or change a person's preferences with an API key")

    def act(self, caller, _, data):
        return do_set_preferences(caller, actor=caller, **data)

    def answer(self, caller, _, changed):
        return Response(MeSerializer(caller).data)

    @extend_schema(
        summary="Read the signed-in person", responses={200: MeSerializer, **documented_errors({}, 401, 403)}
    )
    def get(self, request):
        self.permit(request.user, None)
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        summary="Change the signed-in person's theme or time zone",
        request=PreferencesSerializer,
        responses={200: MeSerializer, **documented_errors({}, 400, 401, 403)},
    )
    def patch(self, request):
        return self.run_action(request)


class OrganisationOnDuty(APIView):
    """Who is on duty at one organisation now and next, with each person's phone and e-mail: the console
    home's duty board and the directory read the same (accounts.duty)."""

    permission_classes = [IsAuthenticated, HasRequiredScope]
    required_scope = ApiScope.DIRECTORY_READ

    @extend_schema(
        summary="Who is on duty at an organisation now and next",
        description="The primary and backup on duty now (or, when nobody is rostered, the organisation's contact "
        "points), and the next primary shift. Readable by every person signed in and every key with "
        "`directory:read`, as the whole directory is.",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. HR-MOD")],
        responses={
            200: OrganisationOnDutySerializer,
            **documented_errors({404: "There is no organisation with this code."}, 401, 403, 404),
        },
    )
    def get(self, request, code):
        organisation = get_object_or_404(Organisation, code=code)
        now = timezone.now()
        return Response(
            OrganisationOnDutySerializer(
                {
                    "organisation": organisation.code,
                    "now": on_duty(organisation, now),
                    "next": next_on_duty(organisation, now),
                }
            ).data
        )
