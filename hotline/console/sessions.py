"""How long a console session lasts: HOTLINE_SESSION_IDLE_MINUTES without activity, and at most
HOTLINE_SESSION_MAX_HOURS after sign-in however active.

The server-side expiry (SESSION_COOKIE_AGE = the idle time; the cookie is a browser-session cookie)
slides with activity: every HTTP request of the person (SessionTimeoutMiddleware) and every ping of the
live channel (ConsoleConsumer) calls `keep_session_alive`, which marks the session changed at most once a
minute, so Django writes its row, and its new expiry, at most that often. The sign-in time is kept at
sign-in (`user_logged_in`, connected in ConsoleConfig.ready); a session without it (made before this
rule) counts from its first use after.
"""

import time
from importlib import import_module

from django.conf import settings

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
ALIVE_KEY = "hotline_alive_at"  # epoch seconds of the last refresh of the expiry
SIGNED_IN_KEY = "hotline_signed_in_at"  # epoch seconds of the sign-in
REFRESH_EVERY_SECONDS = 60


def keep_session_alive(session) -> bool:
    """Slide the session's expiry if it was last slid a minute ago or more; True if it now needs saving."""
    now = time.time()
    changed = False
    if SIGNED_IN_KEY not in session:
        session[SIGNED_IN_KEY] = now
        changed = True
    if changed or now - session.get(ALIVE_KEY, 0) >= REFRESH_EVERY_SECONDS:
        session[ALIVE_KEY] = now
        changed = True
    return changed


def session_reached_limit(session) -> bool:
    signed_in_at = session.get(SIGNED_IN_KEY)
    return signed_in_at is not None and time.time() - signed_in_at > settings.HOTLINE_SESSION_MAX_HOURS * 3600


def on_login(sender, request, user, **kwargs):
    if request is not None:
        request.session[SIGNED_IN_KEY] = request.session[ALIVE_KEY] = time.time()
