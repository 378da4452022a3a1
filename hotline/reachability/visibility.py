"""Which reachability checks a caller sees, and the one lookup every page and endpoint uses to find one.

Every check is visible to everyone signed in and to every key with `checks:read`: the results are
TLP:GREEN, shared with all parties as the directory is (confidence comes from seeing each other answer).
A check that does not exist and one the caller may not see answer the same 404.
"""

from datetime import datetime

from accounts.models import Organisation
from hotline.audit.refusals import not_found
from hotline.db import LARGEST_ID
from hotline.reachability.figures import with_counts
from hotline.reachability.models import CheckResponse, ReachabilityCheck

NOT_FOUND = "There is no such reachability check."


def visible_checks(caller):
    """Every check, for everyone signed in and every key with `checks:read`."""
    if not getattr(caller, "is_authenticated", False):
        return ReachabilityCheck.objects.none()
    return ReachabilityCheck.objects.all()


def access_check(
    caller, *, pk: int | None = None, reference: str | None = None, now: datetime | None = None
) -> ReachabilityCheck:
    """The check with id `pk` (the API) or `reference` (the console), with its counts
    (figures.with_counts at `now`), if the caller may see it; Http404 otherwise."""
    checks = with_counts(visible_checks(caller), now)
    if pk is not None:
        # A larger id than the database's integers would fail in the query instead of matching nothing.
        check = checks.filter(pk=pk).first() if pk <= LARGEST_ID else None
    else:
        check = checks.filter(reference=reference).first() if reference is not None else None
    if check is None:
        raise not_found(caller, "reachability check", pk if pk is not None else reference, NOT_FOUND)
    return check


def own_response(caller, check: ReachabilityCheck) -> CheckResponse | None:
    """The caller's organisation's response to `check` (the one it answers), or None if the check was not
    sent to it."""
    return (
        check.responses.filter(organisation_id=caller.organisation_id)
        .select_related("organisation", "reachability_check")
        .first()
    )


def waiting_for(organisation: Organisation | None):
    """The responses that still wait on `organisation`, soonest due first (late ones too: a late answer
    still counts as an answer)."""
    if organisation is None:
        return CheckResponse.objects.none()
    return (
        CheckResponse.objects.filter(organisation=organisation, acknowledged_at__isnull=True)
        .select_related("reachability_check", "organisation")
        .order_by("due_at", "pk")
    )
