"""Console pages of incidents: the list, the new-incident form, the incident with its thread, and the
attachment download. Views check access (incidents.visibility, incidents.access), validate a form and
call one action (incidents.actions); the page script (incidents.js) keeps the pages live.

Templates get incidents, messages and attachments as the dictionaries of incidents.payloads, with the
content already withheld where the TLP says so, never as models (tests/incidents/test_tlp_rendering.py
holds every page to it). The list filters with IncidentFilterSet, the filter set of the API's list.

Each page that shows live content takes the organisation's last event id *before* it reads that
content: the live channel resumes after that id, so an event committed meanwhile is replayed (and the
script drops what the page already shows) rather than lost.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.escalation.choices import TimerState
from hotline.escalation.views import console_timelines
from hotline.realtime.outbox import last_event_id
from incidents import actions, timers
from incidents.access import may_act, may_change, may_change_tlp, may_take_part, require, require_tlp_change
from incidents.choices import AckMethod, Category, MessageKind, Severity, Status, Tlp
from incidents.filtersets import IncidentFilterSet
from incidents.forms import (
    AcknowledgeForm,
    AttachmentForm,
    IncidentFilterForm,
    IncidentForm,
    MessageForm,
    StatusForm,
    TlpForm,
)
from incidents.models import Acknowledgement, Attachment
from incidents.payloads import console_attachment, console_incident, console_message
from incidents.visibility import access_incident, visible_incidents

LIST_LENGTH = 200  # the console lists the most recently changed incidents; filters find older ones


def _organisation_id(user):
    return getattr(user, "organisation_id", None)


def event_baseline(user) -> int:
    """The last event id of the user's organisation, taken before a live page reads its content, so an
    event committed meanwhile is replayed rather than lost."""
    organisation_id = _organisation_id(user)
    return last_event_id(organisation_id) if organisation_id else 0


def _page_data(request) -> dict:
    """What the page script needs to build rows and messages from live events as the server would."""
    organisation = getattr(request.user, "organisation", None)
    return {
        "organisation": organisation.code if organisation else None,
        "csrf_token": get_token(request),
        "detail_url": reverse("incidents:detail", args=["__REF__"]),
        "acknowledge_url": reverse("incidents:acknowledge", args=["__REF__"]),
        "labels": {
            "category": dict(Category.choices),
            "severity": dict(Severity.choices),
            "status": dict(Status.choices),
            "kind": dict(MessageKind.choices),
            "method": dict(AckMethod.choices),
        },
    }


def add_errors(form, error: ValidationError) -> None:
    """An action's errors on the form: under the field they name, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


def awaiting(user) -> list[dict]:
    """What waits on the user's organisation, soonest due first: each pending acknowledgement with its
    message and incident (a pending acknowledgement is always the organisation's own, in an incident it
    takes part in, so it sees the content; the visibility rules still say so)."""
    organisation_id = _organisation_id(user)
    if organisation_id is None:
        return []
    visible = visible_incidents(user)
    pending = list(
        Acknowledgement.objects.filter(
            organisation_id=organisation_id, acknowledged_at__isnull=True, message__incident__in=visible.values("pk")
        )
        .select_related("message__incident__originator", "message__organisation")
        .prefetch_related("message__incident__recipients", "message__acknowledgements__organisation")
        .order_by("due_at", "pk")
    )
    incident_ids = {acknowledgement.message.incident_id for acknowledgement in pending}
    content = dict(visible.filter(pk__in=incident_ids).values_list("pk", "content_visible"))
    return [
        {
            "incident": console_incident(ack.message.incident, content=content[ack.message.incident_id]),
            "message": console_message(ack.message, content=content[ack.message.incident_id]),
            "due_at": ack.due_at,
        }
        for ack in pending
    ]


