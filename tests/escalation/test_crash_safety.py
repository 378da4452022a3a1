"""A worker killed mid-send, or a Redis that lost everything (with the engine down, or under it), loses
no page and doubles none.

Counted at the receivers by idempotency key (the e-mail's Message-ID, the webhook's Idempotency-Key):
each due page arrives, and the database holds each step's page once. A receiver may see a delivery twice
only when the worker died after the receiver took it and before the sent mark was committed; the second
copy carries the same key, so the receiver drops it. There is at most one such delivery per process of
the worker's pool (each sends one at a time).
"""

import time

import pytest
import redis
from django.conf import settings
from django.db.models import Count

from accounts.choices import ContactMethod
from hotline.escalation.choices import DeliveryStatus, TimerState
from hotline.escalation.models import Delivery, Page, Timer
from tests.accounts.world import person
from tests.escalation.fakes import WORKER_CONCURRENCY
from tests.escalation.world import message_id, nothing_left_to_send, one_page_policy, page_keys, paging_world, wait_for
from tests.incidents.reports import report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DUE = 100
ONE_EMAIL_AND_ONE_WEBHOOK = {"console": 0, "email": 0, "webhook": 0}


def due_timers(count: int) -> list[Timer]:
    """`count` more incidents reported to HR-CERT, each waiting on HR-CERT's acknowledgement; with the
    one-page policy each timer is due a second later and pages the on-duty officer and HR-CERT's
    webhook. Returns every timer HR-CERT has."""
    reporter = person("rs-cert-duty")
    for number in range(count):
        report(reporter, to=("HR-CERT",), severity="high", title=f"Port scan {number}")
    return list(Timer.objects.filter(recipient__code="HR-CERT"))


def received_count(receivers) -> int:
    return len(receivers.mails()) + len(receivers.webhooks())


def all_paged(timers) -> bool:
    return (
        not Timer.objects.filter(pk__in=[timer.pk for timer in timers], state=TimerState.RUNNING).exists()
        and nothing_left_to_send()
    )


def flush_the_test_redis() -> None:
    """FLUSHDB, not FLUSHALL: on a shared Redis only the database number of REDIS_URL is the test's."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def assert_each_page_arrived_once(receivers, timers) -> int:
    """Every timer paged once, every page reached the mailbox and the webhook; returns the raw duplicates."""
    per_timer = Page.objects.filter(timer__in=timers).values("timer").annotate(pages=Count("pk"))
    assert sorted(row["timer"] for row in per_timer) == sorted(timer.pk for timer in timers)
    assert {row["pages"] for row in per_timer} == {1}
    pages = Page.objects.filter(timer__in=timers)
    deliveries = Delivery.objects.filter(page__in=pages).exclude(method=ContactMethod.CONSOLE)
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    mails, hooks = receivers.mails(), receivers.webhooks()
    assert {mail.message_id for mail in mails} == {
        message_id(delivery) for delivery in deliveries.filter(method=ContactMethod.EMAIL)
    }
    assert {mail.page_key for mail in mails} == page_keys(pages)
    assert {hook.idempotency_key for hook in hooks} == page_keys(pages)
    duplicates = (len(mails) - len({mail.message_id for mail in mails})) + (
        len(hooks) - len({hook.idempotency_key for hook in hooks})
    )
    print(
        f"raw duplicates at the receivers: {duplicates} "
        f"({len(mails)} e-mails, {len(hooks)} webhooks for {len(timers)} pages)"
    )
    return duplicates


def test_it_sends_each_due_page_once_when_the_worker_is_killed_mid_send(engine, receivers):
    paging_world(receivers)
    one_page_policy("high", ONE_EMAIL_AND_ONE_WEBHOOK)
    receivers.http.delay_s = 0.02  # a gateway that takes its time, so that the kill finds work in flight
    timers = due_timers(DUE)  # a backlog: all due when the engine starts

    engine.start_worker()
    engine.start_beat()
    wait_for(lambda: received_count(receivers) >= 20, 60, "the first deliveries", engine)
    engine.kill_worker()
    at_kill = received_count(receivers)
    assert at_kill < 2 * DUE, "the worker had finished before it was killed: nothing was tested"
    print(f"killed the worker after {at_kill} of {2 * DUE} deliveries")

    engine.start_worker()
    wait_for(lambda: all_paged(timers), 60, "every page sent after the restart", engine)
    assert assert_each_page_arrived_once(receivers, timers) <= WORKER_CONCURRENCY


def test_it_sends_each_due_page_once_after_redis_lost_everything(engine, receivers):
    paging_world(receivers)
    one_page_policy("high", ONE_EMAIL_AND_ONE_WEBHOOK)
    engine.start()
    engine.kill_worker()  # beat goes on queueing ticks nobody takes
    timers = due_timers(DUE)
    time.sleep(1.5)
    # Redis restarted without its data: queued ticks, unacknowledged tasks, Celery's bindings, heartbeats.
    flush_the_test_redis()
    engine.kill("beat")
    assert Page.objects.filter(timer__in=timers).count() == 0, "nothing fired while the worker was down"

    engine.start()
    wait_for(lambda: all_paged(timers), 60, "every page sent after the restart", engine)

    # And under a running worker and beat: the next ticks go to an empty Redis, and go through.
    flush_the_test_redis()
    timers = due_timers(DUE // 5)
    wait_for(
        lambda: all_paged(timers), 30, "every page sent after Redis lost everything under a running engine", engine
    )
    assert assert_each_page_arrived_once(receivers, timers) == 0, "no delivery was in flight: none may arrive twice"
