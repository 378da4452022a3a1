"""Every console user signs in with a password and a code from an authenticator app; only demo mode
lets people in with the password alone."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.audit.models import AuditEntry
from tests.conftest import PASSWORD, current_code, enrol_authenticator


def sign_in(client, username: str, next_url: str = ""):
    return client.post(
        f"/login/{'?next=' + next_url if next_url else ''}", {"username": username, "password": PASSWORD}, follow=True
    )


def test_a_first_login_asks_to_enrol_an_authenticator_app(client, duty_officer):
    response = sign_in(client, "rs-mod-duty")
    assert response.redirect_chain[-1][0].startswith("/otp/enrol/")
    assert b"<svg" in response.content  # the QR code, drawn locally


def test_enrolment_with_the_right_code_lets_the_person_in(client, duty_officer):
    sign_in(client, "rs-mod-duty")
    device = TOTPDevice.objects.get(user=duty_officer, confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    response = client.post("/otp/enrol/", {"token": code}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert TOTPDevice.objects.get(user=duty_officer).confirmed
    assert b"Duty board" in response.content


def test_an_enrolment_is_recorded_in_the_audit_log_with_the_device(client, duty_officer):
    sign_in(client, "rs-mod-duty")
    device = TOTPDevice.objects.get(user=duty_officer, confirmed=False)
    client.post("/otp/enrol/", {"token": f"{totp(device.bin_key):06d}"})
    entry = AuditEntry.objects.get(action="second_factor.enrolled")
    assert (entry.actor, entry.content["details"]) == ("rs-mod-duty", {"device": "Authenticator app"})


def test_a_wrong_code_is_refused_with_a_readable_message(client, duty_officer):
    device = enrol_authenticator(duty_officer)
    sign_in(client, "rs-mod-duty")
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/otp/verify/", {"token": wrong})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert client.get("/").status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_before_it_is_checked(client, duty_officer):
    enrol_authenticator(duty_officer)
    sign_in(client, "rs-mod-duty")
    response = client.post("/otp/verify/", {"token": "12ab"})
    assert b"Enter the six digits" in response.content


def test_the_second_factor_is_asked_before_any_console_page(client, duty_officer):
    device = enrol_authenticator(duty_officer)
    response = sign_in(client, "rs-mod-duty", next_url="/admin/")
    assert response.redirect_chain[-1][0].startswith("/otp/verify/")
    response = client.post("/otp/verify/?next=/", {"token": current_code(device)}, follow=True)
    assert b"Duty board" in response.content


def test_an_api_call_in_a_session_without_the_second_factor_gets_json_403(client, duty_officer):
    enrol_authenticator(duty_officer)
    sign_in(client, "rs-mod-duty")
    response = client.get("/api/v1/anything/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_demo_mode_lets_people_in_with_the_password_alone_and_says_so(client, duty_officer, settings):
    settings.OTP_REQUIRED = False
    settings.DEMO_MODE = True
    login_page = client.get("/login/")
    assert b"Demo mode" in login_page.content
    response = sign_in(client, "rs-mod-duty")
    assert response.redirect_chain[-1][0] == "/"


def test_a_wrong_password_is_refused(client, duty_officer):
    response = client.post("/login/", {"username": "rs-mod-duty", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
