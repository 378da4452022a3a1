"""Console pages of exercise notifications, the calendar of notified activities (with a feed per
party) and the commission's notification policy.

Views check access (notifications.visibility, notifications.access), validate a form and call one
action (notifications.actions); exercises.js says when a notification shown here has changed
elsewhere. Pages that show live content take the organisation's last event id before they read it
(as incidents.views).
"""

import json
import logging
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, Min, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from accounts.choices import PartyKind
from accounts.models import Party
from accounts.views import designation_notes
from hotline.console.views import safe_next
from incidents.notifications import actions, rules
from incidents.notifications import calendar as activity_calendar
from incidents.notifications.access import (
    access_amendable_exercise,
    feed_revocable_parties,
    may_acknowledge,
    may_change,
    may_file,
    may_reply_to_invitation,
    may_revoke_calendar_feed,
    may_set_policy,
    require,
)
from incidents.notifications.choices import VersionKind
from incidents.notifications.exercise_forms import (
    TIME_FIELDS,
    AcknowledgeForm,
    AmendForm,
    CancelForm,
    ExerciseForm,
    InvitationForm,
    PolicyForm,
    ReplyForm,
)
from incidents.notifications.models import (
    ExerciseAcknowledgement,
    ExerciseNotification,
    ExerciseVersion,
    NotificationPolicy,
)
from incidents.notifications.payloads import EXERCISE_FIELDS, differences, with_exercise_details
from incidents.notifications.recipients import invited_organisations
from incidents.notifications.visibility import access_exercise, access_invitation, visible_exercises
from incidents.views import add_errors, event_baseline

log = logging.getLogger("hotline.notifications")

LIST_LENGTH = 200  # the list shows the notifications that start latest; the calendar finds the others
# Short names of the reasons (rules.notifiable_reasons' codes), for the list's summary.
REASON_NAMES = {
    **{field: counts for field, counts, policy_field, _, _ in rules.EXERCISE_FIGURES if policy_field},
    "armed_drone_live_fire": "armed-drone live fire",
    "troops_near_border": "troops near a border",
}
# Vienna Document 2011, 38: notified 42 days or more in advance.
VIENNA_NOTICE_DAYS = 42


def _near(near_borders: list[dict]) -> list[dict]:
    return [{"party": item["party"], "distance": rules.km(item["distance_m"])} for item in near_borders]


def _reason_summary(reasons: list[dict]) -> str:
    return ", ".join(REASON_NAMES.get(reason["code"], reason["code"]) for reason in reasons)


def _shown(field: str, value) -> str:
    """A field's value as the console shows it: labels for choices, local times, yes/no."""
    if value is None or value == "":
        return "—"
    model_field = ExerciseVersion._meta.get_field(field)
    if field in TIME_FIELDS:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return formats.date_format(timezone.localtime(moment), "d M Y H:i")
    if model_field.choices:
        return dict(model_field.choices).get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _content(version: ExerciseVersion) -> list[dict]:
    return [
        {
            "field": field,
            "label": ExerciseVersion._meta.get_field(field).verbose_name,
            "value": _shown(field, getattr(version, field)),
        }
        for field in EXERCISE_FIELDS
    ]


def _changes(previous, version) -> list[dict]:
    return [
        {
            **change,
            "before": _shown(change["field"], change["before"]),
            "after": _shown(change["field"], change["after"]),
        }
        for change in differences(previous, version)
    ]


def _detail_url(notification, anchor: str = "") -> str:
    return reverse("notifications:exercise", args=[notification.reference]) + anchor


# --- the list ---------------------------------------------------------------------------------------


