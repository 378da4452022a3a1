"""The 24/7 directory through the API: read-only, for every signed-in person and every key with
`directory:read`. The lists are bounded by the number of organisations, so they are not paginated."""

from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from accounts.api.permissions import HasRequiredScope
from accounts.api.serializers import ContactPointSerializer, OrganisationSerializer, PartySerializer
from accounts.choices import ApiScope
from accounts.filtersets import ContactPointFilterSet, OrganisationFilterSet, PartyFilterSet
from accounts.models import ContactPoint, Organisation, Party


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
