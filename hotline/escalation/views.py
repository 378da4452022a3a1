"""Console pages of the escalation engine: a page's acknowledgement link, the waiting panel, the
escalation timeline shown under each message, a phone acknowledgement, and the policy editor.

Views check access (hotline.escalation.access), validate a form and call one action
(hotline.escalation.actions); escalation.js keeps the alert, the panel and its countdowns live.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.choices import ContactMethod
from accounts.models import ContactPoint
from hotline.audit.refusals import refuse
from hotline.console.views import safe_next
from hotline.escalation import policy_descriptions
from hotline.escalation.access import access_timer, may_edit_policies, may_record_phone_acknowledgement
from hotline.escalation.actions import (
    LinkRefused,
    do_acknowledge_by_link,
    do_acknowledge_timer,
    do_delete_override,
    do_record_phone_acknowledgement,
    do_save_policy,
)
from hotline.escalation.choices import Clock, DeliveryStatus, Severity, Target, TimerState
from hotline.escalation.forms import LevelForm, LevelFormSet, OverrideForm, PhoneAcknowledgementForm, PolicyForm
from hotline.escalation.models import Delivery, Timer
from hotline.escalation.page_texts import delivery_of_token
from hotline.escalation.subjects import subject_type
from hotline.escalation.timeline import timeline, waiting
from hotline.realtime.outbox import last_event_id

METHOD_LABELS = dict(ContactMethod.choices)
STATUS_LABELS = dict(DeliveryStatus.choices)
TARGET_LABELS = dict(Target.choices)


# --- the link in an e-mail or SMS page ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def acknowledgement_link(request, token):
    """The link in an e-mail or SMS page. No sign-in: the signature is the credential, and it works
    once. GET only shows what would be acknowledged (mail scanners follow links); the button POSTs."""
    if request.method == "POST":
        try:
            delivery = do_acknowledge_by_link(token)
        except LinkRefused as refusal:
            return render(request, "escalation/link.html", {"refusal": " ".join(refusal.messages)}, status=409)
        return render(request, "escalation/link.html", {"done": True, **_describe(delivery)})
    try:
        delivery = Delivery.objects.select_related("page__timer__recipient", "person").get(pk=delivery_of_token(token))
    except (signing.BadSignature, ValueError, KeyError, TypeError, Delivery.DoesNotExist):
        return render(
            request,
            "escalation/link.html",
            {"refusal": "This is not a valid acknowledgement link, or it has expired."},
            status=404,
        )
    if delivery.link_used_at is not None:
        return render(
            request,
            "escalation/link.html",
            {"refusal": "This link was already used.", **_describe(delivery)},
            status=409,
        )
    return render(request, "escalation/link.html", {"token": token, **_describe(delivery)})


def _describe(delivery) -> dict:
    timer = delivery.page.timer
    summary = subject_type(timer.subject_kind).summarise([timer.subject_id]).get(timer.subject_id)
    person = delivery.person
    return {
        "reference": summary.reference if summary else "",
        "what": summary.what if summary else "",
        "recipient": timer.recipient,
        "person": person,
        "severity": timer.get_severity_display(),
        "severity_code": timer.severity,
        "exercise": timer.exercise,
        "deadline": timer.deadline,
        # The person's own zone (not signed in here, so the middleware cannot know it), else their organisation's.
        "zone": getattr(person, "time_zone", "") or timer.recipient.time_zone,
        "waiting": timer.state in (TimerState.RUNNING, TimerState.EXHAUSTED),
    }


# --- timers seen from the console -------------------------------------------------------------------

TIME_KEYS = ("started_at", "deadline", "next_fire_at", "stopped_at", "due_at", "created_at", "send_after", "sent_at")


def _dated(entry: dict) -> dict:
    """A timeline or waiting entry with its ISO times as datetimes, for the templates' date filter."""
    return {
        key: datetime.fromisoformat(value) if key in TIME_KEYS and isinstance(value, str) else value
        for key, value in entry.items()
    }


def _reference(timer: Timer) -> str:
    summary = subject_type(timer.subject_kind).summarise([timer.subject_id]).get(timer.subject_id)
    return summary.reference if summary else f"{timer.subject_kind}:{timer.subject_id}"


