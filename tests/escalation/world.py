"""Small named helpers of the escalation tests: the demo world wired to the fake receivers, policies
that escalate in seconds, and waiting for what a real worker does."""

import time
from datetime import timedelta

import pytest

from accounts.choices import ContactMethod
from accounts.models import ContactPoint
from hotline.escalation.choices import DeliveryStatus, Target
from hotline.escalation.models import Delivery, EscalationPolicy, Page
from tests.accounts.world import build_demo_world

EVERY_METHOD = {"console": 0, "email": 0, "sms": 0, "webhook": 0}


def paging_world(receivers) -> None:
    """The demo world, with HR-CERT's webhook (its SMS and ticketing gateway) at the fake HTTP server."""
    build_demo_world()
    ContactPoint.objects.filter(organisation__code="HR-CERT", method=ContactMethod.WEBHOOK).update(
        address=receivers.webhook_url("hr-cert")
    )


def policy_in_seconds(
    severity: str, waits=(0, 2, 4, 6), *, repeat_every_s: int = 2, repeat_count: int | None = None
) -> EscalationPolicy:
    """The default escalation (DESIGN.md) with waits of seconds instead of minutes. Written directly:
    the policy editor refuses repeats more often than a minute, which is right for people, not for tests."""
    immediate, on_duty, supervisors, head = waits
    levels = [
        {"after_s": immediate, "targets": [Target.ORGANISATION, Target.ON_DUTY], "methods": {"console": 0}},
        {"after_s": on_duty, "targets": [Target.ON_DUTY], "methods": EVERY_METHOD},
        {"after_s": supervisors, "targets": [Target.SUPERVISORS], "methods": EVERY_METHOD},
        {"after_s": head, "targets": [Target.HEAD, Target.COMMISSION_DESK], "methods": EVERY_METHOD},
    ]
    return save_policy(severity, levels, repeat_every_s=repeat_every_s, repeat_count=repeat_count)


def one_page_policy(severity: str, methods: dict, targets=(Target.ON_DUTY,), after_s: int = 1) -> EscalationPolicy:
    """A single level, `after_s` after the message (a policy needs one wait: it is the deadline), never
    repeated: one page per timer."""
    return save_policy(
        severity,
        [{"after_s": after_s, "targets": list(targets), "methods": methods}],
        repeat_every_s=60,
        repeat_count=0,
    )


def save_policy(
    severity: str, levels: list[dict], *, repeat_every_s: int, repeat_count: int | None
) -> EscalationPolicy:
    policy, _ = EscalationPolicy.objects.update_or_create(
        severity=severity,
        party_a=None,
        party_b=None,
        defaults={
            "levels": levels,
            "repeat_every_s": repeat_every_s,
            "repeat_count": repeat_count,
            "reply_within_s": 48 * 3600,
        },
    )
    return policy


def wait_for(condition, timeout: float, what: str, engine=None):
    """Poll `condition` until it returns something true; fail naming `what` (with the engine's logs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"not within {timeout} s: {what}" + (f"\n{engine.logs()}" if engine is not None else ""))


def nothing_left_to_send() -> bool:
    return not Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).exists()


def page_keys(pages) -> set[str]:
    return {page.idempotency_key for page in pages}


def message_id(delivery: Delivery) -> str:
    """The Message-ID of a delivery's e-mail (one per page and address)."""
    return f"<hotline-page-{delivery.page_id}.{delivery.pk}@hotline>"


def lag(page: Page) -> timedelta:
    return page.created_at - page.due_at
