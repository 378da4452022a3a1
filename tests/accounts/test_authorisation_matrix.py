"""Every role of every organisation against every page and form that changes contact points, rosters or
API keys. The expectation below is written from the rules of issue 4, not from accounts.access, so that
removing or loosening a rule in the code makes this test fail:

- supervisors and heads change their own organisation, unless it is an observer;
- commission administrators (administrators of the secretariat) change every organisation;
- everyone else (duty officers, reviewers, observers' people) changes nothing.
A refusal answers 403 or 404 and changes nothing; an allowed change is made (then rolled back).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope, ShiftKind
from accounts.models import ApiKey, ContactPoint, DutyShift, Organisation, User
from tests.accounts.world import build_demo_world


def may_change(user: User, target: Organisation) -> bool:
    if user.organisation.code == "WBC-SEC" and user.role == "administrator":
        return True
    return user.role in ("supervisor", "head") and user.organisation_id == target.pk and target.kind != "observer"


def fingerprint(target: Organisation):
    return (
        list(
            ContactPoint.objects.filter(organisation=target)
            .order_by("pk")
            .values_list("pk", "method", "address", "priority", "last_verified_at")
        ),
        list(
            DutyShift.objects.filter(organisation=target)
            .order_by("pk")
            .values_list("pk", "person", "kind", "starts_at", "ends_at", "note")
        ),
        list(ApiKey.objects.filter(organisation=target).order_by("pk").values_list("pk", "revoked", "name")),
    )


def shift_form(target: Organisation, start: datetime, hours: int = 1, note: str = "") -> dict:
    zone = target.zone
    start_local, end_local = start.astimezone(zone), (start + timedelta(hours=hours)).astimezone(zone)
    return {
        "person": target.people.first().pk,
        "kind": ShiftKind.PRIMARY,
        "note": note,
        "start_date": start_local.date().isoformat(),
        "start_time": start_local.strftime("%H:%M"),
        "end_date": end_local.date().isoformat(),
        "end_time": end_local.strftime("%H:%M"),
    }


FAR_FUTURE = datetime(2027, 6, 1, 6, 0, tzinfo=UTC)


def endpoints(target: Organisation):
    """(label, method, path, form data) of every page and form that changes `target`."""
    code = target.code
    point = ContactPoint.objects.filter(organisation=target, method="email").first()
    shifts = list(DutyShift.objects.filter(organisation=target, starts_at__gt=timezone.now()).order_by("starts_at")[:2])
    key = ApiKey.objects.filter(organisation=target).first()
    return [
        ("contact point form", "get", f"/directory/{code}/contact-points/new/", None),
        (
            "add contact point",
            "post",
            f"/directory/{code}/contact-points/new/",
            {"method": "email", "address": "new@matrix.example", "priority": 3},
        ),
        ("contact point edit form", "get", f"/directory/{code}/contact-points/{point.pk}/", None),
        (
            "change contact point",
            "post",
            f"/directory/{code}/contact-points/{point.pk}/",
            {"method": "email", "address": "changed@matrix.example", "priority": 2},
        ),
        ("verify contact point", "post", f"/directory/{code}/contact-points/{point.pk}/verify/", {}),
        ("delete contact point", "post", f"/directory/{code}/contact-points/{point.pk}/delete/", {}),
        ("shift form", "get", f"/rosters/{code}/shifts/new/", None),
        ("add shift", "post", f"/rosters/{code}/shifts/new/", shift_form(target, FAR_FUTURE)),
        ("shift edit form", "get", f"/rosters/{code}/shifts/{shifts[0].pk}/", None),
        (
            "change shift",
            "post",
            f"/rosters/{code}/shifts/{shifts[0].pk}/",
            shift_form(target, shifts[0].starts_at, 12, note="changed"),
        ),
        ("delete shift", "post", f"/rosters/{code}/shifts/{shifts[0].pk}/delete/", {}),
        ("swap form", "get", f"/rosters/{code}/swap/", None),
        ("swap shifts", "post", f"/rosters/{code}/swap/", {"first": shifts[0].pk, "second": shifts[1].pk}),
        ("add override", "post", f"/rosters/{code}/overrides/new/", shift_form(target, FAR_FUTURE + timedelta(days=1))),
        ("keys page", "get", f"/keys/{code}/", None),
        ("create key", "post", f"/keys/{code}/new/", {"name": "matrix", "scopes": [ApiScope.DIRECTORY_READ]}),
        ("revoke key", "post", f"/keys/{code}/{key.pk}/revoke/", {}),
    ]


@pytest.mark.one_backend  # its rules are held on both backends by each feature's own tests
@override_settings(OTP_REQUIRED=False)
class AuthorisationMatrixTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_demo_world()
        for organisation in Organisation.objects.all():
            do_create_api_key(organisation=organisation, name="existing", scopes=[ApiScope.DIRECTORY_READ])

    def test_every_role_of_every_organisation_against_every_change(self):
        people = list(User.objects.select_related("organisation").order_by("username"))
        self.assertEqual(len(people), 17 * 3 + 2)
        mismatches = []
        for user in people:
            self.client.force_login(user)
            other = Organisation.objects.get(code="HR-CERT" if user.organisation.code == "RS-MOD" else "RS-MOD")
            for target in (user.organisation, other):
                expected = may_change(user, target)
                for label, method, path, data in endpoints(target):
                    before = fingerprint(target)
                    savepoint = transaction.savepoint()
                    response = getattr(self.client, method)(path, data) if method == "post" else self.client.get(path)
                    after = fingerprint(target)
                    transaction.savepoint_rollback(savepoint)
                    allowed = response.status_code < 400
                    changed = before != after
                    if (
                        allowed != expected
                        or (not expected and changed)
                        or (expected and method == "post" and not changed)
                    ):
                        mismatches.append(
                            f"{user.username} → {label} of {target.code}: {response.status_code}, "
                            f"changed={changed}, expected {'allowed' if expected else 'refused'}"
                        )
        self.assertEqual(mismatches, [], "\n".join(mismatches[:40]))
