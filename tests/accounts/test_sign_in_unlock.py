"""A commission administrator sees on an organisation's page who of its people is locked out of signing
in (too many wrong passwords) and unlocks them there; the unlock is in the audit log. Nobody else may."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from hotline.audit.models import AuditEntry
from tests.accounts.world import build_demo_world, person
from tests.conftest import PASSWORD

ADDRESS = "203.0.113.9"


@pytest.fixture
def world(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    officer = person("rs-mod-duty")
    officer.set_password(PASSWORD)
    officer.save(update_fields=["password"])
    return officer


def try_password(password: str):
    return Client(REMOTE_ADDR=ADDRESS).post("/login/", {"username": "rs-mod-duty", "password": password})


def lock_out() -> None:
    for _ in range(5):
        try_password("not the password")
    assert try_password(PASSWORD).status_code == 429


def test_a_commission_administrator_sees_the_locked_out_person_and_unlocks_them(world, client):
    lock_out()
    client.force_login(person("wbc-sec-admin"))
    code = world.organisation.code

    page = client.get(f"/directory/{code}/")
    assert b'data-testid="sign-in-lockouts"' in page.content
    assert b"rs-mod-duty" in page.content

    response = client.post(f"/directory/{code}/people/rs-mod-duty/unlock/", follow=True)
    assert b"rs-mod-duty may sign in again" in response.content
    assert b'data-testid="sign-in-lockouts"' not in response.content
    assert try_password(PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="auth.unlocked")
    assert (entry.actor, entry.content["details"]["username"]) == ("wbc-sec-admin", "rs-mod-duty")


def test_a_supervisor_of_the_same_organisation_may_not_unlock_nor_see_lockouts(world, client):
    lock_out()
    code = world.organisation.code
    supervisor = world.organisation.people.filter(role__in=["supervisor", "head"]).first()
    client.force_login(supervisor)

    assert b'data-testid="sign-in-lockouts"' not in client.get(f"/directory/{code}/").content
    assert client.post(f"/directory/{code}/people/rs-mod-duty/unlock/").status_code == 403
    assert try_password(PASSWORD).status_code == 429
    assert not AuditEntry.objects.filter(action="auth.unlocked").exists()


def test_a_lockout_lifted_by_the_axes_command_is_recorded(world):
    lock_out()
    call_command("axes_reset_username", "rs-mod-duty", stdout=StringIO())
    assert try_password(PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="auth.unlocked")
    assert entry.actor == AuditEntry.objects.filter(action="login.failed").first().actor  # the system
    assert entry.content["details"]["username"] == "rs-mod-duty"
    assert entry.content["details"]["through"] == "outside the console"


def test_a_lockout_lifted_in_the_axes_admin_is_recorded(world, client):
    lock_out()
    client.force_login(person("wbc-sec-admin"))
    attempt = AccessAttempt.objects.get(username="rs-mod-duty")
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.get(action="auth.unlocked")
    assert entry.content["details"]["username"] == "rs-mod-duty"
    assert entry.content["details"]["through"] == "outside the console"


def test_attempts_forgotten_without_a_lockout_are_not_recorded_as_unlocks(world):
    try_password("not the password")
    call_command("axes_reset_username", "rs-mod-duty", stdout=StringIO())
    assert not AuditEntry.objects.filter(action="auth.unlocked").exists()
