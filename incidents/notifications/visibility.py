"""Who sees which notification. Every list, detail, feed, event and calendar asks here.

- Exercise notifications are the parties' transparency measure towards each other: every organisation
  of a participant (CERTs and crisis centres) and the commission sees all of them. Observers do not.
- A drone flight concerns the operator's party, the parties within the buffer (its recipients) and the
  commission: the organisations of those parties and the commission see it; no other party learns of it.
"""

from dataclasses import dataclass

from django.db.models import Q

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from hotline.audit.refusals import not_found
from hotline.db import LARGEST_ID
from incidents.notifications.models import DroneFlight, ExerciseNotification, ObservationInvitation

TAKING_PART = (OrganisationKind.CERT, OrganisationKind.CRISIS_CENTRE, OrganisationKind.SECRETARIAT)


@dataclass(frozen=True)
class OrganisationReader:
    """An organisation standing in for its people (feeds, events): only the organisation is asked of a caller."""

    organisation: Organisation


def _organisation(caller):
    return getattr(caller, "organisation", None)


def visible_exercises(caller, queryset=None):
    queryset = ExerciseNotification.objects.all() if queryset is None else queryset
    organisation = _organisation(caller)
    if organisation is None or organisation.kind not in TAKING_PART:
        return queryset.none()
    return queryset


def exercise_audience() -> set[int]:
    return set(Organisation.objects.filter(kind__in=TAKING_PART).values_list("pk", flat=True))


def visible_flights(caller, queryset=None):
    queryset = DroneFlight.objects.all() if queryset is None else queryset
    organisation = _organisation(caller)
    if organisation is None or organisation.kind not in TAKING_PART:
        return queryset.none()
    if organisation.kind == OrganisationKind.SECRETARIAT:
        return queryset
    concerned = DroneFlight.objects.filter(
        Q(organisation__party_id=organisation.party_id)
        | Q(acknowledgements__organisation__party_id=organisation.party_id)
    ).values("pk")
    return queryset.filter(pk__in=concerned)


def flight_audience(flight: DroneFlight) -> set[int]:
    """The organisations that see `flight` (the same rule as visible_flights, for events)."""
    parties = {flight.organisation.party_id, *flight.acknowledgements.values_list("organisation__party_id", flat=True)}
    return set(
        Organisation.objects.filter(Q(party_id__in=parties) | Q(kind=OrganisationKind.SECRETARIAT))
        .filter(kind__in=TAKING_PART)
        .values_list("pk", flat=True)
    )


def _by_reference(caller, queryset, reference_or_pk, prefix: str):
    try:
        text = str(reference_or_pk)
        if text.isdigit():
            if int(text) > LARGEST_ID:
                raise ValueError
            return queryset.get(pk=int(text))
        letters, year, number = text.split("-")
        if letters != prefix:
            raise ValueError
        return queryset.get(year=int(year), number=int(number))
    except (queryset.model.DoesNotExist, ValueError):
        what = queryset.model._meta.verbose_name
        raise not_found(caller, what, reference_or_pk, f"There is no such {what}.") from None


def access_exercise(caller, reference_or_pk) -> ExerciseNotification:
    """The notification, if `caller` may see it; else 404 (an observer cannot even learn it exists)."""
    return _by_reference(
        caller, visible_exercises(caller).select_related("organisation__party", "latest"), reference_or_pk, "EX"
    )


def access_flight(caller, reference_or_pk) -> DroneFlight:
    """The flight, if `caller` may see it; else 404, so that a party not concerned cannot learn it exists."""
    return _by_reference(caller, visible_flights(caller).select_related("organisation__party"), reference_or_pk, "DF")


def access_invitation(caller, pk: int) -> ObservationInvitation:
    """The invitation, if `caller` sees its exercise; else 404, as if it did not exist."""
    invitation = None
    if pk <= LARGEST_ID:
        invitations = ObservationInvitation.objects.select_related("notification__organisation")
        invitation = invitations.filter(pk=pk, notification__in=visible_exercises(caller)).first()
    if invitation is None:
        raise not_found(caller, "observation invitation", pk, "There is no such invitation.")
    return invitation
