"""Demo data for the Quick start: loaded once into an empty database, and only in demo mode.

Usernames follow `<org-code-in-lower-case>-<role>`; every demo user has the one password below, which
the README and the demo's start banner show.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts.models import User

DEMO_PASSWORD = "hotline-demo-2026"

# username → (first name, last name, what the account is for, staff/superuser)
DEMO_USERS = {
    "wbc-sec-admin": ("Ana", "Administrator", "commission secretariat administrator (Django admin)", True),
    "rs-mod-duty": ("Marko", "Petrović", "Serbia, defence crisis centre, duty officer", False),
    "hr-mod-duty": ("Ivana", "Horvat", "Croatia, defence crisis centre, duty officer", False),
}


def demo_logins() -> list[tuple[str, str]]:
    return [(username, description) for username, (_, _, description, _) in DEMO_USERS.items()]


def demo_data_loaded() -> bool:
    return User.objects.filter(username__in=DEMO_USERS).exists()


@transaction.atomic
def load_demo_data() -> None:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("demo data loads only in demo mode (HOTLINE_DEMO=1, or `hotline demo`)")
    for username, (first_name, last_name, _, is_admin) in DEMO_USERS.items():
        user = User(username=username, first_name=first_name, last_name=last_name, is_staff=is_admin, is_superuser=is_admin)
        user.set_password(DEMO_PASSWORD)
        user.save()
