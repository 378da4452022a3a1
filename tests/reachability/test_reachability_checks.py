"""A reachability check asks every party's CERT and crisis centre to answer within a window; an answer
stops that organisation's escalation, and a check not answered in time pages like any message.

The engine's tick is called with the time it would run at, so a two-hour window is checked in a second.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.models import Organisation
from hotline.audit.models import AuditEntry
from hotline.escalation.choices import TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import Page, Timer
from hotline.escalation.subjects import subject_type
from hotline.reachability.actions import do_answer_check, do_start_check
from hotline.reachability.choices import CheckAnswerMethod, CheckResponseState
from hotline.reachability.models import CheckResponse, ReachabilityCheck
from hotline.reachability.timers import SUBJECT_KIND
from hotline.realtime.models import Event
from tests.accounts.world import build_demo_world, organisation, person

pytestmark = pytest.mark.django_db

PARTIES = ["AL", "BA", "HR", "XK", "ME", "MK", "RS"]
CHECKED = sorted(f"{party}-{unit}" for party in PARTIES for unit in ("CERT", "MOD"))


@pytest.fixture
def world():
    build_demo_world()


def start(window_minutes=120, by="wbc-sec-admin"):
    return do_start_check(person(by), window_minutes=window_minutes)


def response_of(check, code) -> CheckResponse:
    return CheckResponse.objects.select_related("organisation", "reachability_check").get(
        reachability_check=check, organisation__code=code
    )


def timer_of(response) -> Timer:
    return Timer.objects.get(subject_kind=SUBJECT_KIND, subject_id=response.pk)


def pages_of(timer) -> list[tuple[int, int]]:
    return list(Page.objects.filter(timer=timer).order_by("level", "repeat").values_list("level", "repeat"))


def test_it_sends_one_pending_response_and_one_running_timer_to_every_party_organisation(world):
    check = start()

    responses = CheckResponse.objects.filter(reachability_check=check).select_related("organisation")
    assert sorted(response.organisation.code for response in responses) == CHECKED, (
        "not the secretariat, not the observers"
    )
    assert all(
        response.is_pending and response.due_at == check.started_at + timedelta(hours=2) for response in responses
    )
    timers = Timer.objects.filter(subject_kind=SUBJECT_KIND)
    assert timers.count() == len(CHECKED)
    assert {timer.recipient.code for timer in timers} == set(CHECKED)
    assert all(timer.state == TimerState.RUNNING and timer.sender.code == "WBC-SEC" for timer in timers)
    assert all(timer.deadline == check.started_at + timedelta(hours=2) for timer in timers)
    assert (
        check.reference.startswith("CHK-") and check.started_by_label == "wbc-sec-admin" and check.scheduled_for is None
    )


def test_it_tells_each_organisation_and_the_commission_and_records_it(world):
    check = start()

    started = Event.objects.filter(kind="check.started", subject=f"check:{check.pk}")
    codes = dict(Organisation.objects.values_list("pk", "code"))
    audiences = [{codes[pk] for pk in event.audience.values_list("organisation_id", flat=True)} for event in started]
    assert sorted(audiences, key=sorted) == sorted([{code} for code in CHECKED] + [{"WBC-SEC"}], key=sorted)
    hr_event = next(event for event in started if event.payload.get("response", {}).get("organisation") == "HR-CERT")
    assert (
        hr_event.payload["check"]["reference"] == check.reference and hr_event.payload["response"]["state"] == "pending"
    )
    entry = AuditEntry.objects.filter(action="reachability.check_started").get()
    assert entry.actor == "wbc-sec-admin"


def test_a_second_check_the_same_day_gets_its_own_reference(world):
    first, second = start(), start()
    assert second.reference == f"{first.reference}-2"


def test_answering_stops_that_organisations_timer_only(world):
    check = start()
    hr = response_of(check, "HR-CERT")

    assert do_answer_check(person("hr-cert-duty"), hr, method=CheckAnswerMethod.CONSOLE) is True

    hr.refresh_from_db()
    assert hr.acknowledged_by.username == "hr-cert-duty" and hr.method == "console"
    assert hr.state_at(hr.acknowledged_at) == CheckResponseState.ANSWERED
    assert timer_of(hr).state == TimerState.ACKNOWLEDGED
    assert timer_of(response_of(check, "RS-CERT")).state == TimerState.RUNNING
    assert Event.objects.filter(kind="check.answered").count() == 1
    assert AuditEntry.objects.filter(action="reachability.check_answered").count() == 1


def test_answering_twice_answers_once(world):
    check = start()
    hr = response_of(check, "HR-CERT")

    first = do_answer_check(person("hr-cert-duty"), hr, method=CheckAnswerMethod.CONSOLE)
    second = do_answer_check(
        person("hr-cert-supervisor"), response_of(check, "HR-CERT"), method=CheckAnswerMethod.CONSOLE
    )

    assert (first, second) == (True, False)
    hr.refresh_from_db()
    assert hr.acknowledged_by.username == "hr-cert-duty", "the first answer stands"
    assert AuditEntry.objects.filter(action="reachability.check_answered").count() == 1
    assert Event.objects.filter(kind="check.answered").count() == 1


def test_a_missed_check_pages_the_on_duty_officer_then_the_supervisors(world):
    check = start(window_minutes=120)
    hr, rs = response_of(check, "HR-MOD"), response_of(check, "RS-MOD")
    do_answer_check(person("rs-mod-duty"), rs, method=CheckAnswerMethod.CONSOLE)
    started = check.started_at

    tick(now=started)
    assert pages_of(timer_of(hr)) == [(0, 0)], "the console alert at once"
    tick(now=started + timedelta(minutes=119))
    assert pages_of(timer_of(hr)) == [(0, 0)], "nothing more within the window"
    tick(now=started + timedelta(minutes=120))
    assert pages_of(timer_of(hr)) == [(0, 0), (1, 0)], "the on-duty officer when the window closes"
    tick(now=started + timedelta(minutes=130))
    assert pages_of(timer_of(hr)) == [(0, 0), (1, 0), (2, 0)], "the supervisors ten minutes later"
    assert pages_of(timer_of(rs)) == [], "an organisation that answered is not paged"
    assert hr.state_at(started + timedelta(minutes=121)) == CheckResponseState.MISSED


def test_a_late_answer_counts_as_late_and_stops_the_paging(world):
    check = start(window_minutes=30)
    hr = response_of(check, "HR-CERT")
    tick(now=check.started_at)
    tick(now=check.started_at + timedelta(minutes=31))

    with time_machine.travel(check.started_at + timedelta(minutes=40), tick=False):
        assert do_answer_check(person("hr-cert-duty"), hr, method=CheckAnswerMethod.CONSOLE)

    hr.refresh_from_db()
    assert hr.state_at(hr.acknowledged_at) == CheckResponseState.LATE
    assert hr.time_to_answer == timedelta(minutes=40)
    timer = timer_of(hr)
    assert timer.state == TimerState.ACKNOWLEDGED
    tick(now=check.started_at + timedelta(hours=3))
    assert pages_of(timer) == [(0, 0), (1, 0)]


def test_a_new_check_stops_the_paging_of_an_older_one(world):
    older = start()
    waiting = response_of(older, "XK-CERT")

    newer = start()

    assert timer_of(waiting).state == TimerState.CANCELLED
    assert timer_of(response_of(newer, "XK-CERT")).state == TimerState.RUNNING
    assert do_answer_check(person("xk-cert-duty"), waiting, method=CheckAnswerMethod.CONSOLE), (
        "it may still be answered, late"
    )


def test_an_organisation_cannot_answer_for_another(world):
    check = start()
    hr = response_of(check, "HR-CERT")

    with pytest.raises(PermissionDenied):
        do_answer_check(person("rs-cert-duty"), hr, method=CheckAnswerMethod.CONSOLE)
    with pytest.raises(PermissionDenied):
        subject_type(SUBJECT_KIND).acknowledge(hr.pk, person("rs-cert-duty"), "link")

    hr.refresh_from_db()
    assert hr.is_pending and timer_of(hr).state == TimerState.RUNNING


def test_the_engine_describes_and_acknowledges_a_check_through_its_subject_type(world):
    check = start()
    hr = response_of(check, "HR-CERT")
    subject = subject_type(SUBJECT_KIND)

    summary = subject.summarise([hr.pk])[hr.pk]
    assert (summary.reference, summary.title, summary.tlp, summary.what) == (
        check.reference,
        "Reachability check",
        "GREEN",
        "reachability check",
    )
    assert summary.path == f"/checks/{check.reference}/#response-HR-CERT"
    assert subject.may_see(person("osce-cpc-duty"), hr.pk)

    supervisor = person("hr-cert-supervisor")
    assert subject.acknowledge(hr.pk, person("hr-cert-duty"), "phone", recorded_by=supervisor) is True
    assert subject.acknowledge(hr.pk, person("hr-cert-duty"), "link") is False
    hr.refresh_from_db()
    assert (
        hr.method == "phone" and hr.acknowledged_by_label == "hr-cert-duty (by phone, recorded by hr-cert-supervisor)"
    )
    entry = AuditEntry.objects.get(action="reachability.check_answered")
    assert entry.actor == "hr-cert-supervisor"


def test_a_window_out_of_range_is_refused_and_nothing_is_sent(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        start(window_minutes=2)
    assert "window_minutes" in refused.value.message_dict
    assert not ReachabilityCheck.objects.exists() and not Timer.objects.filter(subject_kind=SUBJECT_KIND).exists()
    assert organisation("HR-CERT").check_responses.count() == 0


def test_the_audit_log_names_a_check_and_an_answer_as_it_did_when_they_lived_in_accounts(world):
    check = start()
    hr = response_of(check, "HR-CERT")
    do_answer_check(person("hr-cert-duty"), hr, method=CheckAnswerMethod.CONSOLE)

    started = AuditEntry.objects.get(action="reachability.check_started")
    answered = AuditEntry.objects.get(action="reachability.check_answered")
    assert started.content["object"] == f"accounts.reachabilitycheck:{check.pk}"
    assert answered.content["object"] == f"accounts.checkresponse:{hr.pk}"
