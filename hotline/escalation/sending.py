"""Sending what the tick wrote: deliveries whose time has come, with bounded retries and back-off.

A sender claims a batch with a conditional update (a lease in `claimed_until`), commits, sends outside
any transaction, and records the outcome with a second conditional update on its own claim. A worker
killed mid-send leaves its claim to expire; the next sender retries with the same idempotency key, so a
receiver that saw the first attempt drops the second.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organisation
from hotline.audit.log import record
from hotline.escalation.choices import DeliveryStatus
from hotline.escalation.models import Delivery
from hotline.escalation.page_texts import page_text_for
from hotline.escalation.subjects import summaries
from hotline.escalation.transports import TransportError, transport_for
from hotline.realtime.outbox import publish

log = logging.getLogger("hotline.escalation")

SEND_BATCH = 20
BACK_OFF_S = [5, 15, 45, 120, 300]  # after the 1st, 2nd, … failed attempt


def claim(now: datetime, limit: int = SEND_BATCH) -> list[Delivery]:
    lease = now + timedelta(seconds=settings.ESCALATION_SEND_LEASE_S)
    with transaction.atomic():
        due = Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_until__lt=now),
            next_attempt_at__lte=now,
        ).order_by("next_attempt_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING, claimed_until=lease, attempts=F("attempts") + 1
        )
    return list(
        Delivery.objects.filter(pk__in=ids).select_related("page__timer__recipient", "page__timer__sender", "person")
    )


def send_due(now: datetime | None = None) -> int:
    """Send every delivery that is due (at `now`, default the present), a batch at a time. Returns how
    many were attempted."""
    attempted = 0
    while batch := claim(now or timezone.now()):
        found = summaries([delivery.page.timer for delivery in batch])
        for delivery in batch:
            timer = delivery.page.timer
            attempt(delivery, found.get((timer.subject_kind, timer.subject_id)), now)
        attempted += len(batch)
        if len(batch) < SEND_BATCH:
            break
    return attempted


def attempt(delivery: Delivery, summary, now: datetime | None = None) -> None:
    if (now or timezone.now()) > delivery.send_before:
        return _finish(delivery, DeliveryStatus.FAILED, "not sent before its sending deadline")
    try:
        transport_for(delivery.method).send(
            delivery, page_text_for(delivery, delivery.page, delivery.page.timer, summary)
        )
    except TransportError as error:
        final = error.permanent or delivery.attempts >= len(BACK_OFF_S)
        return _finish(delivery, DeliveryStatus.FAILED if final else DeliveryStatus.PENDING, error.message)
    except Exception as error:  # a bug in a transport must not stop the others; it is retried and logged
        log.exception("transport crashed", extra={"delivery": delivery.pk, "method": delivery.method})
        return _finish(delivery, DeliveryStatus.PENDING, f"internal error: {type(error).__name__}")
    _finish(delivery, DeliveryStatus.SENT, "")


@transaction.atomic
def _finish(delivery: Delivery, status: str, error: str) -> None:
    now = timezone.now()
    changes = {"status": status, "last_error": error, "claimed_until": None}
    if status == DeliveryStatus.SENT:
        changes["sent_at"] = now
    if status == DeliveryStatus.PENDING:
        changes["next_attempt_at"] = now + timedelta(seconds=BACK_OFF_S[min(delivery.attempts, len(BACK_OFF_S)) - 1])
    # Only our own claim: if the lease ran out and another sender took over, its outcome stands.
    mine = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts).update(
        **changes
    )
    if not mine:
        return
    timer = delivery.page.timer
    record(
        "escalation.delivery_attempted",
        target=delivery,
        organisation=timer.recipient.code,
        details={
            "page": delivery.page_id,
            "method": delivery.method,
            "to": delivery.label,
            "attempt": delivery.attempts,
            "outcome": status,
            **({"error": error[:200]} if error else {}),
        },
    )
    extra = {
        "delivery": delivery.pk,
        "page": delivery.page_id,
        "method": delivery.method,
        "recipient": timer.recipient.code,
    }
    if status == DeliveryStatus.FAILED:
        log.warning("delivery failed", extra={**extra, "error": error[:200]})
        _tell_of_failure(delivery, error)
    elif status == DeliveryStatus.PENDING:
        log.info("delivery will be retried", extra={**extra, "error": error[:200]})


def _tell_of_failure(delivery: Delivery, error: str) -> None:
    """A page that cannot be delivered is itself news: to the sender and to the commission duty desk."""
    timer = delivery.page.timer
    desks = Organisation.objects.commission().values_list("pk", flat=True)
    publish(
        "delivery.failed",
        f"timer:{timer.pk}",
        {
            "delivery": {
                "id": delivery.pk,
                "timer": timer.pk,
                "page": delivery.page_id,
                "method": delivery.method,
                "to": delivery.label,
                "recipient": timer.recipient.code,
                "error": error[:200],
            }
        },
        [timer.sender_id, *desks],
    )
