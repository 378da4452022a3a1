from base64 import b32encode
from io import BytesIO
from math import ceil

import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions import do_set_preferences
from accounts.duty import next_on_duty, next_shift_of, on_duty, shift_of
from hotline.audit.log import record
from hotline.console.actions import do_confirm_totp_device
from hotline.console.activity import recent_activity
from hotline.console.forms import TokenForm
from hotline.console.second_factor import has_confirmed_device, has_passed_second_factor

ENROLMENT_DEVICE_NAME = "Authenticator app"


def safe_next(request, default: str = "console:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """The login page again, saying when to try again: django-axes answers with it (AXES_LOCKOUT_CALLABLE)
    a sign-in refused for too many failures. The cool-off runs from this try, since a try during a lockout
    starts it again. Axes' async path passes other arguments, so the name comes from the request."""
    cool_off = get_cool_off(request)
    username = (getattr(request, "axes_credentials", None) or {}).get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_until": timezone.now() + cool_off,
        "locked_minutes": ceil(cool_off.total_seconds() / 60),
        "next": safe_next(request, ""),
    }
    return render(request, "console/login.html", context, status=429)


@login_required
def home(request):
    """The duty board: am I on shift, who is on duty now and next, what waits (the panel, loaded by htmx)
    and what happened lately."""
    user, now = request.user, timezone.now()
    organisation = getattr(user, "organisation", None)
    board = {"now": now, "activity": recent_activity(getattr(user, "organisation_id", None))}
    if organisation is not None:
        board.update(
            my_shift=shift_of(user, now),
            my_next_shift=next_shift_of(user, now),
            on_duty=on_duty(organisation, now),
            next_on_duty=next_on_duty(organisation, now),
        )
        # When the card next changes (a shift ends or begins): board.js reloads it then.
        turns = [
            board["my_shift"] and board["my_shift"].ends_at,
            board["my_next_shift"] and board["my_next_shift"].starts_at,
            board["next_on_duty"] and board["next_on_duty"].starts_at,
            *(shift.ends_at for shift in [*board["on_duty"].primary, *board["on_duty"].backup]),
        ]
        board["duty_changes_at"] = min((turn for turn in turns if turn), default=None)
    return render(request, "console/home.html", board)


@login_required
@require_http_methods(["GET"])
def activity_panel(request):
    """The duty board's recent activity alone: board.js reloads it when a live event arrives."""
    return render(
        request, "console/_activity.html", {"activity": recent_activity(getattr(request.user, "organisation_id", None))}
    )


@login_required
@require_POST
def set_theme(request):
    """The top bar's Auto / Light / Dark: kept on the person (User.theme). console.js posts it with fetch()
    and gets 204; a form without the script comes back to the page it was sent from."""
    try:
        do_set_preferences(request.user, actor=request.user, theme=request.POST.get("theme", ""))
    except ValidationError:
        return HttpResponseBadRequest("Choose auto, light or dark.")
    if request.headers.get("Accept") == "application/json":
        return HttpResponse(status=204)
    return redirect(safe_next(request))


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step of the login for a person who has an authenticator app enrolled."""
    if has_passed_second_factor(request.user, request.session):
        return redirect(safe_next(request))
    if not has_confirmed_device(request.user):
        return redirect("console:otp-enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                form.add_error("token", "Too many wrong codes: wait a little and try again.")
                break
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                record("second_factor.verified", actor=request.user)
                return redirect(safe_next(request))
        else:
            record("second_factor.failed", actor=request.user)
            form.add_error("token", "That code is not right. Check the time on your phone and try again.")
    return render(request, "console/otp_verify.html", {"form": form, "next": safe_next(request, "")})


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """First login: enrol an authenticator app by scanning a QR code, then prove it with one code."""
    if has_confirmed_device(request.user):
        return redirect("console:otp-verify")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": ENROLMENT_DEVICE_NAME}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            do_confirm_totp_device(request.user, device)
            otp_login(request, device)
            return redirect(safe_next(request))
        form.add_error("token", "That code is not right. Scan the code again or check the time on your phone.")
    return render(
        request,
        "console/otp_enrol.html",
        {
            "form": form,
            "qr_svg": qr_code_svg(device.config_url),
            "secret": device_secret_base32(device),
            "next": safe_next(request, ""),
        },
    )


def qr_code_svg(text: str) -> str:
    """The QR code as inline SVG, drawn here: no image service, no network."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def device_secret_base32(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, in the groups of four that apps expect."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def bad_request(request, status: int, detail: str):
    """Django refused the request before any view ran (hotline.urls.handler400)."""
    title = "Request too large" if status == 413 else "Bad request"
    return render(request, "console/error.html", {"status": status, "title": title, "message": detail}, status=status)


def permission_denied(request, exception=None):
    # The console's refusals (accounts.access) say in words what the person may not do; show that.
    said = str(exception or "").strip()
    message = said or "Your role or organisation may not open this page or make this change."
    return render(
        request, "console/error.html", {"status": 403, "title": "Not allowed", "message": message}, status=403
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "console/error.html",
        {"status": 404, "title": "Not found", "message": "There is no page at this address."},
        status=404,
    )


def service_unavailable(request, status: int, detail: str):
    """The database or its storage failed (hotline.urls.handler500): a page that needs neither, so no
    request context (the user, messages and the console's context would each ask the database again)."""
    html = render_to_string("console/unavailable.html", {"status": status, "message": detail})
    return HttpResponse(html, status=status, headers={"Retry-After": "10"})


def server_error(request):
    return render(
        request,
        "console/error.html",
        {
            "status": 500,
            "title": "Server error",
            "message": (
                "Something went wrong on our side. The error was logged; "
                "try again, and if it persists phone the commission duty desk."
            ),
        },
        status=500,
    )
