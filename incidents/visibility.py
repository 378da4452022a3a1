"""Who sees which incident, and how much of it. Every list, detail, download, event, push and export
asks here (STYLE.md: one scoping function per kind of object).

For the organisation of the person or API key asking:
- the originator and the named recipients see everything, whatever the TLP;
- the commission secretariat sees the content of CLEAR, GREEN and AMBER incidents, and only the
  metadata (reference, category, severity, TLP, status, organisations, times, acknowledgements) of
  AMBER+STRICT and RED ones, which are for the named recipients alone;
- observers see CLEAR and GREEN incidents;
- any other organisation, including every party not addressed, sees nothing: the incident does not
  exist for it.
"""

from enum import Enum

from django.db.models import BooleanField, Case, Q, Value, When

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from hotline.audit.refusals import not_found
from hotline.db import LARGEST_ID
from incidents.choices import COMMUNITY_TLP, RESTRICTED_TLP
from incidents.models import Incident

NOT_FOUND = "There is no such incident."


class Sight(Enum):
    NONE = "none"
    METADATA = "metadata"
    CONTENT = "content"


def _participant(organisation_id: int) -> Q:
    return Q(originator_id=organisation_id) | Q(recipients__id=organisation_id)


def _sight_rules(organisation: Organisation | None) -> tuple[Q, Q]:
    """(what the organisation sees at all, what of that it sees with content)."""
    if organisation is None:
        return Q(pk__in=[]), Q(pk__in=[])
    participant = _participant(organisation.pk)
    if organisation.kind == OrganisationKind.SECRETARIAT:
        return Q(), participant | ~Q(tlp__in=RESTRICTED_TLP)
    if organisation.kind == OrganisationKind.OBSERVER:
        sees = participant | Q(tlp__in=COMMUNITY_TLP)
        return sees, sees
    return participant, participant


def visible_incidents(caller, queryset=None):
    """The incidents `caller` (a person or an API client) may know of, each annotated with
    `content_visible`. Distinct: a recipient join must not repeat an incident."""
    organisation = getattr(caller, "organisation", None)
    sees, content = _sight_rules(organisation)
    queryset = Incident.objects.all() if queryset is None else queryset
    visible_ids = Incident.objects.filter(sees).values("pk")
    content_ids = Incident.objects.filter(content).values("pk")
    return (
        queryset.filter(pk__in=visible_ids)
        .annotate(
            content_visible=Case(
                When(pk__in=content_ids, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .select_related("originator__party")
    )


def audiences(incident: Incident) -> dict[Sight, set[int]]:
    """The ids of the organisations that see `incident` with content, and with metadata only."""
    participants = {incident.originator_id, *(organisation.pk for organisation in incident.recipients.all())}
    content, metadata = set(participants), set()
    for organisation_id, kind in (
        Organisation.objects.exclude(pk__in=participants)
        .filter(kind__in=[OrganisationKind.SECRETARIAT, OrganisationKind.OBSERVER])
        .values_list("pk", "kind")
    ):
        if kind == OrganisationKind.SECRETARIAT:
            (metadata if incident.tlp in RESTRICTED_TLP else content).add(organisation_id)
        elif incident.tlp in COMMUNITY_TLP:
            content.add(organisation_id)
    return {Sight.CONTENT: content, Sight.METADATA: metadata}


def sight_of(organisation: Organisation, incident: Incident) -> Sight:
    """How much of `incident` one organisation sees (the same rules as visible_incidents, in Python;
    a test holds the two to each other for every organisation and TLP)."""
    for sight, organisation_ids in audiences(incident).items():
        if organisation.pk in organisation_ids:
            return sight
    return Sight.NONE


def access_incident(caller, reference_or_pk, *, content: bool = False) -> Incident:
    """The incident, if `caller` may know of it (and, with content=True, read it); else 404, so that a
    party not addressed cannot even learn that the reference exists. Each 404 is recorded (not_found)."""
    queryset = visible_incidents(caller)
    try:
        if isinstance(reference_or_pk, int) or str(reference_or_pk).isdigit():
            if int(reference_or_pk) > LARGEST_ID:  # no such row, and SQLite cannot even be asked
                raise Incident.DoesNotExist
            incident = queryset.get(pk=int(reference_or_pk))
        else:
            _, year, number = str(reference_or_pk).split("-")
            incident = queryset.get(year=int(year), number=int(number))
    except (Incident.DoesNotExist, ValueError):
        raise not_found(caller, "incident", reference_or_pk, NOT_FOUND) from None
    if content and not incident.content_visible:
        raise not_found(caller, "incident", reference_or_pk, NOT_FOUND)
    return incident


def is_participant(organisation: Organisation | None, incident: Incident) -> bool:
    if organisation is None:
        return False
    return incident.originator_id == organisation.pk or incident.recipients.filter(pk=organisation.pk).exists()
