"""The reviewer's incident timeline (issue 16): every message, reply, acknowledgement, page, delivery,
status and TLP change of one incident, across every organisation, in time order, with a summary of the
escalation level each organisation reached and how long each acknowledgement took.

Rules:
- Who opens it: commission reviewers and administrators (any incident), and the supervisors and heads
  of the incident's originator or of a recipient (their own incident). A caller who does not know of
  the incident at all gets the 404 of a reference that does not exist (incidents.visibility); one who
  knows of it but may not open its timeline, a recorded 403.
- What it shows: metadata (reference, organisations, severity, TLP, times, kinds, levels, methods,
  delivery statuses, who acted) to everyone who opens it; content (title, summary, location, message
  bodies, which name the attachments) only where incidents/visibility.py lets the viewer read the
  incident, taken from the payloads of incidents/payloads.py. A commission reviewer of a RED incident
  addressed to others sees its metadata only.
- Where each event comes from: messages and acknowledgements from the thread; pages and deliveries from
  the escalation engine's rows (hotline.escalation); status and TLP changes from the audit log
  (`incident.status_changed`, `incident.tlp_changed`: who changed what, from and to), so the thread's
  own status-change messages, which say the same, are left out. A message posted by an organisation
  that owes a reply to a request for assistance is its reply (it stops the reply clock:
  incidents.timers.stop_reply_clocks).
- A delivery is placed at the time it was sent, or (not sent: failed, cancelled, pending) at the time
  it was to go. Its error text is left out: a transport's answer may quote an address.
- Levels are the engine's: level 0 is the immediate alert, 1 the first escalation after the deadline.
- A fixed number of queries whatever the length of the thread (tests/review/test_incident_timeline.py).
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from hotline.audit.log import describe_target, record
from hotline.audit.models import AuditEntry
from hotline.audit.refusals import refuse
from hotline.escalation.choices import Clock, DeliveryStatus
from hotline.escalation.timeline import timers_of
from hotline.formats import iso_time, spreadsheet_cell
from hotline.review.access import may_open_timeline
from incidents.actions import note_read
from incidents.choices import POSTABLE_KINDS, MessageKind
from incidents.models import Acknowledgement, Incident, Message
from incidents.payloads import incident_payload, message_payload
from incidents.timers import SUBJECT_KIND
from incidents.visibility import access_incident, visible_incidents

CHANGES = {"incident.status_changed": "status", "incident.tlp_changed": "tlp"}
# Within one moment: what was said, then what it set off, then what was done about it.
KINDS = ["message", "reply", "page", "delivery", "acknowledgement", "status", "tlp"]
KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}
# Every event has every field (None where it does not apply): the page, the JSON and the CSV share them.
FIELDS = (
    "at", "kind", "organisation", "counterpart", "message", "message_kind", "asked", "replies_to",
    "level", "repeat", "clock", "targets", "method", "status", "reaches", "attempts", "due_at", "by", "from", "to",
    "content",
)  # fmt: skip


# --- who opens it ------------------------------------------------------------------------------------


def participant_codes(incident: Incident) -> set[str]:
    return {incident.originator.code, *(organisation.code for organisation in incident.recipients.all())}


def access_incident_timeline(user, reference: str) -> Incident:
    """The incident whose timeline `user` may open: 404 (recorded) if the user does not know of it, as for
    a reference that does not exist; 403 (recorded) if the user knows of it but may not open its timeline."""
    incident = access_incident(user, reference)
    prefetch_related_objects([incident], "recipients")
    if not may_open_timeline(user, participant_codes(incident)):
        raise refuse(user, "open this incident's timeline", incident, details={"incident": incident.reference})
    return incident


def note_timeline_read(user, incident: Incident, *, content: bool, form: str) -> None:
    """Opening the timeline (`form` "html") or downloading it ("json", "csv") is recorded; reading a RED
    incident's content is recorded as everywhere else (incidents.actions.note_read)."""
    with transaction.atomic():
        if form == "html":
            record("review.timeline_opened", actor=user, target=incident, details={"reference": incident.reference})
        else:
            record(
                "review.timeline_exported",
                actor=user,
                target=incident,
                details={"reference": incident.reference, "format": form},
            )
        if content:
            note_read(user, incident)


# --- what it shows -----------------------------------------------------------------------------------


@dataclass
class Review:
    incident: dict  # incidents.payloads.incident_payload, content withheld where the viewer may not read it
    content: bool
    summary: dict
    events: list[dict]


def _event(kind: str, at: datetime, **fields) -> dict:
    return {**dict.fromkeys(FIELDS), "kind": kind, "at": at, **fields}


