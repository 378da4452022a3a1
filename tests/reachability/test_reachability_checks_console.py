"""Reachability checks in the console: the history with its counts and figures, a button for commission
administrators to send one now, and the check's page where an organisation answers for itself."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.choices import KOSOVO_DESIGNATION_NOTE
from hotline.audit.models import AuditEntry
from hotline.escalation.choices import TimerState
from hotline.escalation.models import Timer
from hotline.reachability.actions import do_answer_check, do_start_check
from hotline.reachability.choices import CheckAnswerMethod
from hotline.reachability.models import CheckResponse, ReachabilityCheck
from tests.accounts.world import build_demo_world, person


@pytest.fixture
def world(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(person(username))
        return client

    return signed_in


@pytest.fixture
def check(world):
    return do_start_check(person("wbc-sec-admin"), window_minutes=120)


def response_of(check, code) -> CheckResponse:
    return CheckResponse.objects.get(reachability_check=check, organisation__code=code)


def rows(page: str, table: str) -> dict[str, str]:
    """The rows of a table by their organisation, as text without tags."""
    body = page.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'<tr[^>]*data-organisation="([^"]+)"[^>]*>(.*?)</tr>', body, re.S)
    return {code: " ".join(re.sub(r"<[^>]+>", " ", html).split()) for code, html in found}


def test_the_navigation_leads_to_the_checks_page(world):
    page = world("hr-cert-duty").get("/incidents/").content.decode()
    assert 'href="/checks/">Reachability checks</a>' in page


def test_a_commission_administrator_sends_a_check_from_the_console(world):
    admin = world("wbc-sec-admin")
    page = admin.get("/checks/").content.decode()
    assert "Send a check now" in page and "No check has been sent yet." in page

    response = admin.post("/checks/start/", {"window_minutes": "45"})

    check = ReachabilityCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/checks/{check.reference}/"
    assert check.window_minutes == 45 and check.started_by.username == "wbc-sec-admin"
    assert check.responses.count() == 14


def test_others_see_no_send_button_and_are_refused_if_they_post(world):
    for username in ("wbc-sec-duty", "wbc-sec-reviewer", "hr-cert-head", "osce-cpc-duty"):
        client = world(username)
        assert "Send a check now" not in client.get("/checks/").content.decode()
        assert client.post("/checks/start/", {"window_minutes": "45"}).status_code == 403
    assert not ReachabilityCheck.objects.exists()
    assert AuditEntry.objects.filter(action="access.refused").count() == 4


def test_a_window_out_of_range_is_explained_on_the_form(world):
    response = world("wbc-sec-admin").post("/checks/start/", {"window_minutes": "2"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 5" in response.content.decode()
    assert not ReachabilityCheck.objects.exists()


def test_the_history_shows_each_check_with_its_counts(world, check):
    do_answer_check(person("hr-cert-duty"), response_of(check, "HR-CERT"), method=CheckAnswerMethod.CONSOLE)
    page = world("osce-cpc-duty").get("/checks/").content.decode()
    row = re.search(rf'<tr data-check="{check.reference}">(.*?)</tr>', page, re.S).group(1)
    assert '<td class="answered">1 / 14</td>' in row and '<td class="pending">13</td>' in row
    assert "Waiting for" not in page, "observers answer nothing"


def test_the_check_page_shows_who_answered_when_and_who_still_waits(world, check):
    do_answer_check(person("hr-cert-duty"), response_of(check, "HR-CERT"), method=CheckAnswerMethod.CONSOLE)
    page = world("rs-mod-duty").get(f"/checks/{check.reference}/").content.decode()
    shown = rows(page, "check-responses")
    assert (
        "answered within the window" in shown["HR-CERT"]
        and "hr-cert-duty" in shown["HR-CERT"]
        and "Console" in shown["HR-CERT"]
    )
    assert "waiting" in shown["RS-CERT"] and "Answer" not in shown["RS-CERT"], "RS-MOD may not answer for RS-CERT"
    assert "waiting" in shown["RS-MOD"] and "Answer: RS-MOD is reachable" in shown["RS-MOD"]
    assert 'class="countdown"' in page and f"* {KOSOVO_DESIGNATION_NOTE}" in page


def test_the_answer_button_answers_for_my_organisation_and_stops_its_escalation(world, check):
    client = world("me-mod-supervisor")
    response = client.post(f"/checks/{check.reference}/answer/", follow=True)

    assert response.status_code == 200
    assert f"ME-MOD answered {check.reference}, within the window." in response.content.decode()
    answered = response_of(check, "ME-MOD")
    assert answered.acknowledged_by.username == "me-mod-supervisor" and answered.method == "console"
    assert (
        Timer.objects.get(subject_kind="accounts.check_response", subject_id=answered.pk).state
        == TimerState.ACKNOWLEDGED
    )
    shown = rows(response.content.decode(), "check-responses")
    assert "answered within the window" in shown["ME-MOD"] and "Answer" not in shown["ME-MOD"]


def test_a_second_click_does_not_answer_again(world, check):
    first, second = world("me-mod-duty"), world("me-mod-head")
    first.post(f"/checks/{check.reference}/answer/")
    response = second.post(f"/checks/{check.reference}/answer/", follow=True)
    assert f"ME-MOD had already answered {check.reference} (me-mod-duty" in response.content.decode()
    assert response_of(check, "ME-MOD").acknowledged_by.username == "me-mod-duty"
    assert AuditEntry.objects.filter(action="reachability.check_answered").count() == 1


def test_the_checks_page_lists_what_waits_for_my_organisation_and_answers_it(world, check):
    client = world("xk-cert-duty")
    page = client.get("/checks/").content.decode()
    assert page.count('data-testid="waiting-check"') == 1 and check.reference in page

    response = client.post(f"/checks/{check.reference}/answer/", {"next": "/checks/"})

    assert response.status_code == 302 and response["Location"] == "/checks/"
    assert not response_of(check, "XK-CERT").is_pending
    assert "Nothing waits for your answer." in client.get("/checks/").content.decode()


def test_those_who_do_not_act_for_a_checked_organisation_cannot_answer(world, check):
    for username in ("wbc-sec-admin", "wbc-sec-reviewer", "eu-eeas-head"):
        assert world(username).post(f"/checks/{check.reference}/answer/").status_code == 403
    assert all(response.is_pending for response in check.responses.all())


def test_an_unknown_check_is_not_found(world):
    assert world("hr-cert-duty").get("/checks/CHK-1999-01-01/").status_code == 404
    assert world("hr-cert-duty").post("/checks/CHK-1999-01-01/answer/").status_code == 404


def test_the_figures_table_shows_share_and_median(world):
    start = timezone.now() - timedelta(hours=5)
    with time_machine.travel(start, tick=False):
        check = do_start_check(person("wbc-sec-admin"), window_minutes=60)
    with time_machine.travel(start + timedelta(minutes=4, seconds=12), tick=False):
        do_answer_check(person("hr-cert-duty"), response_of(check, "HR-CERT"), method=CheckAnswerMethod.CONSOLE)

    shown = rows(world("hr-cert-duty").get("/checks/").content.decode(), "check-figures")
    assert "100 %" in shown["HR-CERT"] and "4 min 12 s" in shown["HR-CERT"]
    assert "0 %" in shown["RS-CERT"] and shown["RS-CERT"].endswith("—")
