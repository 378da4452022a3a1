"""Who may do what with escalation. Views and API views ask here.

- Everyone signed in (and every API key) reads the policies; commission administrators edit them.
- A timer's timeline is seen by whoever may see its subject (the subject's app decides).
- A timer is acknowledged by people of its recipient organisation (the subject's app checks it).
- "Acknowledged by phone" is recorded by a supervisor or head of the sending or the receiving
  organisation, or by a commission administrator.
"""

from accounts.access import is_commission_administrator, is_person
from accounts.choices import Role
from hotline.audit.refusals import not_found
from hotline.db import LARGEST_ID
from hotline.escalation.models import Timer
from hotline.escalation.subjects import subject_type

NOT_FOUND = "There is no such timer."
PHONE_RECORDING_ROLES = {Role.SUPERVISOR, Role.HEAD}


def may_edit_policies(caller) -> bool:
    return is_person(caller) and is_commission_administrator(caller)


def may_see_timer(caller, timer: Timer) -> bool:
    return subject_type(timer.subject_kind).may_see(caller, timer.subject_id)


def access_timer(caller, pk: int) -> Timer:
    """The timer, if the caller may see its subject; 404 otherwise (not a 403 that would confirm it exists)."""
    timer = Timer.objects.select_related("recipient", "sender").filter(pk=pk).first() if pk <= LARGEST_ID else None
    if timer is None or not may_see_timer(caller, timer):
        raise not_found(caller, "timer", pk, NOT_FOUND)
    return timer


def may_record_phone_acknowledgement(caller, timer: Timer) -> bool:
    if not is_person(caller):
        return False
    if is_commission_administrator(caller):
        return True
    return caller.role in PHONE_RECORDING_ROLES and caller.organisation_id in (timer.sender_id, timer.recipient_id)