def console_timelines(caller, subject_kind: str, subject_ids) -> dict[int, list[dict]]:
    """What the console shows under each subject (for incidents: each acknowledgement of a message):
    its timers with their pages and deliveries, and, where the caller may record one, the form for an
    acknowledgement given by phone. The caller's page has checked that the caller sees the subjects."""
    entries = timeline(subject_kind, subject_ids)
    running = [
        entry["id"]
        for entry in entries
        if entry["state"] == TimerState.RUNNING and entry["clock"] == Clock.ACKNOWLEDGEMENT
    ]
    recordable = {
        timer.pk: timer
        for timer in Timer.objects.filter(pk__in=running).select_related("recipient")
        if may_record_phone_acknowledgement(caller, timer)
    }
    found: dict[int, list[dict]] = {}
    for entry in entries:
        shown = _dated(entry)
        shown["reply"] = entry["clock"] == Clock.REPLY
        shown["pages"] = [
            {
                **_dated(page),
                "deliveries": [
                    {
                        **_dated(delivery),
                        "method_label": METHOD_LABELS.get(delivery["method"], delivery["method"]),
                        "status_label": STATUS_LABELS.get(delivery["status"], delivery["status"]),
                    }
                    for delivery in page["deliveries"]
                ],
            }
            for page in entry["pages"]
        ]
        timer = recordable.get(entry["id"])
        if timer is not None:
            shown["phone_form"] = PhoneAcknowledgementForm(timer.recipient_id, auto_id=f"phone-{timer.pk}-%s")
        found.setdefault(entry["subject"]["id"], []).append(shown)
    return found


MAX_TIMELINE_TIMERS = 50


@login_required
@require_GET
def timeline_fragment(request, pk):
    """The escalation timeline under one message, again: timer `pk` and the others shown with it
    (`?timer=…`, each). The console fetches it when a page, an acknowledgement or a failed delivery of
    one of those timers is pushed, so the sender sees the escalation move without reloading. The same
    visibility as the page it is on: each timer's subject must be visible to the caller (404 otherwise,
    as access_timer says)."""
    try:
        also = {int(value) for value in request.GET.getlist("timer")}
    except ValueError:
        raise Http404("Not a timer.") from None
    wanted = sorted(also | {pk})[:MAX_TIMELINE_TIMERS]
    timers = [access_timer(request.user, pk) for pk in wanted]
    kinds = {timer.subject_kind for timer in timers}
    if len(kinds) != 1:
        raise Http404("One timeline is about one kind of subject.")
    found = console_timelines(request.user, kinds.pop(), sorted({timer.subject_id for timer in timers}))
    entries = sorted(
        (entry for subject in found.values() for entry in subject),
        key=lambda entry: (entry["recipient"], entry["started_at"], entry["clock"]),
    )
    return render(
        request,
        "escalation/_timeline.html",
        {"timers": entries, "escalation_open": any(entry["state"] == TimerState.RUNNING for entry in entries)},
    )


def _progress(entry: dict, now: datetime) -> dict:
    """Where an escalation stands: the step paged last and the one that fires next (`level` is the
    level that fires next; `repeat` counts how often the last level has fired again)."""
    level, repeat = entry["level"], entry["repeat"]
    paged = None if level == 0 and repeat == 0 else (level if repeat else level - 1)
    shown = _dated(entry)
    return {
        **shown,
        "paged_level": paged,
        "next_level": level,
        "next_repeat": repeat,
        "overdue": shown["deadline"] < now,
    }


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


def _items(entries: list[dict], now: datetime) -> list[dict]:
    """The waiting timers as the items people act on: one per subject reference (a request's
    acknowledgement and reply clocks are one row; an exercise told to seven parties is one row with the
    seven still to answer), most urgent first as the alerts are: by severity, real traffic before an
    EXERCISE of the same severity, then the soonest deadline."""
    grouped: dict[str, dict] = {}
    for entry in entries:
        shown = _progress(entry, now)
        item = grouped.get(entry["reference"])
        if item is None:
            item = grouped[entry["reference"]] = {
                **shown,
                "acknowledgement": None,
                "reply_clock": None,
                "parties": {},
            }
        if SEVERITY_RANK.get(shown["severity"], 9) < SEVERITY_RANK.get(item["severity"], 9):
            item["severity"] = shown["severity"]
        if shown["deadline"] < item["deadline"]:
            item.update(deadline=shown["deadline"], overdue=shown["overdue"])
        if entry["reply"]:
            item["reply_clock"] = item["reply_clock"] or shown
        else:
            item["acknowledgement"] = item["acknowledgement"] or shown
        party = item["parties"].setdefault(
            entry["recipient"], {"code": entry["recipient"], "reply": True, "overdue": False}
        )
        party["reply"] = party["reply"] and entry["reply"]  # an acknowledgement still due comes first
        party["overdue"] = party["overdue"] or shown["overdue"]
    items = []
    for item in grouped.values():
        # The row's escalation and its Acknowledge button are the acknowledgement's, when one is due.
        lead = item["acknowledgement"] or item["reply_clock"]
        items.append(
            {
                **item,
                **{key: lead[key] for key in ("timer", "paged_level", "next_level", "next_repeat", "next_fire_at")},
                "reply": item["acknowledgement"] is None,
                "reply_due": item["reply_clock"],
                "parties": sorted(item["parties"].values(), key=lambda party: party["code"]),
            }
        )
    return sorted(items, key=lambda item: (SEVERITY_RANK.get(item["severity"], 9), item["exercise"], item["deadline"]))


