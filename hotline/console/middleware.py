from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from hotline.api import json_error
from hotline.console.second_factor import has_confirmed_device, has_passed_second_factor
from hotline.console.sessions import keep_session_alive, session_reached_limit

# Paths a signed-in person may reach before passing the second factor: the second-factor pages
# themselves, signing out, static files, the health check and a page's signed acknowledgement link
# (which needs no sign-in at all: its signature is the credential).
SECOND_FACTOR_EXEMPT_PREFIXES = ("/otp/", "/logout/", "/static/", "/healthz", "/ack/")


class SecondFactorRequiredMiddleware:
    """Sends a signed-in person who has not passed the second factor to enrol or verify first.

    Enforced for every console page, the admin and session-authenticated API calls; API keys (a later
    issue) authenticate machines and do not pass through here as users.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(SECOND_FACTOR_EXEMPT_PREFIXES)
            and not has_passed_second_factor(user, request.session)
        ):
            if request.path.startswith("/api/"):
                return json_error(403, "second_factor_required", "Pass the second factor in the console first.")
            target = "console:otp-verify" if has_confirmed_device(user) else "console:otp-enrol"
            return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Slides a signed-in person's session expiry with each request (hotline.console.sessions) and signs
    out a session past HOTLINE_SESSION_MAX_HOURS: the console goes to the login with a message, the API
    answers 401 `session_expired`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if session_reached_limit(request.session):
                logout(request)
                if request.path.startswith("/api/"):
                    return json_error(401, "session_expired", "The session reached its limit: sign in again.")
                hours = settings.HOTLINE_SESSION_MAX_HOURS
                messages.info(request, f"Your session reached its limit of {hours} hours: sign in again.")
                return HttpResponseRedirect(reverse(settings.LOGIN_URL))
            keep_session_alive(request.session)
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Shows times in the person's zone (`User.zone_name`: their own, else their organisation's); the
    deployment's default for visitors and API keys."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = getattr(request.user, "zone_name", "") or settings.TIME_ZONE
        try:
            timezone.activate(ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            timezone.activate(ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Features no page of ours uses: a page that asks for them is not ours.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# Our pages load scripts and styles from our own static files only: no inline script or style, no CDN
# (an injected <script> or style attribute does not run). WebSockets go back to the same host ('self').
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and Redoc (vendored, drf-spectacular's pages) write styles inline and Redoc starts a worker
# from a blob: only their two pages get that much, and they show the schema, no incident content.
API_DOCS_PATHS = ("/api/docs/", "/api/redoc/")
API_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Headers every answer carries (Django's SecurityMiddleware sets Referrer-Policy,
    Cross-Origin-Opener-Policy and nosniff; this sets what it does not):
    - `Cache-Control: no-store` unless the view chose its caching (the border data and a party's calendar
      revalidate with `private, no-cache`): incident, notification and audit content must not linger in
      a browser's or a proxy's cache on a shared duty-room machine. Static files never get here:
      WhiteNoise, above this middleware, answers them with their long cache lifetime;
    - the Content-Security-Policy and the Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        policy = API_DOCS_POLICY if request.path.startswith(API_DOCS_PATHS) else CONTENT_SECURITY_POLICY
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
