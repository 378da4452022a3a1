"""Sign-ins, failed sign-ins and sign-outs into the audit log.

Django announces these through its auth signals (a framework hook, the one place we use signals);
connected in AccountsConfig.ready.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from hotline.audit.log import record


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


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_logged_out.connect(on_logout, dispatch_uid="audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
