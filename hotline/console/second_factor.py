"""The one answer to "has this person passed the second factor?", for HTTP requests and WebSockets."""

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice


def has_passed_second_factor(user, session) -> bool:
    if not settings.OTP_REQUIRED:
        return True
    if hasattr(user, "is_verified"):  # set by django-otp's middleware on HTTP requests
        return user.is_verified()
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk and device.confirmed


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
