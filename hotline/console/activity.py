"""The console home's recent activity: the organisation's newest events, said in a line each.

It reads the event outbox (hotline.realtime) and nothing else: every event there was published to the
organisation by the app that owns its subject, after that app's visibility rules chose the audience and
withheld the content the audience may not read. So an incident the organisation may not see is never
here. The lines carry no content at all (no titles): an event keeps what it said when it was published,
and a TLP raised since, or a notification amended away from a party, would otherwise show a title the
organisation may no longer read. The reference links to the page, which applies today's rules.
The console sits below the feature apps, so it knows their events only by the payloads' shapes, and
links to their pages by URL name.
"""

from datetime import datetime

from django.urls import NoReverseMatch, reverse

from hotline.realtime.outbox import latest_events

RECENT = 10
MESSAGE_KINDS = {
    "note": "a note",
    "request_for_assistance": "a request for assistance",
    "information": "information",
    "status_change": "a status change",
    "system": "a system message",
}


def _path(name: str, reference: str, anchor: str = "") -> str:
    try:
        return reverse(name, args=[reference]) + anchor
    except NoReverseMatch:
        return ""


def _incident_line(kind: str, payload: dict) -> dict | None:
    incident, message = payload.get("incident") or {}, payload.get("message") or {}
    reference = incident.get("reference", "")
    path = _path("incidents:detail", reference)
    if kind == "incident.created":
        text = f"{incident.get('originator', '')} reported {reference}"
    elif kind == "message.created":
        said = MESSAGE_KINDS.get(message.get("kind"), "a message")
        text = f"{message.get('organisation', '')} sent {said} (#{message.get('number')}) in {reference}"
        path += f"#message-{message.get('number')}"
    elif kind == "ack.recorded":
        acknowledgement = payload.get("acknowledgement") or {}
        text = f"{acknowledgement.get('organisation', '')} acknowledged {reference} #{message.get('number')}"
        path += f"#message-{message.get('number')}"
    elif kind == "incident.updated":
        text = f"{reference} is {incident.get('status', 'updated')}"
    else:
        return None
    return {"text": text, "path": path, "severity": incident.get("severity", "")}


NOTIFICATION_VERBS = {
    "exercise.notified": "notified the exercise",
    "exercise.amended": "amended the exercise",
    "exercise.cancelled": "cancelled the exercise",
    "exercise.invitation": "invited observers to the exercise",
    "drone_flight.notified": "notified the drone flight",
    "drone_flight.state_changed": "changed the state of the drone flight",
    "drone_flight.conflict": "has a conflict: the drone flight",
}


def _notification_line(kind: str, payload: dict) -> dict | None:
    if kind.startswith("exercise."):
        subject, name = payload.get("exercise_notification") or {}, "notifications:exercise"
    else:
        subject, name = payload.get("drone_flight") or {}, "notifications:flight"
    reference = subject.get("reference", "")
    if kind.endswith(".acknowledged"):
        text = f"{payload.get('organisation', '')} acknowledged {reference}"
    elif kind in NOTIFICATION_VERBS:
        text = f"{subject.get('organisation', '')} {NOTIFICATION_VERBS[kind]} {reference}"
    else:
        return None
    return {"text": text, "path": _path(name, reference), "severity": ""}


def _check_line(kind: str, payload: dict) -> dict:
    check = payload.get("check") or {}
    response = payload.get("response") or {}
    if kind == "check.answered":
        who = response.get("organisation", "An organisation")
        text = f"{who} answered the reachability check {check.get('reference')}"
    else:
        text = f"Reachability check {check.get('reference')} started"
    return {"text": text, "path": check.get("url", ""), "severity": ""}


def _delivery_line(kind: str, payload: dict) -> dict:
    delivery = payload.get("delivery") or {}
    text = f"A page to {delivery.get('recipient', '')} could not be delivered ({delivery.get('method', '')})"
    return {"text": text, "path": "", "severity": ""}


LINES = {
    **dict.fromkeys(["incident.created", "message.created", "ack.recorded", "incident.updated"], _incident_line),
    **dict.fromkeys([*NOTIFICATION_VERBS, "exercise.acknowledged", "drone_flight.acknowledged"], _notification_line),
    **dict.fromkeys(["check.started", "check.answered"], _check_line),
    "delivery.failed": _delivery_line,
}


def recent_activity(organisation_id: int | None, limit: int = RECENT) -> list[dict]:
    """The organisation's last `limit` events as lines: `text` (metadata only), `path`, `at`, `kind`,
    `exercise`. Pages are left out: the waiting panel shows what they page for."""
    if organisation_id is None:
        return []
    lines = []
    for event in latest_events(organisation_id, LINES, limit):
        line = LINES[event["type"]](event["type"], event)
        if line is None:
            continue
        lines.append(
            {
                **line,
                "kind": event["type"],
                "at": datetime.fromisoformat(event["created_at"]),
                "exercise": bool(event.get("exercise")),
            }
        )
    return lines