@login_required
@require_GET
def incident_list(request):
    baseline = event_baseline(request.user)
    form = IncidentFilterForm(request.GET or None)
    filtered = IncidentFilterSet(form.query(), queryset=visible_incidents(request.user)).qs
    incidents = [
        console_incident(incident, content=incident.content_visible)
        for incident in filtered.prefetch_related("recipients").order_by("-updated_at", "-pk")[:LIST_LENGTH]
    ]
    acting = may_act(request.user)
    return render(
        request,
        "incidents/list.html",
        {
            "form": form,
            "incidents": incidents,
            "awaiting": awaiting(request.user),
            "last_event_id": baseline,
            "may_act": acting,
            "page": {**_page_data(request), "filters": form.active(), "may_act": acting},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request):
    require(may_act(request.user), request.user, "report incidents")
    form = IncidentForm(request.POST or None, reporter=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = actions.do_report_incident(
                request.user,
                recipients=data["recipients"],
                title=data["title"],
                summary=data["summary"],
                category=data["category"],
                severity=data["severity"],
                tlp=data["tlp"],
                occurred_at=data["occurred_at"],
                exercise=data["exercise"],
                location=data["location"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            reported_to = ", ".join(recipient.code for recipient in data["recipients"])
            messages.success(request, f"{incident.reference} reported to {reported_to}.")
            return redirect("incidents:detail", reference=incident.reference)
    return render(request, "incidents/new.html", {"form": form}, status=400 if form.errors else 200)


def _detail(request, incident, *, baseline=None, status=200, **forms):
    """The incident page; `forms` replaces the blank forms with bound ones that carry errors."""
    user = request.user
    baseline = event_baseline(user) if baseline is None else baseline
    content = incident.content_visible
    if content:
        actions.note_read(user, incident)
    thread = list(
        incident.messages.select_related("organisation").prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.select_related("organisation").order_by("organisation__code"),
            )
        )
    )
    attachments = incident.attachments.all() if content else []
    taking_part = may_take_part(user, incident)
    changing = may_change(user, incident)
    own = _organisation_id(user)
    # Each acknowledgement is an escalation subject: its timers, pages and deliveries go under its message.
    timelines = console_timelines(
        user, timers.SUBJECT_KIND, [ack.pk for message in thread for ack in message.acknowledgements.all()]
    )
    shown = []
    for message in thread:
        escalation = [timer for ack in message.acknowledgements.all() for timer in timelines.get(ack.pk, [])]
        shown.append(
            {
                "message": console_message(message, content=content),
                "escalation": escalation,
                "escalation_open": any(timer["state"] == TimerState.RUNNING for timer in escalation),
                "awaits_us": taking_part
                and any(ack.organisation_id == own and ack.is_pending for ack in message.acknowledgements.all()),
            }
        )
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": console_incident(incident, content=content),
            "thread": shown,
            "last_event_id": baseline,
            "attachments": [console_attachment(attachment) for attachment in attachments],
            "may_take_part": taking_part,
            "may_change": changing,
            "may_change_tlp": may_change_tlp(user, incident),
            "awaits_us": any(item["awaits_us"] for item in shown),
            "message_form": forms.get("message_form") or MessageForm(),
            "status_form": forms.get("status_form") or StatusForm(initial={"status": incident.status}),
            "tlp_form": forms.get("tlp_form") or TlpForm(initial={"tlp": incident.tlp}),
            "attachment_form": forms.get("attachment_form") or AttachmentForm(),
            "page": {**_page_data(request), "incident": incident.pk, "may_act": taking_part},
        },
        status=status,
    )


@login_required
@require_GET
def incident_detail(request, reference):
    baseline = event_baseline(request.user)
    incident = access_incident(request.user, reference)
    return _detail(request, incident, baseline=baseline)


@login_required
@require_POST
def message_post(request, reference):
    # Not content=True: the commission knows of a RED incident (its metadata), so it is refused (403, as
    # the API answers), not told the incident does not exist; only participants, who read it, may post.
    incident = access_incident(request.user, reference)
    require(may_take_part(request.user, incident), request.user, "post in this incident", incident)
    form = MessageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = actions.do_post_message(
                request.user,
                incident,
                kind=data["kind"],
                body=data["body"],
                requires_ack=data["requires_ack"],
                reply_by=data["reply_by"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Message {message.number} posted.")
            return redirect(reverse("incidents:detail", args=[incident.reference]) + f"#message-{message.number}")
    return _detail(request, incident, status=400, message_form=form)


def _back(request, incident):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("incidents:detail", reference=incident.reference)


@login_required
@require_POST
def acknowledge(request, reference):
    """One message (`message` given) or everything that waits on the user's organisation."""
    incident = access_incident(request.user, reference)
    require(may_take_part(request.user, incident), request.user, "acknowledge in this incident", incident)
    form = AcknowledgeForm(request.POST)
    number = form.cleaned_data["message"] if form.is_valid() else None
    try:
        given = actions.do_acknowledge(request.user, incident, message_number=number)
    except actions.NotAwaited as error:
        messages.info(request, " ".join(error.messages))
    else:
        if given:
            numbers = ", ".join(str(acknowledgement.message.number) for acknowledgement in given)
            messages.success(request, f"{incident.reference}: acknowledged message {numbers}.")
        else:
            messages.info(request, f"Nothing in {incident.reference} waits for your acknowledgement.")
    return _back(request, incident)


@login_required
@require_POST
def change_status(request, reference):
    incident = access_incident(request.user, reference)
    require(may_change(request.user, incident), request.user, "change this incident's status", incident)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, status=400, status_form=form)
    actions.do_change_status(request.user, incident, form.cleaned_data["status"])
    messages.success(request, f"Status is now {Status(form.cleaned_data['status']).label.lower()}.")
    return redirect("incidents:detail", reference=incident.reference)


@login_required
@require_POST
def change_tlp(request, reference):
    incident = access_incident(request.user, reference)
    try:
        require_tlp_change(request.user, incident)
    except PermissionDenied as refusal:  # recorded; the page says who sets the label
        messages.error(request, str(refusal))
        return _detail(request, incident, status=403)
    form = TlpForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, status=400, tlp_form=form)
    actions.do_change_tlp(request.user, incident, form.cleaned_data["tlp"])
    messages.success(request, f"TLP is now {Tlp(form.cleaned_data['tlp']).label}.")
    return redirect("incidents:detail", reference=incident.reference)


@login_required
@require_POST
def attachment_add(request, reference):
    incident = access_incident(request.user, reference)  # as message_post: refused, not hidden
    require(may_take_part(request.user, incident), request.user, "add attachments to this incident", incident)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = actions.do_add_attachment(request.user, incident, form.cleaned_data["file"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{attachment.filename} attached.")
            return redirect("incidents:detail", reference=incident.reference)
    return _detail(request, incident, status=400, attachment_form=form)


@login_required
@require_GET
def attachment_download(request, reference, pk):
    incident = access_incident(request.user, reference, content=True)
    attachment = Attachment.objects.filter(incident=incident, pk=pk).select_related("incident").first()
    if attachment is None:
        raise Http404("There is no such attachment.")
    actions.note_attachment_download(request.user, attachment)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
