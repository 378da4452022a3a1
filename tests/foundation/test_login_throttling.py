"""Sign-in is throttled: after five wrong passwords for a person from one address, or from one address
for anyone, the login page refuses for a cool-off of 15 minutes and says when to try again; the lockout
is in the audit log and an administrator can lift it. The second factor's codes are throttled too."""

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone

from hotline.audit.models import AuditEntry
from tests.conftest import PASSWORD, current_code, enrol_authenticator, make_user

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.20"


def try_password(client, password: str, username: str = "rs-mod-duty", address: str = ATTACKER):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address, follow=True)


def fail_five_times(client, username: str = "rs-mod-duty", address: str = ATTACKER) -> None:
    for _ in range(5):
        try_password(client, "not the password", username=username, address=address)


def is_signed_in(response) -> bool:
    return bool(response.redirect_chain) and not response.redirect_chain[-1][0].startswith("/login/")


def test_five_wrong_passwords_then_the_right_one_is_refused_with_when_to_retry(client, duty_officer):
    fail_five_times(client)
    response = try_password(client, PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(response)
    assert b"Too many failed sign-ins" in response.content
    assert b"Try again after" in response.content
    assert b'role="alert"' in response.content


def test_a_lockout_is_recorded_once_in_the_audit_log_with_the_name_and_address(client, duty_officer):
    fail_five_times(client)
    try_password(client, PASSWORD)
    try_password(client, "still wrong")
    entries = AuditEntry.objects.filter(action="auth.locked_out")
    assert entries.count() == 1
    details = entries.get().content["details"]
    assert (details["username"], details["ip"]) == ("rs-mod-duty", ATTACKER)
    assert "until" in details


def test_after_the_cool_off_the_right_password_signs_in(client, duty_officer):
    enrol_authenticator(duty_officer)
    fail_five_times(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = try_password(client, PASSWORD)
    assert response.redirect_chain[-1][0].startswith("/otp/verify/")


def test_the_same_person_from_another_address_is_not_locked_out(client, duty_officer):
    enrol_authenticator(duty_officer)
    fail_five_times(client)
    response = try_password(client, PASSWORD, address=OFFICE)
    assert response.redirect_chain[-1][0].startswith("/otp/verify/")


def test_another_person_from_another_address_is_not_locked_out(client, duty_officer):
    colleague = make_user("hr-csirt-duty")
    enrol_authenticator(colleague)
    fail_five_times(client)
    response = try_password(client, PASSWORD, username="hr-csirt-duty", address=OFFICE)
    assert response.redirect_chain[-1][0].startswith("/otp/verify/")


def test_an_address_guessing_many_names_is_locked_out_for_every_name(client, duty_officer):
    for name in ("admin", "root", "commission", "duty", "operator"):
        try_password(client, "Winter2026!", username=name)
    response = try_password(client, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content


def test_an_administrator_resetting_the_username_unlocks_the_person(client, duty_officer):
    enrol_authenticator(duty_officer)
    fail_five_times(client)
    call_command("axes_reset_username", "rs-mod-duty", verbosity=0)
    response = try_password(client, PASSWORD)
    assert response.redirect_chain[-1][0].startswith("/otp/verify/")


def test_demo_mode_password_only_sign_in_is_throttled_too(client, duty_officer, settings):
    settings.OTP_REQUIRED = False
    settings.DEMO_MODE = True
    fail_five_times(client)
    response = try_password(client, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert client.get("/").status_code == 302


def test_wrong_codes_in_a_row_make_the_second_factor_wait_before_the_next_try(client, duty_officer):
    device = enrol_authenticator(duty_officer)
    try_password(client, PASSWORD)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(3):
        client.post("/otp/verify/", {"token": wrong})
    response = client.post("/otp/verify/", {"token": current_code(device)})
    assert b"Too many wrong codes" in response.content
    assert client.get("/").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        response = client.post("/otp/verify/", {"token": current_code(device)}, follow=True)
    assert b"Duty board" in response.content
