"""Who may read what of the audit log. Reviewers (as accounts decides) read the log; every signed-in
person and every key with the `audit:read` scope reads the checkpoints and the chain's status."""

from django.conf import settings
from django.utils.module_loading import import_string

AUDIT_SCOPE = "audit:read"


def is_reviewer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and import_string(settings.AUDIT_REVIEWER_CHECK)(user)


def may_read_checkpoints(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    has_scope = getattr(user, "has_scope", None)
    return has_scope(AUDIT_SCOPE) if has_scope else True


def may_verify(user) -> bool:
    has_scope = getattr(user, "has_scope", None)
    if has_scope:  # an API key
        return has_scope(AUDIT_SCOPE)
    return is_reviewer(user)
