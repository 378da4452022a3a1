"""Every change the escalation app makes on someone's behalf: policies and acknowledgements given through
the engine (the console alert, a page's link, a phone call recorded by a supervisor). Acknowledgements
are recorded by the subject's own app (its action stops the timer in the same transaction)."""

import logging

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ContactPoint, Party, User
from hotline.audit.log import record
from hotline.escalation.choices import TimerState
from hotline.escalation.models import Delivery, EscalationPolicy, Timer
from hotline.escalation.page_texts import delivery_of_token, may_acknowledge_by_link
from hotline.escalation.policy import Policy
from hotline.escalation.subjects import subject_type

log = logging.getLogger("hotline.escalation")


def ordered_pair(first: Party, second: Party) -> tuple[Party, Party]:
    if first.pk == second.pk:
        raise ValidationError({"parties": "An override is for two different parties."})
    return (first, second) if first.code < second.code else (second, first)


@transaction.atomic
def do_save_policy(
    caller,
    severity: str,
    pair: tuple[Party, Party] | None,
    *,
    levels: list,
    repeat_every_s: int,
    repeat_count: int | None,
    reply_within_s: int,
) -> EscalationPolicy:
    """Create or replace the policy of a severity (or of a pair of parties). Running timers keep the
    snapshot they started with."""
    policy = Policy(
        severity=severity,
        levels=levels,
        repeat_every_s=repeat_every_s,
        repeat_count=repeat_count,
        reply_within_s=reply_within_s,
    )
    policy.validate()
    named = {pk for level in levels for pk in level.get("contact_points", [])}
    missing = named - set(ContactPoint.objects.filter(pk__in=named).values_list("pk", flat=True))
    if missing:
        raise ValidationError({"levels": f"No contact point with the id {', '.join(map(str, sorted(missing)))}."})
    party_a, party_b = ordered_pair(*pair) if pair else (None, None)
    row = (
        EscalationPolicy.objects.select_for_update(of=("self",))
        .filter(severity=severity, party_a=party_a, party_b=party_b)
        .order_by()
        .first()
    )
    before = row.as_policy().snapshot() if row else None
    row = row or EscalationPolicy(severity=severity, party_a=party_a, party_b=party_b)
    row.levels, row.repeat_every_s, row.repeat_count, row.reply_within_s = (
        levels,
        repeat_every_s,
        repeat_count,
        reply_within_s,
    )
    row.updated_by_label = caller.username
    row.save()
    record(
        "escalation.policy_changed",
        actor=caller,
        target=row,
        details={
            "policy": row.key,
            "offsets_s": [level["after_s"] for level in levels],
            "repeat_every_s": repeat_every_s,
            "repeat_count": repeat_count,
            "reply_within_s": reply_within_s,
            "before_offsets_s": [level["after_s"] for level in before["levels"]] if before else None,
        },
    )
    log.info("escalation policy changed", extra={"actor": caller.username, "policy": row.key})
    return row


@transaction.atomic
def do_delete_override(caller, row: EscalationPolicy) -> None:
    """Removing an override returns the pair to the severity's policy (a default cannot be removed)."""
    if row.party_a_id is None:
        raise ValidationError({"policy": "The policy of a severity can be changed, not removed."})
    key = row.key
    row.delete()
    record(
        "escalation.policy_removed", actor=caller, target=f"escalation.escalationpolicy:{key}", details={"policy": key}
    )


class LinkRefused(ValidationError):
    """The link is not one we made, has expired, was used, or no longer has anything to acknowledge."""


@transaction.atomic
def do_acknowledge_by_link(token: str) -> Delivery:
    """The signed single-use link of a page: acknowledges as the person it was sent to, with no sign-in.
    Steps: check the signature and age, take the delivery's row, refuse a used link, mark it used,
    ask the subject's app to record the acknowledgement."""
    try:
        delivery_id = delivery_of_token(token)
    except signing.SignatureExpired:
        raise LinkRefused("This acknowledgement link has expired; open the console to acknowledge.") from None
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise LinkRefused("This is not a valid acknowledgement link.") from None
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("page__timer__recipient", "person__organisation")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise LinkRefused("This is not a valid acknowledgement link.")
    timer = delivery.page.timer
    if delivery.link_used_at is not None:
        raise LinkRefused(f"This link was already used, at {delivery.link_used_at:%Y-%m-%d %H:%M} UTC.")
    if not may_acknowledge_by_link(delivery, timer) or not delivery.person.is_active:
        raise LinkRefused("This link cannot acknowledge anything.")
    Delivery.objects.filter(pk=delivery.pk).update(link_used_at=timezone.now())
    given = subject_type(timer.subject_kind).acknowledge(timer.subject_id, delivery.person, "link")
    record(
        "escalation.link_used",
        actor=delivery.person,
        target=delivery,
        details={
            "timer": timer.pk,
            "page": delivery.page_id,
            "acknowledged": given,
        },
    )
    if not given:
        raise LinkRefused("Already acknowledged: nothing waits any more.")
    return delivery


def do_acknowledge_timer(caller, timer: Timer, method: str) -> bool:
    """From the console alert or the API: the subject's app checks that the caller may, and records it."""
    if timer.state != TimerState.RUNNING:
        return False
    return subject_type(timer.subject_kind).acknowledge(timer.subject_id, caller, method)


@transaction.atomic
def do_record_phone_acknowledgement(caller, timer: Timer, answered_by: User) -> bool:
    """A supervisor records that `answered_by` acknowledged on the phone; recorded as theirs, by phone,
    with the supervisor named in the audit entry."""
    if answered_by.organisation_id != timer.recipient_id:
        raise ValidationError(
            {"answered_by": f"{answered_by.username} is not of {timer.recipient.code}, which must acknowledge."}
        )
    return subject_type(timer.subject_kind).acknowledge(timer.subject_id, answered_by, "phone", recorded_by=caller)