def _waiting_context(request, back: str) -> dict:
    organisation = getattr(request.user, "organisation", None)
    page_heading = back == reverse("escalation:waiting")
    found = waiting(organisation) if organisation is not None else {"to_acknowledge": [], "waiting_for": []}
    now = timezone.now()
    return {
        "to_acknowledge": _items(found["to_acknowledge"], now),
        "waiting_for": _items(found["waiting_for"], now),
        "organisation": organisation,
        "back": back,
        "panel_url": reverse("escalation:waiting-panel") + "?" + urlencode({"next": back}),
        # On /waiting/ (and its reloads) the panel is the page: its title is the page's one <h1>.
        "page_heading": page_heading,
        "section_tag": "h2" if page_heading else "h3",
    }


@login_required
@require_GET
def waiting_page(request):
    baseline = last_event_id(request.user.organisation_id) if getattr(request.user, "organisation_id", None) else 0
    return render(
        request,
        "escalation/waiting.html",
        {**_waiting_context(request, reverse("escalation:waiting")), "last_event_id": baseline},
    )


@login_required
@require_GET
def waiting_panel(request):
    """The panel alone: the console home page loads it, and escalation.js reloads it on live events."""
    return render(
        request,
        "escalation/_waiting.html",
        _waiting_context(request, safe_next(request, reverse("escalation:waiting"))),
    )


@login_required
@require_POST
def acknowledge_timer(request, pk):
    """The Acknowledge button of the waiting panel (the alert's button uses the API)."""
    caller = request.user
    timer = access_timer(caller, pk)
    if timer.recipient_id != getattr(caller, "organisation_id", None):
        raise refuse(caller, f"acknowledge for {timer.recipient.code}")
    reference = _reference(timer)
    if timer.clock == Clock.REPLY:
        messages.info(request, f"{reference} waits for a reply: answer in the thread to stop its clock.")
    elif do_acknowledge_timer(caller, timer, ContactMethod.CONSOLE):
        messages.success(request, f"{reference} acknowledged for {timer.recipient.code}: paging has stopped.")
    else:
        messages.info(
            request, f"{reference}: nothing waits any more; someone else acknowledged it, or its escalation ended."
        )
    return redirect(safe_next(request, reverse("escalation:waiting")))


@login_required
@require_POST
def record_phone_acknowledgement(request, pk):
    """A supervisor (or head, or commission administrator) records who acknowledged on the phone."""
    caller = request.user
    timer = access_timer(caller, pk)
    if not may_record_phone_acknowledgement(caller, timer):
        raise refuse(caller, "record acknowledgements by phone")
    summary = subject_type(timer.subject_kind).summarise([timer.subject_id]).get(timer.subject_id)
    reference = summary.reference if summary else _reference(timer)
    back = safe_next(request, summary.path if summary else reverse("escalation:waiting"))
    form = PhoneAcknowledgementForm(timer.recipient_id, request.POST)
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(request, f"{reference}: not recorded. " + " ".join(problems))
        return redirect(back)
    answered_by = form.cleaned_data["answered_by"]
    try:
        given = do_record_phone_acknowledgement(caller, timer, answered_by)
    except ValidationError as refusal:
        messages.error(request, f"{reference}: not recorded. " + " ".join(refusal.messages))
    else:
        if given:
            messages.success(
                request, f"{reference}: recorded as acknowledged by {answered_by} of {timer.recipient.code}, by phone."
            )
        else:
            messages.info(
                request, f"{reference}: nothing waits any more; it was acknowledged meanwhile, or its escalation ended."
            )
    return redirect(back)


# --- policies -----------------------------------------------------------------------------------------