def _content_visible(incident: Incident, viewer) -> bool:
    """Asked of the visibility rules for this viewer, whoever looked the incident up."""
    found = visible_incidents(viewer).filter(pk=incident.pk).values_list("content_visible", flat=True).first()
    if found is None:
        raise PermissionDenied("The viewer does not know of this incident.")
    return bool(found)


def _thread(incident: Incident) -> list[Message]:
    messages = list(
        Message.objects.filter(incident=incident)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.select_related("organisation").order_by("organisation__code"),
            )
        )
        .order_by("number")
    )
    for message in messages:
        message.incident = incident  # the payloads name the incident; it is this one
    return messages


def _changes(incident: Incident) -> list[AuditEntry]:
    # The log has no column for the object; its canonical body names it, followed by "organisation".
    named = f'"object":{json.dumps(describe_target(incident))},'
    return list(
        AuditEntry.objects.filter(action__in=CHANGES, recorded_at__gte=incident.created_at, body__contains=named)
        .only("seq", "recorded_at", "body")
        .order_by("seq")
    )


def _acknowledgement_state(acknowledgement: Acknowledgement, now: datetime) -> str:
    given = acknowledgement.acknowledged_at
    if given is not None:
        return "on_time" if given <= acknowledgement.due_at else "late"
    return "missing" if acknowledgement.due_at <= now else "waiting"


def _message_events(messages: list[Message], content: bool) -> list[dict]:
    events = []
    owing: dict[int, list[Message]] = {}  # organisation id → its requests for assistance it has not answered
    for message in messages:
        if message.kind == MessageKind.STATUS_CHANGE:
            continue  # the audit log's change says who changed what
        acknowledgements = list(message.acknowledgements.all())
        code = message.organisation.code
        answered = owing.pop(message.organisation_id, []) if message.kind in POSTABLE_KINDS else []
        fields = dict(
            organisation=code,
            message=message.number,
            message_kind=message.kind,
            asked=[ack.organisation.code for ack in acknowledgements],
            by=message.author_label,
            due_at=message.reply_by,
            content=message_payload(message, content=content)["body"],
        )
        if answered:
            first = answered[0]
            events.append(
                _event(
                    "reply",
                    message.created_at,
                    **fields,
                    counterpart=first.organisation.code,
                    replies_to=[request.number for request in answered],
                    status="within_reply_by" if message.created_at <= first.reply_by else "after_reply_by",
                )
            )
        else:
            events.append(_event("message", message.created_at, **fields))
        if message.reply_by is not None:
            for acknowledgement in acknowledgements:
                owing.setdefault(acknowledgement.organisation_id, []).append(message)
        for acknowledgement in acknowledgements:
            if acknowledgement.acknowledged_at is None:
                continue
            events.append(
                _event(
                    "acknowledgement",
                    acknowledgement.acknowledged_at,
                    organisation=acknowledgement.organisation.code,
                    counterpart=code,
                    message=message.number,
                    message_kind=message.kind,
                    method=acknowledgement.method,
                    status="on_time" if acknowledgement.acknowledged_at <= acknowledgement.due_at else "late",
                    due_at=acknowledgement.due_at,
                    by=acknowledgement.acknowledged_by_label,
                )
            )
    return events


def _escalation_events(timers, messages_by_acknowledgement: dict[int, Message]) -> list[dict]:
    events = []
    for timer in timers:
        message = messages_by_acknowledgement.get(timer.subject_id)
        common = dict(
            organisation=timer.recipient.code,
            counterpart=timer.sender.code,
            message=message.number if message else None,
            message_kind=message.kind if message else None,
            clock=timer.clock,
        )
        for page in timer.pages.all():
            events.append(
                _event(
                    "page",
                    page.created_at,
                    **common,
                    level=page.level,
                    repeat=page.repeat,
                    targets=list(page.targets),
                    due_at=page.due_at,
                )
            )
            for delivery in page.deliveries.all():
                events.append(
                    _event(
                        "delivery",
                        delivery.sent_at or delivery.send_after,
                        **common,
                        level=page.level,
                        repeat=page.repeat,
                        method=delivery.method,
                        status=delivery.status,
                        reaches=delivery.label,
                        attempts=delivery.attempts,
                    )
                )
    return events


def _change_events(entries: list[AuditEntry]) -> list[dict]:
    events = []
    for entry in entries:
        body = entry.content
        details = body.get("details", {})
        events.append(
            _event(
                CHANGES[body["action"]],
                entry.recorded_at,
                organisation=body.get("organisation") or None,
                by=body.get("actor"),
                **{"from": details.get("from"), "to": details.get("to")},
            )
        )
    return events


