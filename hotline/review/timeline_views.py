"""The console's incident timeline for reviewers: `GET /review/incidents/<reference>/timeline/`, as a page or
(`?format=json`, `?format=csv`) as a download of the same rows. Who may open it and what it shows are
hotline.review.timeline's rules; the template gets its dictionaries, never the models."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.choices import ContactMethod
from hotline.console.views import bad_request
from hotline.escalation.choices import Clock, DeliveryStatus, Target
from hotline.review.timeline import access_incident_timeline, as_csv, as_json, incident_review, note_timeline_read
from incidents.choices import AckMethod, Category, MessageKind, Severity, Status

FORMATS = {"html", "json", "csv"}
DOWNLOADS = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
STATES = {"on_time": "on time", "late": "late", "missing": "missing", "waiting": "not yet due"}
# Whom a level pages, in a few words (Target's labels are the policy editor's full sentences).
TARGETS = {
    Target.ORGANISATION: "the organisation",
    Target.ON_DUTY: "the on-duty officer",
    Target.SUPERVISORS: "the supervisors",
    Target.HEAD: "the head",
    Target.COMMISSION_DESK: "the commission desk",
    Target.CONTACT_POINTS: "named contact points",
}
REPLY_STATES = {"within_reply_by": "within the reply-by time", "after_reply_by": "after the reply-by time"}


def _label(choices, value) -> str:
    return dict(choices).get(value, value or "")


def describe(event: dict) -> str:
    """One line of metadata saying what happened (never content: that is the event's `content`)."""
    kind, number = event["kind"], event["message"]
    if kind == "message":
        asked = event["asked"]
        said = f"#{number} {_label(MessageKind.choices, event['message_kind']).lower()}"
        return said + (f", to be acknowledged by {', '.join(asked)}" if asked else "")
    if kind == "reply":
        answered = ", ".join(f"#{request}" for request in event["replies_to"])
        return f"#{number} replies to {event['counterpart']}'s request {answered}, {REPLY_STATES[event['status']]}"
    if kind == "acknowledgement":
        method = _label(AckMethod.choices, event["method"]).lower()
        return f"acknowledged {event['counterpart']}'s #{number} ({method}), {STATES[event['status']]}"
    if kind == "page":
        step = f"level {event['level']}" + (f", repeat {event['repeat']}" if event["repeat"] else "")
        what = "reply reminder" if event["clock"] == Clock.REPLY else "page"
        reaches = ", ".join(TARGETS.get(target, target) for target in event["targets"])
        return f"{what} {step} for #{number} from {event['counterpart']}: {reaches}"
    if kind == "delivery":
        method = _label(ContactMethod.choices, event["method"])
        status = _label(DeliveryStatus.choices, event["status"]).lower()
        tries = f", {event['attempts']} attempt{'s' if event['attempts'] != 1 else ''}" if event["attempts"] else ""
        return f"{method} to {event['reaches']} (level {event['level']}, #{number}): {status}{tries}"
    if kind == "status":
        return f"status {_label(Status.choices, event['from'])} → {_label(Status.choices, event['to'])}"
    return f"TLP:{event['from']} → TLP:{event['to']}"


def duration(seconds: int | None) -> str:
    """How long an acknowledgement took, as a reviewer reads it: "42 s", "12 min 5 s", "3 h 20 min"."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _download(review, form: str) -> HttpResponse:
    text = as_json(review) if form == "json" else as_csv(review)
    response = HttpResponse(text, content_type=DOWNLOADS[form])
    response["Content-Disposition"] = f'attachment; filename="{review.incident["reference"]}-timeline.{form}"'
    return response


@login_required
@require_GET
def incident_timeline(request, reference):
    form = request.GET.get("format", "html")
    if form not in FORMATS:
        return bad_request(request, 400, "The format is html, json or csv.")
    incident = access_incident_timeline(request.user, reference)
    review = incident_review(incident, request.user)
    note_timeline_read(request.user, incident, content=review.content, form=form)
    if form in DOWNLOADS:
        return _download(review, form)
    shown = review.incident
    return render(
        request,
        "review/incident_timeline.html",
        {
            "incident": {
                **shown,
                "category_label": _label(Category.choices, shown["category"]),
                "severity_label": _label(Severity.choices, shown["severity"]),
                "status_label": _label(Status.choices, shown["status"]),
                "location_text": json.dumps(shown["location"]) if shown["location"] else None,
            },
            "summary": {
                "organisations": review.summary["organisations"],
                "acknowledgements": [
                    {
                        **row,
                        "state_label": STATES[row["state"]],
                        "took": duration(row["seconds"]),
                        "method_label": _label(AckMethod.choices, row["method"]),
                    }
                    for row in review.summary["acknowledgements"]
                ],
            },
            "events": [{**event, "line": describe(event)} for event in review.events],
        },
    )
