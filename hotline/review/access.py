"""Who sees the commission's review. Views, the API and the exports ask here.

- Commission reviewers and administrators (people), and API keys of the secretariat with the
  `compliance:read` scope, see every party's figures.
- Supervisors and heads of a member organisation see their own organisation's figures beside the
  regional median, and no other party by name.
- Everyone else (duty officers, observers, other keys): no review.
"""

from accounts.access import is_person, is_reviewer
from accounts.choices import OrganisationKind, PartyKind, Role

COMPLIANCE_SCOPE = "compliance:read"
OWN_FIGURES_ROLES = {Role.SUPERVISOR, Role.HEAD}


def _organisation(caller):
    return getattr(caller, "organisation", None) if getattr(caller, "is_authenticated", False) else None


def sees_every_party(caller) -> bool:
    if not getattr(caller, "is_authenticated", False):
        return False
    if not is_person(caller):
        organisation = caller.organisation
        return caller.has_scope(COMPLIANCE_SCOPE) and organisation.kind == OrganisationKind.SECRETARIAT
    return is_reviewer(caller)


def own_organisation(caller):
    """The member organisation whose own figures `caller` (a supervisor or head) sees, else None."""
    organisation = _organisation(caller)
    if (
        organisation is None
        or not is_person(caller)
        or getattr(caller, "role", None) not in OWN_FIGURES_ROLES
        or organisation.party.kind != PartyKind.MEMBER
    ):
        return None
    return organisation


def may_open_timeline(caller, participants: set[str]) -> bool:
    """An incident's reviewer timeline: for those who see every party, and for the supervisors and heads
    of the incident's originator and recipients (`participants`: their codes)."""
    if sees_every_party(caller):
        return True
    organisation = _organisation(caller)
    return (
        organisation is not None
        and is_person(caller)
        and getattr(caller, "role", None) in OWN_FIGURES_ROLES
        and organisation.code in participants
    )


def may_open_review(caller) -> bool:
    return sees_every_party(caller) or own_organisation(caller) is not None
