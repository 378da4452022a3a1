"""Who is locked out of signing in: django-axes counts the wrong passwords (AccessAttempt) and refuses a
sign-in once a count reaches AXES_FAILURE_LIMIT within the cool-off (hotline/settings.py). This module
only reads those counts; lifting a lockout is an action (accounts.actions.do_unlock_sign_in)."""

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Organisation, User


def locked_out_people(organisation: Organisation) -> list[User]:
    """The organisation's people whose own wrong passwords have locked them out now. A lockout of an
    address guessing other names is lifted with `manage.py axes_reset_ip ADDRESS`."""
    since = timezone.now() - get_cool_off()
    usernames = organisation.people.values("username")
    locked = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=get_failure_limit(None, None))
        .values("username")
    )
    return list(organisation.people.filter(username__in=locked).order_by("username"))
