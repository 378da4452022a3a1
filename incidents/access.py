"""Who may report, post, acknowledge and change incidents. Views and API views ask here.

- Reporting: the people of a CERT, a crisis centre or the commission secretariat who are on the duty
  side (duty officers, supervisors, heads, commission administrators), and API keys of those
  organisations with `incidents:write`. Reviewers and observers read only.
- Posting and acknowledging: the same people and keys, in incidents their organisation takes part in
  (as originator or recipient).
- Changing the status: the originating organisation's people and keys, and commission administrators.
- Changing the TLP (lowering or raising it): the originating organisation's people and keys only. Under
  TLP 2.0 the source sets the label: nobody else changes it, commission administrators included (else
  the commission could lower another party's RED report and read it). A recipient who wants a narrower
  label asks the originator in the thread.
"""

from accounts.access import is_commission_administrator, is_person
from accounts.choices import OrganisationKind, Role
from hotline.audit.refusals import refuse
from incidents.models import Incident
from incidents.visibility import is_participant

REPORTING_ORGANISATIONS = {OrganisationKind.CERT, OrganisationKind.CRISIS_CENTRE, OrganisationKind.SECRETARIAT}
ACTING_ROLES = {Role.DUTY_OFFICER, Role.SUPERVISOR, Role.HEAD, Role.ADMINISTRATOR}


def may_act(caller) -> bool:
    """May this person or key write anything at all in incidents (scopes are checked by the API)?"""
    organisation = getattr(caller, "organisation", None)
    if organisation is None or organisation.kind not in REPORTING_ORGANISATIONS:
        return False
    return not is_person(caller) or caller.role in ACTING_ROLES


def may_take_part(caller, incident: Incident) -> bool:
    return may_act(caller) and is_participant(caller.organisation, incident)


def may_change(caller, incident: Incident) -> bool:
    if is_person(caller) and is_commission_administrator(caller):
        return True
    return may_act(caller) and incident.originator_id == caller.organisation.pk


def may_change_tlp(caller, incident: Incident) -> bool:
    return may_act(caller) and incident.originator_id == caller.organisation.pk


def require_tlp_change(caller, incident: Incident) -> None:
    """Refuse (recorded) unless the caller may change this incident's TLP."""
    require(
        may_change_tlp(caller, incident),
        caller,
        f"change this incident's TLP: only the originating organisation ({incident.originator.code}) changes its label",
        incident,
    )


def require(allowed: bool, caller, what: str, incident: Incident | None = None) -> None:
    """Refuse (recorded, with the incident's reference) unless `allowed`."""
    if not allowed:
        raise refuse(caller, what, incident, details={"incident": incident.reference} if incident else None)
