"""The console's own writes (STYLE.md: actions own writes): a person's second factor.

Each runs in one transaction with its audit entry.
"""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.audit.log import record


@transaction.atomic
def do_confirm_totp_device(user, device: TOTPDevice) -> TOTPDevice:
    """The enrolment is proven (the person typed a code the device made): the device counts from now on."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record("second_factor.enrolled", actor=user, details={"device": device.name})
    return device
