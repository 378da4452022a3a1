"""Who may do what in the directory, rosters and keys. Views and API views ask here; templates never do.

- Everyone signed in (and every key with `directory:read`) reads the whole directory and every roster.
- Supervisors and heads edit their own organisation's contact points, rosters and API keys.
- Commission administrators (administrators of the secretariat) edit every organisation's.
- Duty officers, reviewers and observers' people read only.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from hotline.audit.log import record

MANAGING_ROLES = {Role.SUPERVISOR, Role.HEAD}


def is_person(caller) -> bool:
    """A person signed in, as opposed to an API key's client (`ApiClient`)."""
    return getattr(caller, "api_key", None) is None


def is_commission_administrator(user) -> bool:
    organisation = getattr(user, "organisation", None)
    return bool(
        getattr(user, "is_superuser", False)
        or (
            organisation is not None
            and organisation.kind == OrganisationKind.SECRETARIAT
            and user.role == Role.ADMINISTRATOR
        )
    )


def manageable_organisations(user):
    """The organisations whose contact points, rosters and keys `user` may change."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "role"):
        return Organisation.objects.none()
    if is_commission_administrator(user):
        return Organisation.objects.all()
    if (
        user.role in MANAGING_ROLES
        and user.organisation_id is not None
        and user.organisation.kind != OrganisationKind.OBSERVER
    ):
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def can_manage(user, organisation: Organisation) -> bool:
    return manageable_organisations(user).filter(pk=organisation.pk).exists()


def access_organisation_for_change(user, code: str) -> Organisation:
    """The organisation `code`, if `user` may change it; 404 if there is none, 403 if not theirs."""
    organisation = get_object_or_404(Organisation, code=code)
    if not can_manage(user, organisation):
        record(
            "access.refused",
            actor=user,
            details={"what": "change the directory, roster or keys", "target": organisation.code},
        )
        raise PermissionDenied(f"You may not change {organisation.code}'s directory entries, rosters or keys.")
    return organisation


def may_unlock_sign_in(user) -> bool:
    """Commission administrators lift sign-in lockouts, of every organisation's people."""
    return is_commission_administrator(user)


def access_person_to_unlock(user, code: str, username: str) -> User:
    """The person `username` of organisation `code`, if `user` may unlock their sign-in; 404 if there is
    no such person, 403 for anyone but a commission administrator."""
    person = get_object_or_404(User, organisation__code=code, username=username)
    if not may_unlock_sign_in(user):
        record("access.refused", actor=user, details={"what": "unlock a sign-in", "target": username})
        raise PermissionDenied("Only commission administrators may unlock a sign-in.")
    return person


def is_reviewer(user) -> bool:
    """Commission reviewers and administrators read the audit log itself (settings.AUDIT_REVIEWER_CHECK)."""
    if is_commission_administrator(user):
        return True
    organisation = getattr(user, "organisation", None)
    return bool(
        organisation is not None
        and organisation.kind == OrganisationKind.SECRETARIAT
        and getattr(user, "role", None) == Role.REVIEWER
    )
