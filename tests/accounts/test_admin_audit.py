"""Defect 5 of issue 14: the Django admin no longer bypasses the audit log. A superuser's change there
goes through the same action as in the console where one exists, and is recorded where none does (which
fields changed, never a password hash); duty shifts and the deletion of API keys are not offered at all."""

import json
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.forms import MultiWidget
from django.test import Client
from django.utils import timezone

from accounts.actions import do_create_api_key
from accounts.models import ApiKey, ContactPoint, DutyShift, User
from hotline.audit.models import AuditEntry
from tests.accounts.world import build_demo_world, organisation, person


@pytest.fixture
def admin_client(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    client = Client()
    client.force_login(person("wbc-sec-admin"))
    return client


def entries(action: str) -> list[dict]:
    return [json.loads(body) for body in AuditEntry.objects.filter(action=action).values_list("body", flat=True)]


def form_data(form, **changes) -> dict:
    """What the browser would send back for `form` as the admin rendered it, with `changes` applied."""
    data = {}
    # The page showed times in the admin's own time zone (UserTimeZoneMiddleware), and reads them back so.
    with timezone.override(ZoneInfo(person("wbc-sec-admin").time_zone or settings.TIME_ZONE)):
        for name, field in form.fields.items():
            _add_field(data, form, name, field, changes)
    return data


def _add_field(data: dict, form, name: str, field, changes: dict) -> None:
    if field.disabled:
        return
    bound = form[name]
    _add_value(data, field, bound.html_name, changes.get(name, bound.value()))
    if field.show_hidden_initial:  # fields with a callable default send their initial value back too
        _add_value(data, field, bound.html_initial_name, bound.value())


def _add_value(data: dict, field, html_name: str, value) -> None:
    if isinstance(field.widget, MultiWidget):
        parts = value if isinstance(value, list) else field.widget.decompress(value)
        data.update({f"{html_name}_{index}": part or "" for index, part in enumerate(parts)})
    elif isinstance(value, bool):
        if value:
            data[html_name] = "on"
    elif isinstance(value, list | tuple):
        data[html_name] = [str(item) for item in value]
    elif value is not None:
        data[html_name] = value


def change_user(client, user: User, **changes):
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    return client.post(f"/admin/accounts/user/{user.pk}/change/", form_data(page.context["adminform"].form, **changes))


def change_organisation(client, code: str, edit_points=None, add_point=None, **changes):
    """Post the organisation's change page: `edit_points(forms)` returns the contact-point forms' data."""
    target = organisation(code)
    url = f"/admin/accounts/organisation/{target.pk}/change/"
    page = client.get(url)
    data = form_data(page.context["adminform"].form, **changes)
    formset = page.context["inline_admin_formsets"][0].formset
    data.update({form[name].html_name: value for form in [formset.management_form] for name, value in
                 form.initial.items()})  # fmt: skip
    for form in formset.forms:
        data.update(form_data(form))
    data.update((edit_points or (lambda forms: {}))(formset.forms))
    if add_point:
        index = int(data[f"{formset.prefix}-TOTAL_FORMS"])
        data[f"{formset.prefix}-TOTAL_FORMS"] = index + 1
        data.update({f"{formset.prefix}-{index}-{name}": value for name, value in add_point.items()})
    return client.post(url, data)


def test_a_key_added_in_the_admin_is_recorded_as_the_console_records_it_and_works(admin_client):
    response = admin_client.post(
        "/admin/accounts/apikey/add/",
        {"organisation": organisation("HR-CERT").pk, "name": "HR SIEM", "scopes": '["directory:read"]'},
    )
    assert response.status_code == 302
    [entry] = entries("api_key.created")
    key = ApiKey.objects.get(name="HR SIEM")
    assert (entry["actor"], entry["organisation"], entry["object"]) == (
        "wbc-sec-admin",
        "HR-CERT",
        f"api_key:{key.prefix}",
    )
    assert key.created_by == person("wbc-sec-admin")
    [secret] = [word for message in get_messages(response.wsgi_request) for word in str(message).split()
                if word.startswith(f"{key.prefix}.")]  # fmt: skip
    assert Client().get("/api/v1/parties/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200


def test_a_key_with_unknown_scopes_is_refused_readably_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/accounts/apikey/add/",
        {"organisation": organisation("HR-CERT").pk, "name": "HR SIEM", "scopes": '["everything"]'},
    )
    assert response.status_code == 200 and "Choose one or more of" in response.content.decode()
    assert not ApiKey.objects.exists() and entries("api_key.created") == []


def test_a_key_revoked_in_the_admin_goes_through_the_revoke_action_and_cannot_be_deleted(admin_client):
    key, _ = do_create_api_key(organisation=organisation("HR-CERT"), name="HR SIEM", scopes=["directory:read"])
    url = f"/admin/accounts/apikey/{key.pk}/change/"
    page = admin_client.get(url)
    assert admin_client.post(url, form_data(page.context["adminform"].form, revoked=True)).status_code == 302
    key.refresh_from_db()
    assert key.revoked and key.revoked_at is not None
    [entry] = entries("api_key.revoked")
    assert (entry["actor"], entry["object"]) == ("wbc-sec-admin", f"api_key:{key.prefix}")
    assert admin_client.get(f"/admin/accounts/apikey/{key.pk}/delete/").status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()


def test_moving_a_person_to_another_organisation_and_role_in_the_admin_is_recorded(admin_client):
    user = person("rs-cert-duty")
    response = change_user(admin_client, user, organisation=organisation("HR-CERT").pk, role="supervisor")
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = entries("user.changed")
    assert (entry["actor"], entry["object"]) == ("wbc-sec-admin", f"accounts.user:{user.pk}")
    assert entry["details"] == {
        "username": "rs-cert-duty",
        "changed": ["organisation", "role"],
        "values": {"organisation": "HR-CERT", "role": "supervisor"},
    }


def test_granting_superuser_groups_and_deactivating_in_the_admin_is_recorded(admin_client):
    user = person("rs-cert-duty")
    group = Group.objects.create(name="Auditors")
    change_user(admin_client, user, is_superuser=True, is_staff=True, is_active=False, groups=[group.pk])
    [entry] = entries("user.changed")
    assert entry["details"]["values"] == {
        "groups": ["Auditors"],
        "is_active": False,
        "is_staff": True,
        "is_superuser": True,
    }


def test_a_password_set_in_the_admin_is_recorded_without_its_hash(admin_client):
    user = person("rs-cert-duty")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "a new long passphrase", "password2": "a new long passphrase", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    [entry] = entries("user.password_set")
    assert entry["actor"] == "wbc-sec-admin" and entry["details"] == {"username": "rs-cert-duty", "usable": True}
    assert user.password not in json.dumps(entries("user.password_set"))


def test_a_person_added_in_the_admin_is_recorded_without_the_password(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": "rs-cert-new", "password1": "a new long passphrase", "password2": "a new long passphrase",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    [entry] = entries("user.created")
    assert entry["details"]["username"] == "rs-cert-new" and "password" in entry["details"]["changed"]
    assert "passphrase" not in json.dumps(entry) and User.objects.get(
        username="rs-cert-new"
    ).password not in json.dumps(entry)


def test_contact_points_added_changed_and_deleted_in_the_admin_go_through_the_actions(admin_client):
    points = list(organisation("RS-CERT").contact_points.order_by("pk"))
    changed, deleted = points[0], points[1]

    def edit(forms):
        by_pk = {form.instance.pk: form for form in forms}
        data = {}
        data[by_pk[changed.pk]["address"].html_name] = "+381115550999"
        data[by_pk[changed.pk]["method"].html_name] = "phone"
        data[by_pk[deleted.pk]["DELETE"].html_name] = "on"
        return data

    response = change_organisation(
        admin_client, "RS-CERT", edit, add_point={"method": "email", "address": "soc@rs-cert.example", "priority": 9}
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert not ContactPoint.objects.filter(pk=deleted.pk).exists()
    assert [entry["details"]["address"] for entry in entries("contact_point.changed")] == ["+381115550999"]
    assert [entry["details"]["address"] for entry in entries("contact_point.created")] == ["soc@rs-cert.example"]
    assert [entry["object"] for entry in entries("contact_point.deleted")] == [f"accounts.contactpoint:{deleted.pk}"]
    assert {entry["actor"] for entry in entries("contact_point.changed")} == {"wbc-sec-admin"}


def test_changing_an_organisations_kind_in_the_admin_is_recorded(admin_client):
    response = change_organisation(admin_client, "AL-CERT", kind="observer")
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = entries("organisation.changed")
    assert entry["organisation"] == "AL-CERT" and entry["details"]["values"] == {"kind": "observer"}


def test_changing_a_party_in_the_admin_is_recorded(admin_client):
    party = organisation("AL-CERT").party
    page = admin_client.get(f"/admin/accounts/party/{party.pk}/change/")
    form = page.context["adminform"].form
    assert (
        admin_client.post(
            f"/admin/accounts/party/{party.pk}/change/", form_data(form, name="Albania (test)")
        ).status_code
        == 302
    )
    [entry] = entries("party.changed")
    assert entry["details"]["values"] == {"name": "Albania (test)"}


def test_duty_shifts_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    shift = DutyShift.objects.first()
    assert admin_client.get(f"/admin/accounts/dutyshift/{shift.pk}/delete/").status_code == 403
    assert DutyShift.objects.filter(pk=shift.pk).exists()
