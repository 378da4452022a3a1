"""With the real worker and beat, an unacknowledged CRITICAL message climbs every level on time and pages
people by e-mail, SMS and webhook; an acknowledgement stops it.

The policy is the default one with seconds for minutes (levels at 0, 2, 4 and 6 s, then every 2 s).
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings

from accounts.choices import ContactMethod
from accounts.duty import on_duty
from hotline.escalation.choices import DeliveryStatus, TimerState
from hotline.escalation.models import Delivery, Page, Timer
from hotline.escalation.transports import signature
from incidents.actions import do_acknowledge
from tests.accounts.world import organisation, person
from tests.escalation.world import lag, message_id, nothing_left_to_send, paging_world, policy_in_seconds, wait_for
from tests.incidents.reports import report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Beat ticks every second; a page may be late by that, the task's trip through Redis and the tick itself
# (on a shared two-core machine). The unit is seconds, as the policy's.
ON_TIME = timedelta(seconds=2.5)


def idempotency_key(delivery: Delivery) -> str:
    """What a webhook or SMS request carries: the page's key, and for an SMS the delivery's too."""
    key = delivery.page.idempotency_key
    return f"{key}-{delivery.pk}" if delivery.method == ContactMethod.SMS else key


def emailed(receivers, page: Page) -> set[str]:
    return {
        address for mail in receivers.mails() if mail.page_key == page.idempotency_key for address in mail.recipients
    }


def test_it_pages_every_level_on_time_then_repeats_until_acknowledged(engine, receivers):
    paging_world(receivers)
    policy_in_seconds("critical")
    engine.start()

    incident = report(person("rs-cert-duty"), to=("HR-CERT",), severity="critical", tlp="GREEN")
    timer = Timer.objects.get(recipient__code="HR-CERT")
    wait_for(lambda: Page.objects.filter(timer=timer, level=3, repeat=2).exists(), 40, "level 3 repeated twice", engine)
    pages = list(Page.objects.filter(timer=timer).order_by("level", "repeat"))
    assert [(page.level, page.repeat) for page in pages][:6] == [(0, 0), (1, 0), (2, 0), (3, 0), (3, 1), (3, 2)]
    for page, after_s in zip(pages, [0, 2, 4, 6, 8, 10], strict=False):
        assert page.due_at == timer.started_at + timedelta(seconds=after_s)
        assert timedelta(0) <= lag(page) <= ON_TIME, f"level {page.level}.{page.repeat} paged {lag(page)} late"

    paged_keys = {page.idempotency_key for page in pages[1:6]}
    wait_for(lambda: paged_keys <= {mail.page_key for mail in receivers.mails()}, 20, "the e-mails", engine)
    level_1, level_2, level_3 = pages[1], pages[2], pages[3]
    duty_officer = on_duty(organisation("HR-CERT"), level_1.created_at).primary[0].person
    assert duty_officer.email in emailed(receivers, level_1)
    assert person("hr-cert-supervisor").email in emailed(receivers, level_2)
    desk = on_duty(organisation("WBC-SEC"), level_3.created_at).primary[0].person
    assert {person("hr-cert-head").email, desk.email} <= emailed(receivers, level_3)
    wait_for(lambda: paged_keys <= {hook.idempotency_key for hook in receivers.webhooks()}, 20, "the webhooks", engine)
    hook = next(hook for hook in receivers.webhooks() if hook.idempotency_key == level_1.idempotency_key)
    assert hook.json["reference"] == f"{incident.reference} #1" and hook.json["level"] == 1
    timestamp, sent_signature = (part.split("=", 1)[1] for part in hook.headers["x-hotline-signature"].split(","))
    assert sent_signature == signature(settings.HOTLINE_WEBHOOK_SECRET, timestamp, hook.body), (
        "the worker signs with our secret"
    )
    assert any(sms.json["to"] == duty_officer.phone for sms in receivers.sms())

    do_acknowledge(person("hr-cert-duty"), incident)
    # What a sender had not claimed yet is cancelled with the acknowledgement; what it had may still go out.
    cancelled = list(Delivery.objects.filter(page__timer=timer, status=DeliveryStatus.CANCELLED))
    paged_before = set(Page.objects.filter(timer=timer).values_list("pk", flat=True))
    time.sleep(5)  # two and a half repeat periods
    wait_for(nothing_left_to_send, 20, "the deliveries in flight to finish", engine)

    timer.refresh_from_db()
    assert timer.state == TimerState.ACKNOWLEDGED
    assert set(Page.objects.filter(timer=timer).values_list("pk", flat=True)) == paged_before, (
        "no page after the acknowledgement"
    )
    assert not {message_id(delivery) for delivery in cancelled} & {mail.message_id for mail in receivers.mails()}
    assert not {idempotency_key(delivery) for delivery in cancelled} & {
        request.idempotency_key for request in receivers.http.received()
    }
    # What reached the receivers is what the database says was sent, once each.
    deliveries = Delivery.objects.filter(page__timer=timer, status=DeliveryStatus.SENT).select_related("page")
    sent_mails = {message_id(delivery) for delivery in deliveries.filter(method=ContactMethod.EMAIL)}
    assert sorted(mail.message_id for mail in receivers.mails()) == sorted(sent_mails)
    sent_hooks = {delivery.page.idempotency_key for delivery in deliveries.filter(method=ContactMethod.WEBHOOK)}
    assert sorted(hook.idempotency_key for hook in receivers.webhooks()) == sorted(sent_hooks)
