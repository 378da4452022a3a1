"""Reachability checks through the API: the history with counts, one check, answering it, the figures;
and every refusal as JSON with a stable code."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from accounts.models import Organisation
from hotline.escalation.choices import TimerState
from hotline.escalation.models import Timer
from hotline.reachability.actions import do_answer_check, do_start_check
from hotline.reachability.models import CheckResponse, ReachabilityCheck
from tests.accounts.world import build_demo_world, organisation, person

LIST = "/api/v1/reachability-checks/"
FIGURES = "/api/v1/reachability-figures/"


class JsonClient(Client):
    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data if data is not None else {}, content_type=content_type, **extra)


@pytest.fixture
def world(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()


def signed_in(username: str) -> JsonClient:
    client = JsonClient()
    client.force_login(person(username))
    return client


def key_of(code: str, scopes=(ApiScope.CHECKS_READ, ApiScope.CHECKS_ANSWER)) -> JsonClient:
    _, secret = do_create_api_key(organisation=organisation(code), name=f"{code} ticketing", scopes=list(scopes))
    return JsonClient(HTTP_AUTHORIZATION=f"Api-Key {secret}")


@pytest.fixture
def check(world):
    return do_start_check(person("wbc-sec-admin"), window_minutes=120)


def error_code(response) -> str:
    return response.json()["code"]


def test_a_commission_administrator_starts_a_check(world):
    response = signed_in("wbc-sec-admin").post(LIST, {"window_minutes": 30}, HTTP_IDEMPOTENCY_KEY="start-1")

    assert response.status_code == 201
    body = response.json()
    assert (
        body["reference"].startswith("CHK-") and body["window_minutes"] == 30 and body["started_by"] == "wbc-sec-admin"
    )
    assert body["counts"] == {"total": 14, "answered": 0, "late": 0, "missed": 0, "pending": 14}
    assert len(body["responses"]) == 14 and {r["state"] for r in body["responses"]} == {"pending"}
    assert response["Location"] == f"{LIST}{body['id']}/"


def test_a_retry_with_the_same_idempotency_key_starts_no_second_check(world):
    admin = signed_in("wbc-sec-admin")
    first = admin.post(LIST, {}, HTTP_IDEMPOTENCY_KEY="weekly-by-hand")
    again = admin.post(LIST, {}, HTTP_IDEMPOTENCY_KEY="weekly-by-hand")
    assert (
        again.status_code == 201 and again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    )
    assert ReachabilityCheck.objects.count() == 1
    assert first.json()["window_minutes"] == 120, "the deployment's default window"


def test_nobody_else_starts_checks(world):
    for client in (signed_in("wbc-sec-duty"), signed_in("hr-cert-head"), key_of("WBC-SEC"), key_of("HR-CERT")):
        response = client.post(LIST, {})
        assert response.status_code == 403 and error_code(response) == "permission_denied"
    assert not ReachabilityCheck.objects.exists()


def test_a_window_out_of_range_is_refused_by_field(world):
    response = signed_in("wbc-sec-admin").post(LIST, {"window_minutes": 100000})
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert "window_minutes" in response.json()["fields"]


def test_the_list_has_each_check_with_its_counts(check):
    do_start_check(person("wbc-sec-admin"))
    response = key_of("RS-MOD", scopes=[ApiScope.CHECKS_READ]).get(LIST)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["reference"] for item in results] == [f"{check.reference}-2", check.reference]
    assert results[1]["counts"]["total"] == 14


def test_a_key_without_the_scope_is_refused(check):
    response = key_of("RS-MOD", scopes=[ApiScope.DIRECTORY_READ]).get(LIST)
    assert response.status_code == 403 and error_code(response) == "missing_scope"
    response = key_of("RS-MOD", scopes=[ApiScope.CHECKS_READ]).post(f"{LIST}{check.pk}/answer/")
    assert response.status_code == 403 and error_code(response) == "missing_scope"


def test_one_check_with_every_answer(check):
    response = signed_in("osce-cpc-duty").get(f"{LIST}{check.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == check.reference
    assert sorted(item["organisation"] for item in body["responses"])[:2] == ["AL-CERT", "AL-MOD"]


def test_an_unknown_check_is_not_found(world):
    client = signed_in("hr-cert-duty")
    for response in (client.get(f"{LIST}999999/"), client.post(f"{LIST}999999/answer/"), client.get(f"{LIST}{2**70}/")):
        assert response.status_code == 404 and error_code(response) == "not_found"


def test_a_key_answers_for_its_organisation_and_stops_its_escalation(check):
    response = key_of("HR-CERT").post(f"{LIST}{check.pk}/answer/")

    assert response.status_code == 200
    body = response.json()
    assert body["check"]["reference"] == check.reference
    assert (
        body["response"]["organisation"] == "HR-CERT"
        and body["response"]["state"] == "answered"
        and body["response"]["method"] == "api"
    )
    answered = CheckResponse.objects.get(reachability_check=check, organisation__code="HR-CERT")
    assert answered.acknowledged_by is None and answered.acknowledged_by_label.startswith("api-key:")
    assert (
        Timer.objects.get(subject_kind="accounts.check_response", subject_id=answered.pk).state
        == TimerState.ACKNOWLEDGED
    )


def test_a_second_answer_is_a_conflict_and_changes_nothing(check):
    first = signed_in("hr-cert-duty").post(f"{LIST}{check.pk}/answer/")
    second = key_of("HR-CERT").post(f"{LIST}{check.pk}/answer/")
    assert first.status_code == 200 and first.json()["response"]["method"] == "console"
    assert second.status_code == 409 and error_code(second) == "already_answered"
    assert (
        CheckResponse.objects.get(reachability_check=check, organisation__code="HR-CERT").acknowledged_by.username
        == "hr-cert-duty"
    )


def test_those_who_do_not_act_for_a_checked_organisation_cannot_answer(check):
    for client in (
        signed_in("wbc-sec-admin"),
        signed_in("wbc-sec-reviewer"),
        signed_in("osce-cpc-head"),
        key_of("EU-EEAS"),
    ):
        response = client.post(f"{LIST}{check.pk}/answer/")
        assert response.status_code == 403 and error_code(response) == "permission_denied"
    assert not CheckResponse.objects.filter(acknowledged_at__isnull=False).exists()


def test_an_organisation_the_check_was_not_sent_to_gets_a_conflict(check):
    newcomer = Organisation.objects.create(
        party=organisation("HR-CERT").party, code="HR-CCG", name="Coast guard", kind="crisis_centre"
    )
    response = key_of(newcomer.code).post(f"{LIST}{check.pk}/answer/")
    assert response.status_code == 409 and error_code(response) == "not_awaiting_answer"


def test_the_figures_per_organisation(world):
    start = timezone.now() - timedelta(hours=3)
    with time_machine.travel(start, tick=False):
        check = do_start_check(person("wbc-sec-admin"), window_minutes=60)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        do_answer_check(
            person("hr-cert-duty"),
            CheckResponse.objects.get(reachability_check=check, organisation__code="HR-CERT"),
            method="console",
        )

    response = key_of("RS-CERT", scopes=[ApiScope.CHECKS_READ]).get(FIGURES, {"last": 4})

    assert response.status_code == 200
    body = response.json()
    assert body["last"] == 4 and body["checks"] == [check.reference]
    figures = {item["organisation"]: item for item in body["organisations"]}
    assert figures["HR-CERT"] == {
        "organisation": "HR-CERT",
        "party": "HR",
        "checks": 1,
        "answered_within_window": 1,
        "answered_late": 0,
        "missed": 0,
        "within_window_share": 1.0,
        "median_seconds_to_answer": 120.0,
    }
    assert figures["RS-CERT"]["within_window_share"] == 0 and figures["RS-CERT"]["median_seconds_to_answer"] is None


@pytest.mark.parametrize("last", ["0", "201", "x", "-1"])
def test_figures_over_a_bad_number_of_checks_are_refused(world, last):
    response = signed_in("hr-cert-duty").get(FIGURES, {"last": last})
    assert response.status_code == 400 and error_code(response) == "invalid" and "last" in response.json()["fields"]


def test_unauthenticated_callers_get_json_401(world):
    for response in (JsonClient().get(LIST), JsonClient().post(LIST, {}), JsonClient().get(FIGURES)):
        assert response.status_code == 401 and error_code(response) == "not_authenticated"


def test_the_schema_documents_every_reachability_endpoint_with_its_errors(world):
    paths = JsonClient().get("/api/schema/?format=json").json()["paths"]
    expected = {
        "/api/v1/reachability-checks/": {"get", "post"},
        "/api/v1/reachability-checks/{id}/": {"get"},
        "/api/v1/reachability-checks/{id}/answer/": {"post"},
        "/api/v1/reachability-figures/": {"get"},
    }
    for path, methods in expected.items():
        for method in methods:
            operation = paths[path][method]
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            if method == "post":
                assert "Idempotency-Key" in {parameter["name"] for parameter in operation["parameters"]}
    assert "409" in paths["/api/v1/reachability-checks/{id}/answer/"]["post"]["responses"]
    assert "400" in paths["/api/v1/reachability-checks/"]["post"]["responses"]
