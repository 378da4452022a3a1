"""How a reachability check reads outside the database: one shape for the API, the event outbox and the
console's live page. Everything here is TLP:GREEN (no content, only who answered when)."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from hotline.formats import iso_time
from hotline.reachability.models import CheckResponse, ReachabilityCheck


def check_payload(check: ReachabilityCheck) -> dict:
    return {
        "id": check.pk,
        "reference": check.reference,
        "started_at": iso_time(check.started_at),
        "started_by": check.started_by_label,
        "scheduled_for": iso_time(check.scheduled_for),
        "window_minutes": check.window_minutes,
        "due_at": iso_time(check.due_at),
        "url": reverse("reachability:check", args=[check.reference]),
    }


def response_payload(response: CheckResponse, now: datetime | None = None) -> dict:
    answered_in = response.time_to_answer
    return {
        "id": response.pk,
        "organisation": response.organisation.code,
        "due_at": iso_time(response.due_at),
        "state": response.state_at(now or timezone.now()),
        "acknowledged_at": iso_time(response.acknowledged_at),
        "acknowledged_by": response.acknowledged_by_label or None,
        "method": response.method or None,
        "seconds_to_answer": round(answered_in.total_seconds()) if answered_in is not None else None,
    }


def counts_payload(check) -> dict:
    """The counts `figures.with_counts` annotates."""
    return {name: getattr(check, name) for name in ("total", "answered", "late", "missed", "pending")}
