"""Who may do what with reachability checks. Views and API views ask here; templates never do.

- Everyone signed in (and every key with `checks:read`) reads every check and the figures
  (visibility.py).
- Commission administrators start a check by hand (the schedule starts the others). API keys never do:
  a check pages every party, which is a person's decision.
- The people of a checked organisation who act for it (duty officers, supervisors, heads,
  administrators), and its keys with `checks:answer`, answer its own response and no other.
"""

from accounts.access import is_commission_administrator, is_person
from accounts.choices import OrganisationKind, Role

ANSWERING_ROLES = {Role.DUTY_OFFICER, Role.SUPERVISOR, Role.HEAD, Role.ADMINISTRATOR}


def may_start_checks(caller) -> bool:
    return is_person(caller) and is_commission_administrator(caller)


def may_answer_checks(caller) -> bool:
    """May this person or key answer checks for its organisation at all (scopes are checked by the API)?"""
    organisation = getattr(caller, "organisation", None)
    if organisation is None or organisation.kind in (OrganisationKind.OBSERVER, OrganisationKind.SECRETARIAT):
        return False
    return not is_person(caller) or caller.role in ANSWERING_ROLES


def may_answer(caller, response) -> bool:
    return may_answer_checks(caller) and caller.organisation_id == response.organisation_id
