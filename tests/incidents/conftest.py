"""Shared by the incidents API tests (fixtures prefixed `api_`): the demo world, API-key clients and
incidents reported through the real actions."""

from datetime import timedelta

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.utils import timezone

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from incidents.actions import do_report_incident, resolve_recipients
from tests.accounts.world import build_demo_world, organisation, person

ALL_INCIDENT_SCOPES = (ApiScope.INCIDENTS_READ, ApiScope.INCIDENTS_WRITE)


class ApiClient(Client):
    """A test client that sends JSON and authenticates with one API key."""

    def __init__(self, secret: str, key):
        super().__init__(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        self.secret, self.key = secret, key

    def post(self, path, data=None, content_type="application/json", **extra):
        """JSON unless `content_type=None`: then multipart, for uploads."""
        return super().post(
            path, data if data is not None else {}, content_type=content_type or MULTIPART_CONTENT, **extra
        )

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data if data is not None else {}, content_type=content_type, **extra)


def make_key_client(owner: str, scopes=ALL_INCIDENT_SCOPES) -> ApiClient:
    key, secret = do_create_api_key(organisation=organisation(owner), name=f"{owner} SIEM", scopes=list(scopes))
    return ApiClient(secret, key)


def report(
    by: str = "rs-cert-duty",
    to=("HR-CERT",),
    *,
    tlp: str = "AMBER",
    title: str = "Phishing wave against ministries",
    summary: str = "Spear-phishing with a fake tender notice.",
    category: str = "cyber",
    severity: str = "high",
    exercise: bool = False,
    location: dict | None = None,
):
    """An incident reported by a named person through the real action."""
    reporter = person(by)
    return do_report_incident(
        reporter,
        recipients=resolve_recipients(to, reporter.organisation),
        title=title,
        summary=summary,
        category=category,
        severity=severity,
        tlp=tlp,
        occurred_at=timezone.now() - timedelta(minutes=10),
        exercise=exercise,
        location=location,
    )


@pytest.fixture
def api_world(db):
    build_demo_world()


@pytest.fixture
def api_key_client(api_world):
    """`api_key_client("HR-CERT")`: a client with a new key of that organisation (both incident scopes
    unless `scopes=` says otherwise)."""
    return make_key_client


@pytest.fixture
def api_person_client(api_world, settings):
    """`api_person_client("wbc-sec-reviewer")`: a client signed in to the console as that person."""
    settings.OTP_REQUIRED = False

    def make(username: str) -> Client:
        client = Client()
        client.force_login(person(username))
        return client

    return make


@pytest.fixture
def api_report(api_world):
    return report
