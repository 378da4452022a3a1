"""Who a reachability check goes to and who sends it.

The commission tests that every party's points of contact answer at any hour, as the OSCE and UN
directories "ping test" theirs and military hotlines are tested weekly. Observers read; the secretariat
sends. Every other organisation (the parties' CERTs and crisis centres) is checked.
"""

from accounts.choices import OrganisationKind
from accounts.models import Organisation

NOT_CHECKED = (OrganisationKind.OBSERVER, OrganisationKind.SECRETARIAT)


def checked_organisations():
    return Organisation.objects.exclude(kind__in=NOT_CHECKED).select_related("party")


def is_checked(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.kind not in NOT_CHECKED


def commission() -> Organisation | None:
    """The organisation that sends checks: the commission secretariat (the first, if there were several)."""
    return Organisation.objects.commission().order_by("pk").first()


def commission_ids() -> list[int]:
    """The secretariat's organisations: they hear of every check and every answer."""
    return list(Organisation.objects.commission().values_list("pk", flat=True))
