"""An unacknowledged message climbs the levels of its policy; an acknowledgement stops it at once.

The tick is called with the time it would run at (the engine takes `now`), so a 30-minute escalation is
checked in a second; the real worker and beat run it in test_worker.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import ContactMethod
from accounts.duty import on_duty
from hotline.escalation.choices import DeliveryStatus, TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import Delivery, Page, Timer
from incidents.actions import do_acknowledge
from tests.accounts.world import build_demo_world, organisation, person
from tests.incidents.reports import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    build_demo_world()


def pages_of(timer):
    return list(Page.objects.filter(timer=timer).order_by("created_at", "pk").values_list("level", "repeat"))


def on_duty_usernames(code, at):
    duty = on_duty(organisation(code), at)
    return {shift.person.username for shift in duty.primary or duty.backup}


def paged_people(timer, level, repeat=0):
    deliveries = Delivery.objects.filter(page__timer=timer, page__level=level, page__repeat=repeat)
    return {delivery.person.username for delivery in deliveries if delivery.person}


def test_it_pages_each_level_at_its_time_then_repeats_the_last(world):
    incident = report(person("rs-mod-duty"), to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    start = timer.started_at
    assert timer.deadline == start + timedelta(minutes=5)

    tick(now=start)
    assert pages_of(timer) == [(0, 0)]
    tick(now=start + timedelta(minutes=4, seconds=59))
    assert pages_of(timer) == [(0, 0)], "nothing before the deadline"

    tick(now=start + timedelta(minutes=5))
    assert paged_people(timer, 1) == on_duty_usernames("HR-MOD", start + timedelta(minutes=5))
    tick(now=start + timedelta(minutes=15))
    assert paged_people(timer, 2) == {"hr-mod-supervisor"}
    tick(now=start + timedelta(minutes=30))
    assert paged_people(timer, 3) == {"hr-mod-head"} | on_duty_usernames("WBC-SEC", start + timedelta(minutes=30))
    tick(now=start + timedelta(minutes=45))
    tick(now=start + timedelta(minutes=60))
    assert pages_of(timer) == [(0, 0), (1, 0), (2, 0), (3, 0), (3, 1), (3, 2)]
    assert Page.objects.filter(timer__subject_id__in=incident.messages.values("acknowledgements")).count() == 6


def test_a_repeat_paged_late_keeps_the_schedule_and_after_an_outage_pages_once_not_a_burst(world):
    report(person("rs-mod-duty"), to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    start = timer.started_at
    for minutes in (0, 5, 15, 30):
        tick(now=start + timedelta(minutes=minutes))
    # The first repeat is due at 45 min; a tick that runs it ten minutes late must not shift the next one.
    tick(now=start + timedelta(minutes=55))
    timer.refresh_from_db()
    assert timer.next_fire_at == start + timedelta(minutes=60), "repeats keep their schedule when paged late"

    # Beat was down for three hours: the overdue repeat goes out once, and the next is a period later.
    back = start + timedelta(hours=4)
    tick(now=back)
    tick(now=back)
    timer.refresh_from_db()
    assert pages_of(timer)[-2:] == [(3, 1), (3, 2)], "one page for the whole outage"
    assert timer.next_fire_at == back + timedelta(minutes=15)


def test_an_acknowledgement_stops_further_pages_and_cancels_unsent_ones(world):
    incident = report(person("rs-mod-duty"), to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    tick(now=timer.started_at)
    tick(now=timer.started_at + timedelta(minutes=5))
    waiting = Delivery.objects.filter(page__timer=timer).exclude(method=ContactMethod.CONSOLE)
    assert waiting.filter(status=DeliveryStatus.PENDING).exists()

    do_acknowledge(person("hr-mod-duty"), incident)

    timer.refresh_from_db()
    assert timer.state == TimerState.ACKNOWLEDGED and timer.next_fire_at is None
    assert not waiting.filter(status=DeliveryStatus.PENDING).exists()
    for minutes in (15, 30, 45):
        tick(now=timer.started_at + timedelta(minutes=minutes))
    assert pages_of(timer) == [(0, 0), (1, 0)]


def test_one_step_pages_once_however_often_the_tick_runs(world):
    report(person("rs-mod-duty"), to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    moment = timer.started_at + timedelta(minutes=5)
    for _ in range(4):
        tick(now=moment)
    assert pages_of(timer) == [(0, 0), (1, 0)]


def test_a_request_for_assistance_reminds_until_the_counterpart_replies(world):
    from hotline.escalation.choices import Clock
    from incidents.actions import do_post_message

    incident = report(person("rs-mod-duty"), to=("HR-MOD",), severity="medium")
    do_acknowledge(person("hr-mod-duty"), incident)
    request = do_post_message(
        person("rs-mod-duty"), incident, kind="request_for_assistance", body="Radar tracks, please."
    )
    reply_clock = Timer.objects.get(clock=Clock.REPLY, recipient__code="HR-MOD")
    assert reply_clock.deadline == request.reply_by
    start = reply_clock.started_at

    tick(now=start + timedelta(hours=24))
    assert pages_of(reply_clock) == [(0, 0)], "a reminder at half the reply time"
    do_acknowledge(person("hr-mod-duty"), incident)  # acknowledging is not replying
    reply_clock.refresh_from_db()
    assert reply_clock.state == TimerState.RUNNING

    do_post_message(person("hr-mod-duty"), incident, kind="information", body="Tracks attached.")
    reply_clock.refresh_from_db()
    assert reply_clock.state == TimerState.ACKNOWLEDGED
    tick(now=start + timedelta(hours=48))
    assert pages_of(reply_clock) == [(0, 0)]


def test_resolving_an_incident_stops_its_escalations(world):
    from incidents.actions import do_change_status

    incident = report(person("rs-mod-duty"), to=("HR-MOD", "BA-MOD"), severity="critical")
    do_change_status(person("rs-mod-duty"), incident, "resolved")
    assert set(Timer.objects.values_list("state", flat=True)) == {TimerState.CANCELLED}
    tick(now=timezone.now() + timedelta(hours=1))
    assert not Page.objects.exists()
