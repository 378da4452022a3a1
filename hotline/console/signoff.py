"""Signing out closes the session's live channels at once.

Django announces a sign-out through its `user_logged_out` signal (a framework hook, the one place we use
signals), connected in ConsoleConfig.ready. It fires before Django deletes the session, so the ring tells
the channels to end, not to check (hotline.realtime.revocation).
"""

from django.contrib.auth.signals import user_logged_out

from hotline.realtime.revocation import ring_session_end


def on_logout(sender, request, user, **kwargs):
    session_key = request.session.session_key if request is not None else None
    if session_key:
        ring_session_end(session_key)


def connect() -> None:
    user_logged_out.connect(on_logout, dispatch_uid="live-channel-logout")
