from django.conf import settings
from django.utils import timezone

from accounts.access import manageable_organisations
from accounts.choices import Theme
from hotline.console.second_factor import has_passed_second_factor
from hotline.realtime.outbox import last_event_id

# The console's sections, in the order of the navigation. A section whose page does not exist yet is
# shown greyed out, so nobody mistakes an unbuilt feature for a working one.
SECTIONS = [
    ("Incidents", "incidents:list"),
    ("Waiting", "escalation:waiting"),
    ("Notifications", "notifications:exercises"),
    ("Directory", "accounts:directory"),
    ("Rosters", "accounts:rosters"),
    ("Reachability checks", "reachability:checks"),
    ("Policies", "escalation:policies"),
    ("Audit", "audit:index"),
]


def console(request):
    user = request.user
    organisation_id = getattr(user, "organisation_id", None)
    return {
        # Navigation and the live channel only once the person is fully signed in: on the second-factor
        # pages the channel would be refused, and the page would keep asking.
        "console_ready": user.is_authenticated and has_passed_second_factor(user, request.session),
        "demo_mode": settings.DEMO_MODE,
        "otp_required": settings.OTP_REQUIRED,
        "sections": SECTIONS,
        "manages_keys": user.is_authenticated and manageable_organisations(user).exists(),
        # The viewer's zone by its abbreviation now ("CET", "CEST"): labels never name a city, which would
        # be one party's capital shown to another. The IANA name is for the browser (body data-time-zone).
        "current_time_zone": timezone.localtime().tzname(),
        "current_time_zone_name": timezone.get_current_timezone_name(),
        # The console's colours (<html data-theme>, set here so the page never flashes the wrong ones).
        "theme": getattr(user, "theme", "") or Theme.AUTO,
        "themes": Theme.choices,
        # The console alert (escalation.js) shows the pages addressed to this organisation.
        "current_organisation_id": organisation_id,
        # Where the page's live channel resumes from: the events up to this id are in the page. A
        # callable, so that only a template that shows it queries for it; a view that renders live
        # content passes its own value, taken before it reads that content.
        "last_event_id": (lambda: last_event_id(organisation_id)) if organisation_id else 0,
    }