def duration(value: int | None) -> str:
    """Seconds as people say them: "at once", "5 min", "1 h 15 min", "2 d"."""
    if not value:
        return "at once"
    days, rest = divmod(value, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{minutes} min" if minutes else "",
        f"{seconds} s" if seconds else "",
    ]
    return " ".join(part for part in parts if part)


def _edit_url(described: dict) -> str:
    if described["parties"]:
        return reverse("escalation:policy-pair", args=[described["severity"], "+".join(described["parties"])])
    return reverse("escalation:policy", args=[described["severity"]])


def _shown_policy(described: dict, contact_points: dict) -> dict:
    levels = [
        {
            "number": number,
            "after": duration(level["after_s"]),
            "after_s": level["after_s"],
            "targets": [TARGET_LABELS.get(target, target) for target in level["targets"]],
            "contact_points": [
                str(contact_points.get(pk, f"contact point {pk}")) for pk in level.get("contact_points", [])
            ],
            "methods": [
                (METHOD_LABELS.get(method, method), duration(delay)) for method, delay in level["methods"].items()
            ],
        }
        for number, level in enumerate(described["levels"])
    ]
    repeat_count = described["repeat_count"]
    if repeat_count == 0:
        repeats = "not repeated"
    else:
        times = (
            "until acknowledged"
            if repeat_count is None
            else f"{repeat_count} more time{'s' if repeat_count != 1 else ''}"
        )
        repeats = f"every {duration(described['repeat_every_s'])}, {times}"
    return {
        **described,
        "severity_label": Severity(described["severity"]).label,
        "shown_levels": levels,
        "repeats": repeats,
        "acknowledge_within": duration(described["acknowledge_within_s"]),
        "reply_within": duration(described["reply_within_s"]),
        "edit_url": _edit_url(described),
    }


def _policy_list(request, override_form=None, status=200):
    found = policy_descriptions.all_policies()
    named = {pk for described in found for level in described["levels"] for pk in level.get("contact_points", [])}
    contact_points = ContactPoint.objects.select_related("organisation").in_bulk(named) if named else {}
    editing = may_edit_policies(request.user)
    return render(
        request,
        "escalation/policies.html",
        {
            "policies": [_shown_policy(described, contact_points) for described in found],
            "may_edit": editing,
            "override_form": (override_form or OverrideForm()) if editing else None,
        },
        status=status,
    )


@login_required
@require_GET
def policy_list(request):
    return _policy_list(request)


def _require_editor(caller) -> None:
    if not may_edit_policies(caller):
        raise refuse(caller, "edit escalation policies")


def _find(severity: str, pair: str | None):
    try:
        return policy_descriptions.find(severity, pair)
    except LookupError as missing:
        raise Http404(str(missing)) from None


@login_required
@require_GET
def override_new(request):
    """Choosing the pair of a new override opens the editor on it; nothing is saved until it is."""
    _require_editor(request.user)
    form = OverrideForm(request.GET)
    if not form.is_valid():
        return _policy_list(request, override_form=form, status=400)
    return redirect("escalation:policy-pair", severity=form.cleaned_data["severity"], pair=form.pair())


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, severity, pair=None):
    caller = request.user
    _require_editor(caller)
    described, row, parties = _find(severity, pair)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        levels = LevelFormSet(request.POST, prefix="levels")
        if form.is_valid() and levels.is_valid():
            try:
                saved = do_save_policy(caller, severity, parties, levels=levels.levels(), **form.timing())
            except ValidationError as refusal:
                form.add_error(None, refusal.messages)
            else:
                messages.success(
                    request, f"The {saved.key} policy is saved. Running escalations keep the policy they started with."
                )
                return redirect("escalation:policies")
    else:
        form = PolicyForm(initial=PolicyForm.initial_for(described))
        levels = LevelFormSet(initial=[LevelForm.initial_for(level) for level in described["levels"]], prefix="levels")
    return render(
        request,
        "escalation/policy_form.html",
        {
            "policy": described,
            "severity_label": Severity(severity).label,
            "row": row,
            "parties": parties,
            "pair": "+".join(party.code for party in parties) if parties else None,
            "form": form,
            "levels": levels,
            "acknowledge_within": duration(described["acknowledge_within_s"]),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def policy_remove(request, severity, pair):
    caller = request.user
    _require_editor(caller)
    _, row, _ = _find(severity, pair)
    if row is None:
        raise Http404("There is no override here to remove.")
    key = row.key
    try:
        do_delete_override(caller, row)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request,
            f"The override {key} is removed: the pair follows the {Severity(severity).label.lower()} policy again.",
        )
    return redirect("escalation:policies")
