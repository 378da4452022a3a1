"""What happened to a subject's escalation: its timers, the pages they fired and how each was delivered.
The console's timeline, `GET /api/v1/incidents/{id}/timeline/` and the waiting panel read it from here."""

from django.db.models import Prefetch

from hotline.escalation.choices import Clock, TimerState
from hotline.escalation.models import Delivery, Page, Timer
from hotline.escalation.subjects import summaries
from hotline.formats import iso_time


def timers_of(subject_kind: str, subject_ids):
    return (
        Timer.objects.filter(subject_kind=subject_kind, subject_id__in=list(subject_ids))
        .select_related("recipient", "sender")
        .prefetch_related(
            Prefetch(
                "pages",
                queryset=Page.objects.order_by("created_at", "pk").prefetch_related(
                    Prefetch("deliveries", queryset=Delivery.objects.order_by("pk"))
                ),
            )
        )
        .order_by("started_at", "recipient__code", "clock")
    )


def delivery_entry(delivery: Delivery) -> dict:
    # The label names whom it reached; addresses stay in the directory, which says who may read them.
    return {
        "id": delivery.pk,
        "method": delivery.method,
        "to": delivery.label,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "error": delivery.last_error,
        "send_after": iso_time(delivery.send_after),
        "sent_at": iso_time(delivery.sent_at),
    }


def timer_entry(timer: Timer, summary=None) -> dict:
    return {
        "id": timer.pk,
        "subject": {
            "kind": timer.subject_kind,
            "id": timer.subject_id,
            "reference": summary.reference if summary else None,
            "path": summary.path if summary else None,
        },
        "clock": timer.clock,
        "recipient": timer.recipient.code,
        "sender": timer.sender.code,
        "severity": timer.severity,
        "exercise": timer.exercise,
        "state": timer.state,
        "policy": timer.policy.get("source", ""),
        "started_at": iso_time(timer.started_at),
        "deadline": iso_time(timer.deadline),
        "next_fire_at": iso_time(timer.next_fire_at),
        "stopped_at": iso_time(timer.stopped_at),
        "stopped_by": timer.stopped_by_label,
        "pages": [
            {
                "id": page.pk,
                "level": page.level,
                "repeat": page.repeat,
                "due_at": iso_time(page.due_at),
                "created_at": iso_time(page.created_at),
                "targets": page.targets,
                "deliveries": [delivery_entry(delivery) for delivery in page.deliveries.all()],
            }
            for page in timer.pages.all()
        ],
    }


def timeline(subject_kind: str, subject_ids) -> list[dict]:
    timers = list(timers_of(subject_kind, subject_ids))
    found = summaries(timers)
    return [timer_entry(timer, found.get((timer.subject_kind, timer.subject_id))) for timer in timers]


def paged_level(level: int, repeat: int) -> int | None:
    """The level paged last, from a timer's `level` (the one that fires next) and `repeat`; None before
    the first page."""
    if level == 0 and repeat == 0:
        return None
    return level if repeat else level - 1


def alert_fields(timer: Timer, summary) -> dict:
    """What the console's alert shows beyond the reference: who sent it, its category, its title and
    first lines, and who else it waits on. The title and the excerpt are content: they go only to the
    consoles of the two organisations the timer is between (both read the subject), never into e-mail,
    SMS or webhook bodies (page_texts decides those by TLP)."""
    return {
        "sender": timer.sender.code,
        "sender_name": timer.sender.name,
        "category": summary.category if summary else "",
        "title": summary.title if summary else "",
        "excerpt": summary.excerpt if summary else "",
        "tlp": summary.tlp if summary else "",
        "others_told": [code for code in (summary.told if summary else ()) if code != timer.recipient.code],
    }


def waiting(organisation) -> dict:
    """The waiting panel and the console's alerts: what the organisation must acknowledge (or reply to),
    soonest deadline first, and what it waits for from others."""
    # An escalation that has paged every level still waits for its acknowledgement: it stays on the panel.
    running = (
        Timer.objects.filter(state__in=[TimerState.RUNNING, TimerState.EXHAUSTED])
        .select_related("recipient", "sender")
        .order_by("deadline", "pk")
    )
    mine = list(running.filter(recipient=organisation)[:200])
    theirs = list(running.filter(sender=organisation)[:200])
    found = summaries(mine + theirs)

    def entry(timer):
        summary = found.get((timer.subject_kind, timer.subject_id))
        return {
            "timer": timer.pk,
            "reference": summary.reference if summary else f"{timer.subject_kind}:{timer.subject_id}",
            "what": summary.what if summary else "",
            "path": summary.path if summary else "",
            "clock": timer.clock,
            "severity": timer.severity,
            "exercise": timer.exercise,
            "recipient": timer.recipient.code,
            "sender": timer.sender.code,
            "deadline": iso_time(timer.deadline),
            "level": timer.level,
            "repeat": timer.repeat,
            "paged_level": paged_level(timer.level, timer.repeat),
            "next_fire_at": iso_time(timer.next_fire_at),
            "reply": timer.clock == Clock.REPLY,
            "state": timer.state,
            # Both organisations read what it is about: the recipient's alert and the sender's panel show it.
            **alert_fields(timer, summary),
        }

    return {"to_acknowledge": [entry(timer) for timer in mine], "waiting_for": [entry(timer) for timer in theirs]}