def _summary(incident: Incident, messages: list[Message], timers, now: datetime) -> dict:
    """Per organisation taking part: what it owed and gave, the highest escalation level it was paged to
    (acknowledgement clocks; the reply clock's reminders counted apart), pages and failed deliveries; per
    acknowledgement: its deadline, when it was given, how long after the message, and in what state."""
    timers_by_acknowledgement: dict[int, list] = {}
    for timer in timers:
        timers_by_acknowledgement.setdefault(timer.subject_id, []).append(timer)

    def blank(code: str, role: str) -> dict:
        return {
            "organisation": code, "role": role,
            "owed": 0, "given": 0, "on_time": 0, "late": 0, "missing": 0, "waiting": 0,
            "highest_level": None, "pages": 0, "repeats": 0, "reminders": 0, "deliveries_failed": 0,
        }  # fmt: skip

    originator = incident.originator.code
    organisations = {
        code: blank(code, "originator" if code == originator else "recipient")
        for code in sorted(participant_codes(incident))
    }
    acknowledgements = []
    for message in messages:
        for acknowledgement in message.acknowledgements.all():
            code = acknowledgement.organisation.code
            row = organisations.setdefault(code, blank(code, "other"))
            state = _acknowledgement_state(acknowledgement, now)
            row["owed"] += 1
            row[state] += 1
            row["given"] += acknowledgement.acknowledged_at is not None
            levels = []
            for timer in timers_by_acknowledgement.get(acknowledgement.pk, []):
                for page in timer.pages.all():
                    if timer.clock == Clock.ACKNOWLEDGEMENT:
                        levels.append(page.level)
                        row["pages"] += 1
                        row["repeats"] += page.repeat > 0
                    else:
                        row["reminders"] += 1
                    row["deliveries_failed"] += sum(
                        delivery.status == DeliveryStatus.FAILED for delivery in page.deliveries.all()
                    )
            if levels:
                highest = max(levels)
                row["highest_level"] = highest if row["highest_level"] is None else max(row["highest_level"], highest)
            given = acknowledgement.acknowledged_at
            acknowledgements.append(
                {
                    "message": message.number,
                    "from": message.organisation.code,
                    "organisation": code,
                    "posted_at": message.created_at,
                    "due_at": acknowledgement.due_at,
                    "acknowledged_at": given,
                    "seconds": round((given - message.created_at).total_seconds()) if given else None,
                    "state": state,
                    "method": acknowledgement.method or None,
                    "by": acknowledgement.acknowledged_by_label or None,
                    "highest_level": max(levels) if levels else None,
                }
            )
    return {"organisations": list(organisations.values()), "acknowledgements": acknowledgements}


def incident_review(incident: Incident, viewer, *, now: datetime | None = None) -> Review:
    """The timeline and its summary as `viewer` may read them (see the module's rules)."""
    now = now or timezone.now()
    content = _content_visible(incident, viewer)
    prefetch_related_objects([incident], "recipients")
    messages = _thread(incident)
    by_acknowledgement = {ack.pk: message for message in messages for ack in message.acknowledgements.all()}
    timers = list(timers_of(SUBJECT_KIND, by_acknowledgement))
    events = [
        *_message_events(messages, content),
        *_escalation_events(timers, by_acknowledgement),
        *_change_events(_changes(incident)),
    ]
    events.sort(
        key=lambda event: (event["at"], KIND_ORDER[event["kind"]], event["message"] or 0, event["organisation"] or "")
    )
    return Review(
        incident=incident_payload(incident, content=content),
        content=content,
        summary=_summary(incident, messages, timers, now),
        events=events,
    )


def incident_timeline(incident: Incident, viewer) -> list[dict]:
    """The events of the incident's timeline in time order, content only where `viewer` may read it."""
    return incident_review(incident, viewer).events


# --- downloads ---------------------------------------------------------------------------------------


def _json_row(row: dict) -> dict:
    return {key: iso_time(value) if isinstance(value, datetime) else value for key, value in row.items()}


def as_json(review: Review) -> str:
    document = {
        "incident": review.incident,
        "summary": {
            "organisations": review.summary["organisations"],
            "acknowledgements": [_json_row(row) for row in review.summary["acknowledgements"]],
        },
        "events": [_json_row(event) for event in review.events],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def as_csv(review: Review) -> str:
    """One row per event, the columns of FIELDS, with the incident's reference and TLP on each row."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["incident", "tlp", *FIELDS])
    for event in review.events:
        writer.writerow(
            [review.incident["reference"], review.incident["tlp"], *(spreadsheet_cell(event[name]) for name in FIELDS)]
        )
    return output.getvalue()
