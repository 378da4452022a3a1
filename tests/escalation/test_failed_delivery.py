"""A page that cannot be delivered is itself news: a webhook that keeps failing is retried with back-off,
then marked failed, and the sender's organisation and the commission duty desk are told in their feed.

The clock is moved over the back-off waits instead of waiting for them.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts.choices import ContactMethod
from hotline.escalation.choices import DeliveryStatus
from hotline.escalation.engine import tick
from hotline.escalation.models import Delivery
from hotline.escalation.sending import BACK_OFF_S, send_due
from hotline.realtime.outbox import events_after
from tests.accounts.world import organisation, person
from tests.escalation.world import one_page_policy, paging_world
from tests.incidents.reports import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def paged_hr_cert(receivers):
    """RS-CERT reported to HR-CERT a minute ago; the page (e-mail to the on-duty officer, HR-CERT's
    webhook) is written and due."""
    paging_world(receivers)
    one_page_policy("high", {"console": 0, "email": 0, "webhook": 0})
    with time_machine.travel(timezone.now() - timedelta(minutes=1), tick=False):
        report(person("rs-cert-duty"), to=("HR-CERT",), severity="high")
    with override_settings(**receivers.settings()):
        assert tick() == 1
        yield Delivery.objects.get(method=ContactMethod.WEBHOOK)


def failure_events(code: str) -> list[dict]:
    return [event for event in events_after(organisation(code).pk, 0) if event["type"] == "delivery.failed"]


def test_it_gives_up_on_a_webhook_that_keeps_failing_and_tells_the_sender_and_the_commission(paged_hr_cert, receivers):
    receivers.http.fail(status=500, path_prefix="/hooks/")
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for wait in [*BACK_OFF_S[:-1], 0]:
            send_due()
            clock.shift(timedelta(seconds=wait + 1))

    webhook = Delivery.objects.get(pk=paged_hr_cert.pk)
    assert webhook.status == DeliveryStatus.FAILED
    assert webhook.attempts == len(BACK_OFF_S) and webhook.last_error.startswith("HTTP 500")
    attempts = receivers.webhooks()
    assert len(attempts) == len(BACK_OFF_S)
    assert {attempt.idempotency_key for attempt in attempts} == {webhook.page.idempotency_key}, (
        "every retry is the same page"
    )
    assert Delivery.objects.get(method=ContactMethod.EMAIL).status == DeliveryStatus.SENT, (
        "the e-mail went out all the same"
    )

    for code in ("RS-CERT", "WBC-SEC"):
        [event] = failure_events(code)
        assert event["delivery"]["id"] == webhook.pk and event["delivery"]["recipient"] == "HR-CERT"
        assert event["delivery"]["method"] == "webhook" and event["delivery"]["error"].startswith("HTTP 500")


def test_it_gives_up_at_once_on_a_webhook_that_refuses_the_page(paged_hr_cert, receivers):
    receivers.http.fail(status=410, path_prefix="/hooks/")  # Gone: retrying cannot help
    send_due()

    webhook = Delivery.objects.get(pk=paged_hr_cert.pk)
    assert webhook.status == DeliveryStatus.FAILED and webhook.attempts == 1
    assert len(receivers.webhooks()) == 1
    assert [event["delivery"]["id"] for event in failure_events("RS-CERT")] == [webhook.pk]