def _pending(user, notification_ids) -> dict[int, dict]:
    """Per notification: when what waits on the user's organisation is due (the soonest)."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return {}
    rows = (
        ExerciseAcknowledgement.objects.filter(organisation_id=organisation_id, acknowledged_at__isnull=True)
        .filter(version__notification_id__in=notification_ids)
        .values("version__notification_id")
        .annotate(due_at=Min("due_at"))
    )
    return {row["version__notification_id"]: row for row in rows}


def compliance(user, year: int) -> list[dict]:
    """Per member party: the notifications it filed in `year` that the user may see, and how many of
    them were late (the first version's lateness: what was notified late stays counted)."""
    first_late = ExerciseVersion.objects.filter(notification=OuterRef("pk"), number=1, late_by_s__isnull=False)
    filed = (
        visible_exercises(user)
        .filter(year=year)
        .annotate(late=Exists(first_late))
        .values_list("organisation__party_id", "late")
    )
    counts: dict[int, list[int]] = {}
    for party_id, late in filed:
        count = counts.setdefault(party_id, [0, 0])
        count[0] += 1
        count[1] += int(late)
    return [
        {"party": party, "filed": counts.get(party.pk, [0, 0])[0], "late": counts.get(party.pk, [0, 0])[1]}
        for party in Party.objects.filter(kind=PartyKind.MEMBER)
    ]


@login_required
@require_GET
def exercise_list(request):
    user = request.user
    baseline = event_baseline(user)
    # The lateness of the last notice or amendment: a cancellation is never late, but what it cancels may have been.
    shown_late = (
        ExerciseVersion.objects.filter(notification=OuterRef("pk"))
        .exclude(kind=VersionKind.CANCELLATION)
        .order_by("-number")
    )
    notifications = list(
        visible_exercises(user)
        .filter(latest__isnull=False)
        .select_related("organisation__party", "latest")
        .annotate(shown_late_by_s=Subquery(shown_late.values("late_by_s")[:1]))
        .order_by("-latest__starts_at", "-pk")[:LIST_LENGTH]
    )
    pending = _pending(user, [notification.pk for notification in notifications])
    rows = [
        {
            "notification": notification,
            "version": notification.latest,
            "late": rules.late_text(notification.shown_late_by_s, "day"),
            "reasons": _reason_summary(notification.latest.notifiable_reasons),
            "pending": pending.get(notification.pk),
        }
        for notification in notifications
    ]
    year = timezone.now().year
    parties = compliance(user, year)
    return render(
        request,
        "notifications/exercises/list.html",
        {
            "rows": rows,
            "compliance": parties,
            "year": year,
            "may_file": may_file(user),
            "may_acknowledge": may_acknowledge(user),
            "last_event_id": baseline,
            "designation_notes": designation_notes(row["party"] for row in parties),
        },
    )


# --- filing and amending ----------------------------------------------------------------------------


def _form_page(request, form, *, notification=None, assessment=None, status=200):
    """The new-notification form, or the amendment form of `notification`, with the rules beside it."""
    policy = NotificationPolicy.current()
    return render(
        request,
        "notifications/exercises/form.html",
        {
            "form": form,
            "notification": notification,
            "assessment": assessment,
            "thresholds": rules.threshold_table(policy),
            "policy": policy,
            "vienna_notice_days": VIENNA_NOTICE_DAYS,
            "border_distance": rules.km(policy.border_distance_m),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def exercise_new(request):
    user = request.user
    require(may_file(user), user, "notify exercises")
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notification = actions.do_notify_exercise(user, form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            version = notification.latest
            reasons = "; ".join(reason["text"] for reason in version.notifiable_reasons)
            late = rules.late_text(version.late_by_s, "day")
            messages.success(
                request,
                " ".join(
                    part
                    for part in (
                        f"{notification.reference} notified.",
                        f"Notifiable because: {reasons}." if reasons else "Below every threshold.",
                        f"Notified {late}." if late else "",
                    )
                    if part
                ),
            )
            return redirect(_detail_url(notification))
    elif request.method == "POST":
        form.add_rule_errors()
    return _form_page(request, form, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def exercise_amend(request, reference):
    user = request.user
    notification, latest = access_amendable_exercise(user, reference)
    if notification.cancelled:
        messages.error(request, f"{notification.reference} is cancelled: it cannot change any more.")
        return redirect(_detail_url(notification))
    form = AmendForm(request.POST or None, initial=AmendForm.initial_for(latest))
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.do_amend_exercise(
                user, notification, form.changes(latest), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            changed = len(differences(latest, version))
            fields = f"{changed} field{'s' if changed != 1 else ''}"
            messages.success(request, f"{notification.reference} amended: version {version.number}, {fields} changed.")
            return redirect(_detail_url(notification, f"#version-{version.number}"))
    elif request.method == "POST":
        form.add_rule_errors()
    return _form_page(request, form, notification=notification, status=400 if form.errors else 200)


NEEDED = ("starts_at", "area")  # what the Check needs before it can say anything


def _only_required(form, name: str) -> bool:
    """Is the field's only problem that it was left empty?"""
    return [error.code for error in form.errors.as_data().get(name, [])] == ["required"]


def _labelled(form, errors: dict) -> list[str]:
    """ "Label: message" for each message of {field: [messages]}, in the form's order of fields."""
    order = list(form.fields)
    named = sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return [
        f"{form.fields[name].label}: {text}" if name in form.fields else str(text)
        for name, texts in named
        for text in texts
    ]


def assess(form, organisation, previous=None) -> dict:
    """What the rules say of the form as typed so far, for the Check button: why it is notifiable (or
    that it is below every threshold), whether it would be late, which borders are near; or what is
    missing before that can be said. Every problem found is reported at once: each field the form
    cannot read, each figure that disagrees with another, and the area's own problems."""
    form.is_valid()  # only to clean what can be cleaned: the rest is for filing to refuse
    data = getattr(form, "cleaned_data", {})
    # A needed field left empty is said once, in "To check, give:"; every other problem is listed.
    empty = [name for name in NEEDED if name not in data and (name not in form.errors or _only_required(form, name))]
    missing = [form.fields[name].label for name in empty]
    errors = {name: list(texts) for name, texts in form.errors.items() if name not in empty}
    if previous is not None:
        # As the amendment would be filed: what it changes, over the version it amends.
        values = {**{field: getattr(previous, field) for field in EXERCISE_FIELDS}, **form.changes(previous)}
    else:
        defaults = {field: ExerciseVersion._meta.get_field(field).get_default() for field in EXERCISE_FIELDS}
        values = {**defaults, **{field: data[field] for field in EXERCISE_FIELDS if field in data}}
    try:
        rules.check_exercise(values)
    except ValidationError as error:
        errors.update({name: texts for name, texts in error.message_dict.items() if name not in form.errors})
    problems = _labelled(form, errors)  # in the form's order, as the person reads it
    if any(name not in data for name in NEEDED):
        return {"checked": False, "missing": missing, "problems": problems}
    now = timezone.now()
    try:  # it checks the area first: one that cannot be used (or lies far from every party) stops the rest
        found = actions.assess_exercise(values, organisation, filed_at=now, previous=previous)
    except ValidationError as error:
        return {
            "checked": False,
            "missing": [],
            "problems": problems + [f"{form.fields['area'].label}: {text}" for text in error.messages],
        }
    notice = timedelta(days=found.policy["exercise_notice_days"])
    return {
        "checked": True,
        "problems": problems,
        "reasons": found.reasons,
        "late": rules.late_text(found.late_by_s, "day"),
        "notice_days": found.policy["exercise_notice_days"],
        "on_time_until": values["starts_at"] - notice,
        "near": _near(found.near_borders),
        "border_distance": rules.km(found.policy["border_distance_m"]),
        "boundary_version": found.boundary_version,
        "amending": previous is not None,
    }


@login_required
@require_POST
def exercise_preview(request):
    """The Check button's answer: a partial for htmx; without JavaScript, the form page with it."""
    user = request.user
    require(may_file(user), user, "notify exercises")
    notification = previous = None
    if request.POST.get("reference"):
        notification, previous = access_amendable_exercise(user, request.POST["reference"])
    form = (AmendForm if notification else ExerciseForm)(request.POST)
    assessment = assess(form, user.organisation, previous)
    if request.headers.get("HX-Request"):
        return render(request, "notifications/exercises/_assessment.html", {"assessment": assessment})
    return _form_page(request, form, notification=notification, assessment=assessment)


# --- one notification -------------------------------------------------------------------------------


def reply_id(invitation) -> str:
    # Several reply forms on one page: their fields' ids differ.
    return f"reply-{invitation.pk}-%s"


def _detail(request, notification, *, baseline=None, status=200, **forms):
    """The notification's page; `forms` replaces the blank forms with bound ones that carry errors
    (`reply_forms` per invitation id)."""
    user = request.user
    baseline = event_baseline(user) if baseline is None else baseline
    notification = with_exercise_details(ExerciseNotification.objects.filter(pk=notification.pk)).get()
    own = getattr(user, "organisation_id", None)
    acting = may_acknowledge(user)
    versions = sorted(notification.versions.all(), key=lambda version: version.number)
    shown = []
    for index, version in enumerate(versions):
        acknowledgements = list(version.acknowledgements.all())
        shown.append(
            {
                "version": version,
                "changes": _changes(versions[index - 1] if index else None, version),
                "acknowledgements": acknowledgements,
                "late": rules.late_text(version.late_by_s, "day"),
                "awaits_us": acting and any(a.organisation_id == own and a.is_pending for a in acknowledgements),
            }
        )
    latest = versions[-1]
    # What was notified: a cancellation repeats the content it cancels, but not its lateness.
    content = next((version for version in reversed(versions) if version.kind != VersionKind.CANCELLATION), latest)
    changing = may_change(user, notification) and not notification.cancelled
    invited = acting and own in invited_organisations(notification)
    now = timezone.now()
    reply_forms = forms.get("reply_forms", {})
    invitations = []
    for invitation in notification.invitations.all():
        replies = list(invitation.replies.all())
        ours = next((reply for reply in replies if reply.organisation_id == own), None)
        open_to_us = invited and not notification.cancelled and now <= invitation.reply_by
        initial = {"answer": ours.answer, "observers": "\n".join(ours.observers)} if ours else None
        # A refused reply is shown with its reason even once replies have closed.
        reply_form = reply_forms.get(invitation.pk) or (
            ReplyForm(initial=initial, auto_id=reply_id(invitation)) if open_to_us else None
        )
        invitations.append({"invitation": invitation, "replies": replies, "ours": ours, "reply_form": reply_form})
    return render(
        request,
        "notifications/exercises/detail.html",
        {
            "notification": notification,
            "latest": latest,
            "content": content,
            "fields": _content(content),
            "versions": shown,
            "map_volumes": [
                {
                    "id": notification.reference,
                    "geometry": content.area,
                    "state": "exercise",
                    "label": f"{notification.reference} {content.designation}",
                }
            ],
            "reasons": content.notifiable_reasons,
            "late": rules.late_text(content.late_by_s, "day"),
            "near": _near(content.near_borders),
            "border_distance": rules.km(
                content.policy.get("border_distance_m", NotificationPolicy().border_distance_m)
            ),
            "awaits_us": any(item["awaits_us"] for item in shown),
            "may_change": changing,
            "invitations": invitations,
            "cancel_form": forms.get("cancel_form") or CancelForm(),
            "invitation_form": forms.get("invitation_form") or InvitationForm(),
            "last_event_id": baseline,
            "designation_notes": designation_notes([notification.organisation.party]),
        },
        status=status,
    )


@login_required
@require_GET
def exercise_detail(request, reference):
    baseline = event_baseline(request.user)
    return _detail(request, access_exercise(request.user, reference), baseline=baseline)


@login_required
@require_POST
def exercise_acknowledge(request, reference):
    """One version and those it supersedes (`version` given), or everything that waits on the user's organisation."""
    user = request.user
    notification = access_exercise(user, reference)
    require(may_acknowledge(user), user, f"acknowledge {notification.reference}", notification)
    form = AcknowledgeForm(request.POST)
    number = form.cleaned_data["version"] if form.is_valid() else None
    try:
        given = actions.do_acknowledge_exercise(user, notification, version_number=number)
    except actions.NotAwaited as error:
        messages.info(request, " ".join(error.messages))
    else:
        numbers = ", ".join(str(n) for n in sorted(acknowledgement.version.number for acknowledgement in given))
        messages.success(request, f"{notification.reference}: {user.organisation.code} acknowledged version {numbers}.")
    return redirect(safe_next(request, _detail_url(notification)))


@login_required
@require_POST
def exercise_cancel(request, reference):
    user = request.user
    notification = access_exercise(user, reference)
    require(may_change(user, notification), user, f"cancel {notification.reference}", notification)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            version = actions.do_cancel_exercise(user, notification, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, f"{notification.reference} cancelled: every recipient acknowledges the cancellation."
            )
            return redirect(_detail_url(notification, f"#version-{version.number}"))
    return _detail(request, notification, status=400, cancel_form=form)


@login_required
@require_POST
def invitation_new(request, reference):
    user = request.user
    notification = access_exercise(user, reference)
    require(may_change(user, notification), user, f"invite observers to {notification.reference}", notification)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = actions.do_invite_observers(user, notification, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            due = timezone.localtime(invitation.reply_by)
            messages.success(
                request, f"Observers invited to {notification.reference}; replies are due by {due:%d %b %Y %H:%M}."
            )
            return redirect(_detail_url(notification, f"#invitation-{invitation.pk}"))
    return _detail(request, notification, status=400, invitation_form=form)


@login_required
@require_POST
def invitation_reply(request, pk):
    user = request.user
    invitation = access_invitation(user, pk)
    notification = invitation.notification
    require(
        may_reply_to_invitation(user, notification),
        user,
        f"answer the invitation to observe {notification.reference}",
        notification,
    )
    form = ReplyForm(request.POST, auto_id=reply_id(invitation))
    if form.is_valid():
        try:
            reply = actions.do_reply_to_invitation(
                user, invitation, answer=form.cleaned_data["answer"], observers=form.names()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            answered = reply.get_answer_display().lower()
            messages.success(
                request, f"{notification.reference}: {reply.organisation.code} {answered} the invitation to observe."
            )
            return redirect(_detail_url(notification, f"#invitation-{invitation.pk}"))
    return _detail(request, notification, status=400, reply_forms={invitation.pk: form})


# --- the calendar -----------------------------------------------------------------------------------


@login_required
@require_GET
def calendar(request):
    """The notified activities the user may see, a month at a time: a grid of weeks or a list."""
    user = request.user
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    month = activity_calendar.month_of(activity_calendar.parse_month(request.GET.get("month", ""), today), zone)
    as_list = request.GET.get("view") == "list"
    if as_list:
        window = (
            activity_calendar.local_midnight(month.first, zone),
            activity_calendar.local_midnight(month.next, zone),
        )
    else:
        window = (month.starts_at, month.ends_at)
    found = activity_calendar.activities(
        activity_calendar.exercises_of(user),
        activity_calendar.flights_of(user),
        starts_at=window[0],
        ends_at=window[1],
    )
    organisation = getattr(user, "organisation", None)
    feed_url = None
    if organisation is not None:
        feed_url = activity_calendar.feed_url(request, organisation.party)
    return render(
        request,
        "notifications/calendar/calendar.html",
        {
            "month": month,
            "as_list": as_list,
            "activities": found,
            "today": today,
            "weeks": None if as_list else activity_calendar.weeks(month, found, zone, today),
            "feed_url": feed_url,
            "party": organisation.party if organisation else None,
            "revocable_parties": feed_revocable_parties(user),
        },
    )


@login_required
@require_POST
def revoke_calendar_feed(request):
    """End every feed URL of a party given out so far (a leaked address, a person who left)."""
    party = Party.objects.filter(code=request.POST.get("party", "")).first()
    if party is None:
        messages.error(request, "Choose the party whose feed address to revoke.")
        return redirect("notifications:calendar")
    require(may_revoke_calendar_feed(request.user, party), request.user, "revoke this party's calendar feed", party)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm: calendars using the old address stop updating.")
        return redirect("notifications:calendar")
    actions.do_revoke_calendar_feed(request.user, party)
    messages.success(
        request,
        f"The old feed addresses of {party.code} no longer work. Give the new one to whoever still needs it.",
    )
    return redirect("notifications:calendar")


@require_safe  # calendar applications may ask with HEAD first
def calendar_feed(request, token):
    """A party's iCalendar feed. Calendar clients cannot sign in: the signed token is the credential.
    They poll, so a fetch is logged at debug level and recorded nowhere."""
    party = activity_calendar.party_of_token(token)
    if party is None:
        log.debug("calendar feed refused: the token does not verify")
        raise Http404("There is no such calendar.")
    exercises, flights = activity_calendar.party_querysets(party)
    body = activity_calendar.ical_feed(
        party,
        exercises,
        flights,
        lambda kind, reference: request.build_absolute_uri(activity_calendar.page_of(kind, reference)),
    )
    log.debug("calendar feed served", extra={"party": party.code, "bytes": len(body)})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="hotline-{party.code.lower()}.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


# --- the policy -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policy(request):
    """Everyone reads the commission's figures beside the Vienna Document's; commission administrators change them."""
    user = request.user
    editing = may_set_policy(user)
    form = None
    if request.method == "POST":
        require(editing, user, "set the notification policy")
        form = PolicyForm(request.POST, instance=NotificationPolicy.current())
        if form.is_valid():
            try:
                actions.do_set_policy(user, form.values())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "The notification policy is saved. It applies to what is filed from now on.")
                return redirect("notifications:policy")
    elif editing:
        form = PolicyForm(instance=NotificationPolicy.current())
    current = NotificationPolicy.current()
    return render(
        request,
        "notifications/policy.html",
        {
            "policy": current,
            "thresholds": rules.threshold_table(current),
            "form": form,
            "vienna_notice_days": VIENNA_NOTICE_DAYS,
            "border_distance": rules.km(current.border_distance_m),
            "buffer": rules.km(current.drone_buffer_m),
        },
        status=400 if form is not None and form.errors else 200,
    )
