from django.conf import settings
from django.utils import timezone

from accounts.access import manageable_organisations
from hotline.console.second_factor import has_passed_second_factor

# The console's sections, in the order of the navigation. A section whose page does not exist yet is
# shown greyed out, so nobody mistakes an unbuilt feature for a working one.
SECTIONS = [
    ("Incidents", None),
    ("Notifications", None),
    ("Directory", "accounts:directory"),
    ("Rosters", "accounts:rosters"),
    ("Audit", "audit:index"),
]


def console(request):
    user = request.user
    return {
        # Navigation and the live channel only once the person is fully signed in: on the second-factor
        # pages the channel would be refused, and the page would keep asking.
        "console_ready": user.is_authenticated and has_passed_second_factor(user, request.session),
        "demo_mode": settings.DEMO_MODE,
        "otp_required": settings.OTP_REQUIRED,
        "sections": SECTIONS,
        "manages_keys": user.is_authenticated and manageable_organisations(user).exists(),
        "current_time_zone": timezone.get_current_timezone_name(),
    }
