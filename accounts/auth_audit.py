"""Sign-ins, failed sign-ins, sign-outs and lockouts into the audit log.

Django announces these through its auth signals, django-axes the lockouts through its own (framework
hooks, the one place we use signals), and lockouts lifted outside the console by the deletion of
django-axes' counts (its admin, `manage.py axes_reset*`); connected in AccountsConfig.ready.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete
from django.utils import timezone

from hotline.audit.log import record
from hotline.formats import iso_time


def on_login(sender, request, user, **kwargs):
    record("login", actor=user, details={"ip": client_address(request)})


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, details={"ip": client_address(request)})


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked anything secret-looking in `credentials`; only the name tried is kept.
    record(
        "login.failed", details={"username": str(credentials.get("username", ""))[:150], "ip": client_address(request)}
    )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    # Axes announces a lockout again at every refused try during it; the log keeps the one failure that
    # reached the limit (each refused try is still its own `login.failed`).
    credentials = getattr(request, "axes_credentials", None)
    if getattr(request, "axes_failures_since_start", None) != get_failure_limit(request, credentials):
        return
    record(
        "auth.locked_out",
        details={
            "username": str(username or "")[:150],
            "ip": ip_address or "",
            "until": iso_time(timezone.now() + get_cool_off(request)),
        },
    )


# Set while the console's unlock (accounts.actions.do_unlock_sign_in) forgets the counts: it records
# `auth.unlocked` itself, with its actor.
_console_unlock: ContextVar[bool] = ContextVar("console_unlock", default=False)


@contextmanager
def unlocking_in_the_console():
    token = _console_unlock.set(True)
    try:
        yield
    finally:
        _console_unlock.reset(token)


def on_attempt_deleted(sender, instance: AccessAttempt, **kwargs):
    # A count deleted outside the console (the axes admin, `manage.py axes_reset*`) that held a lockout
    # lifts it: record that. Counts that expire or end at a good sign-in held none and are not recorded.
    if _console_unlock.get():
        return
    locked = instance.failures_since_start >= get_failure_limit(None, None) and (
        instance.attempt_time >= timezone.now() - get_cool_off()
    )
    if locked:
        record(
            "auth.unlocked",
            details={
                "username": str(instance.username or "")[:150],
                "ip": instance.ip_address or "",
                "through": "outside the console",
            },
        )


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, which uvicorn sets from X-Forwarded-For for trusted proxies
    only (FORWARDED_ALLOW_IPS). The audit log and the sign-in throttling (AXES_CLIENT_IP_CALLABLE) use it."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_logged_out.connect(on_logout, dispatch_uid="audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit-locked-out")
    post_delete.connect(on_attempt_deleted, sender=AccessAttempt, dispatch_uid="audit-attempt-deleted")
