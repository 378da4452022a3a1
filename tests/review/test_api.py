"""The compliance API: the known-answer month through GET /api/v1/compliance/ (its items and trend), who may
read it, and the errors of a bad period."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from hotline.audit.models import AuditEntry
from hotline.review.figures import compute
from tests.accounts.world import organisation, person
from tests.incidents.conftest import ApiClient
from tests.review.test_figures import NOVEMBER
from tests.review.traffic import MONTH_END, MONTH_START

pytestmark = pytest.mark.django_db

NOVEMBER_QUERY = {"since": MONTH_START.isoformat(), "until": MONTH_END.isoformat()}


@pytest.fixture
def signed_in(settings):
    settings.OTP_REQUIRED = False

    def sign_in(username: str) -> Client:
        client = Client()
        client.force_login(person(username))
        return client

    return sign_in


def secretariat_key(scopes=(ApiScope.COMPLIANCE_READ,)) -> ApiClient:
    key, secret = do_create_api_key(organisation=organisation("WBC-SEC"), name="dashboard", scopes=list(scopes))
    return ApiClient(secret, key)


def without_times(figures: dict) -> dict:
    return {key: value for key, value in figures.items() if key != "computed_at"}


def test_a_reviewer_and_a_secretariat_key_read_the_figures_of_a_period(month, signed_in):
    expected = without_times(compute(NOVEMBER))
    for client in (signed_in("wbc-sec-reviewer"), secretariat_key()):
        answer = client.get("/api/v1/compliance/", NOVEMBER_QUERY)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert without_times(body) == expected
        assert body["since"] == "2026-10-31T23:00:00+00:00" and body["exercise"] is False
        hr = next(p for p in body["parties"] if p["party"] == "HR")
        hr_cert = next(o for o in hr["organisations"] if o["organisation"] == "HR-CERT")
        assert hr_cert["acknowledgements"]["owed"] == 5 and hr_cert["acknowledgements"]["within_deadline"] == 3
    drills = signed_in("wbc-sec-reviewer").get("/api/v1/compliance/", {**NOVEMBER_QUERY, "exercise": "true"}).json()
    hr = next(p for p in drills["parties"] if p["party"] == "HR")
    assert hr["totals"]["acknowledgements"]["owed"] == 1 and hr["totals"]["reachability"] is None

    opened = AuditEntry.objects.filter(action="review.opened")
    assert opened.count() == 3
    assert {entry.content["details"]["page"] for entry in opened} == {"figures"}


def test_the_items_behind_a_figure_and_the_trend(month, signed_in):
    reviewer = signed_in("wbc-sec-reviewer")
    answer = reviewer.get(
        "/api/v1/compliance/items/", {**NOVEMBER_QUERY, "figure": "acknowledgements.late", "organisation": "HR-CERT"}
    )
    assert answer.status_code == 200, answer.content
    [late] = answer.json()["items"]
    assert late["reference"] == f"{month['C'].reference} #1" and late["late_by_s"] == 900
    assert month["C"].title not in answer.content.decode()

    trend = reviewer.get("/api/v1/compliance/trend/", {"until": MONTH_END.isoformat()}).json()
    assert [point["month"] for point in trend["months"]][-1] == "2026-11" and len(trend["months"]) == 12
    assert trend["months"][-1]["parties"]["HR"]["owed"] == 5


def test_a_supervisor_reads_only_their_own_organisation_beside_the_regional_median(month, signed_in):
    supervisor = signed_in("hr-cert-supervisor")
    body = supervisor.get("/api/v1/compliance/", NOVEMBER_QUERY).json()
    assert [party["party"] for party in body["parties"]] == ["HR"]
    [own] = body["parties"][0]["organisations"]
    assert own["organisation"] == "HR-CERT" and own["acknowledgements"]["owed"] == 5
    assert body["parties"][0]["totals"] is None, "not even the own party's other organisations"
    assert body["region"]["median"]["within_deadline_share"] == 0.6
    text = str(body)
    for other in ("RS-CERT", "HR-MOD", "AL-CERT", "'RS'"):
        assert other not in text

    assert supervisor.get("/api/v1/compliance/items/", {"figure": "acknowledgements.late"}).status_code == 200
    refused = supervisor.get(
        "/api/v1/compliance/items/", {"figure": "acknowledgements.late", "organisation": "RS-CERT"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "review_access_refused"
    assert "parties" not in supervisor.get("/api/v1/compliance/trend/").json()["months"][0]


def test_duty_officers_observers_and_other_keys_read_no_figures(month, signed_in):
    for username in ("hr-cert-duty", "osce-cpc-head", "wbc-sec-duty"):
        answer = signed_in(username).get("/api/v1/compliance/")
        assert answer.status_code == 403 and answer.json()["code"] == "review_access_refused", username
    no_scope = secretariat_key(scopes=(ApiScope.AUDIT_READ,))
    assert no_scope.get("/api/v1/compliance/").status_code == 403
    assert AuditEntry.objects.filter(action="access.refused").count() >= 4


def test_only_the_secretariat_may_hold_the_compliance_scope(db):
    from tests.accounts.world import build_demo_world

    build_demo_world()
    with pytest.raises(ValidationError) as refused:
        do_create_api_key(organisation=organisation("HR-CERT"), name="peek", scopes=[ApiScope.COMPLIANCE_READ])
    assert "commission secretariat" in str(refused.value)


@pytest.mark.parametrize(
    "query, words",
    [
        ({"since": "2026-11-01T00:00:00"}, "offset"),
        ({"since": "yesterday"}, "give a date"),
        ({"since": "2026-12-01", "until": "2026-11-01"}, "end after it starts"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "at most 400 days"),
        ({"preset": "forever"}, "Unknown period"),
        ({"preset": "last_month", "since": "2026-11-01"}, "not both"),
        ({"exercise": "maybe"}, "exercise"),
        ({"until": "9999-12-31"}, "between the years 2000 and 2100"),
        ({"since": "0001-01-01", "until": "0001-01-02"}, "between the years 2000 and 2100"),
    ],
)
def test_a_bad_period_is_a_400_that_says_why(month, signed_in, query, words):
    answer = signed_in("wbc-sec-reviewer").get("/api/v1/compliance/", query)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and words.lower() in str(body["fields"]["period"]).lower()
