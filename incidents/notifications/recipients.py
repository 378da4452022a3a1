"""Who receives a notification: computed, never chosen by the notifying party.

A party receives through its defence crisis centre (its CERT too for a cyber exercise); a party with
no crisis centre in the directory receives through every organisation it has. The commission's
organisations receive everything.
"""

from accounts.choices import OrganisationKind, PartyKind
from accounts.models import Organisation
from incidents.notifications.choices import ExerciseType
from incidents.notifications.models import ExerciseAcknowledgement, ExerciseNotification


def party_desks(party_codes, *, with_certs: bool = False) -> list[Organisation]:
    kinds = [OrganisationKind.CRISIS_CENTRE, *([OrganisationKind.CERT] if with_certs else [])]
    members = Organisation.objects.filter(party__code__in=party_codes, party__kind=PartyKind.MEMBER).select_related(
        "party"
    )
    found = []
    for code in party_codes:
        own = [organisation for organisation in members if organisation.party.code == code]
        found += [organisation for organisation in own if organisation.kind in kinds] or [
            organisation
            for organisation in own
            if organisation.kind in (OrganisationKind.CERT, OrganisationKind.CRISIS_CENTRE)
        ]
    return found


def commission() -> list[Organisation]:
    return list(Organisation.objects.commission().select_related("party"))


def exercise_recipients(notifying: Organisation, exercise_type: str) -> list[Organisation]:
    """Every other participant, and the commission."""
    others = Organisation.objects.filter(party__kind=PartyKind.MEMBER).exclude(party_id=notifying.party_id)
    codes = sorted(set(others.values_list("party__code", flat=True)))
    return party_desks(codes, with_certs=exercise_type == ExerciseType.CYBER) + commission()


def invited_organisations(notification: ExerciseNotification) -> set[int]:
    """Who may answer an invitation: the latest version's recipients except the commission."""
    return set(
        ExerciseAcknowledgement.objects.filter(version_id=notification.latest_id)
        .exclude(organisation__kind=OrganisationKind.SECRETARIAT)
        .values_list("organisation_id", flat=True)
    )
