"""Console pages of the directory, rosters and API keys. Views check access
(accounts.access), validate a form and call one action (accounts.actions)."""

import csv
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import actions
from accounts.access import (
    access_organisation_for_change,
    access_person_to_unlock,
    can_manage,
    manageable_organisations,
    may_unlock_sign_in,
)
from accounts.choices import ShiftKind
from accounts.duty import coming_gaps, next_on_duty, on_duty
from accounts.forms import ApiKeyForm, ContactPointForm, DirectoryFilterForm, ShiftForm, SwapForm
from accounts.lockouts import locked_out_people
from accounts.models import ContactPoint, DutyShift, Organisation
from accounts.vcard import organisations_as_vcards


def designation_notes(parties) -> list[str]:
    """The footnotes of the parties shown on a page (Kosovo*'s), each once, for the layout's footer."""
    return sorted({party.designation_note for party in parties if party.designation_note})


def directory_rows(organisations, now):
    return [
        {
            "organisation": organisation,
            "on_duty": on_duty(organisation, now),
            "next": next_on_duty(organisation, now),
            # The weakest link: the contact point verified longest ago (None if one never was).
            "least_recently_verified": least_recently_verified(organisation.contact_points.all()),
        }
        for organisation in organisations
    ]


def least_recently_verified(points):
    dates = [point.last_verified_at for point in points]
    if not dates or None in dates:
        return None
    return min(dates)


def filtered_organisations(request):
    form = DirectoryFilterForm(request.GET or None)
    queryset = Organisation.objects.select_related("party").prefetch_related("contact_points")
    return form, form.filter(queryset)


@login_required
def directory(request):
    form, organisations = filtered_organisations(request)
    now = timezone.now()
    rows = directory_rows(organisations, now)
    return render(
        request,
        "accounts/directory.html",
        {
            "form": form,
            "rows": rows,
            "now": now,
            "query": request.GET.urlencode(),
            "designation_notes": designation_notes(row["organisation"].party for row in rows),
        },
    )


@login_required
def directory_csv(request):
    _, organisations = filtered_organisations(request)
    now = timezone.now()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hotline-directory.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "party",
            "organisation",
            "name",
            "kind",
            "on duty now",
            "method",
            "address",
            "priority",
            "languages",
            "last verified (UTC)",
            "note",
        ]
    )
    for row in directory_rows(organisations, now):
        organisation = row["organisation"]
        duty = "; ".join(str(person) for person in row["on_duty"].people)
        for point in organisation.contact_points.all():
            writer.writerow(
                [
                    organisation.party.name,
                    organisation.code,
                    organisation.name,
                    organisation.get_kind_display(),
                    duty,
                    point.get_method_display(),
                    point.address,
                    point.priority,
                    " ".join(point.languages),
                    point.last_verified_at.isoformat() if point.last_verified_at else "",
                    organisation.party.designation_note,
                ]
            )
    return response


@login_required
def directory_vcard(request):
    _, organisations = filtered_organisations(request)
    response = HttpResponse(organisations_as_vcards(organisations), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hotline-directory.vcf"'
    return response


@login_required
def organisation_detail(request, code):
    organisation = get_object_or_404(Organisation.objects.select_related("party"), code=code)
    now = timezone.now()
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": organisation,
            "on_duty": on_duty(organisation, now),
            "next": next_on_duty(organisation, now),
            "contact_points": organisation.contact_points.all(),
            "can_manage": can_manage(request.user, organisation),
            "designation_notes": designation_notes([organisation.party]),
            "locked_out": locked_out_people(organisation) if may_unlock_sign_in(request.user) else [],
        },
    )


@login_required
@require_POST
def sign_in_unlock(request, code, username):
    person = access_person_to_unlock(request.user, code, username)
    actions.do_unlock_sign_in(person, actor=request.user)
    messages.success(request, f"{person.username} may sign in again.")
    return redirect("accounts:organisation", code=code)


# --- contact points --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contact_point_edit(request, code, pk=None):
    organisation = access_organisation_for_change(request.user, code)
    instance = (
        get_object_or_404(ContactPoint, pk=pk, organisation=organisation)
        if pk
        else ContactPoint(organisation=organisation)
    )
    form = ContactPointForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_contact_point(form.instance, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Contact point saved.")
            return redirect("accounts:organisation", code=organisation.code)
    return render(request, "accounts/contact_point_form.html", {"form": form, "organisation": organisation})


def _act_on_contact_point(request, code, pk, action, message):
    organisation = access_organisation_for_change(request.user, code)
    action(get_object_or_404(ContactPoint, pk=pk, organisation=organisation), actor=request.user)
    messages.success(request, message)
    return redirect("accounts:organisation", code=organisation.code)


@login_required
@require_POST
def contact_point_delete(request, code, pk):
    return _act_on_contact_point(request, code, pk, actions.do_delete_contact_point, "Contact point deleted.")


@login_required
@require_POST
def contact_point_verify(request, code, pk):
    return _act_on_contact_point(request, code, pk, actions.do_mark_contact_point_verified, "Marked as verified now.")


# --- rosters ---------------------------------------------------------------------------------------


# The weeks the page can show: it links to the week before and after, and its days become times in the
# organisation's zone and in UTC, all of which must stay within the calendar's years 1 to 9999.
FIRST_WEEK_DAY = date.min + timedelta(days=14)
LAST_WEEK_DAY = date.max - timedelta(days=14)


def week_start(request, organisation) -> date:
    """The Monday of the week asked for (`?week=` any day of it), today's without one, the nearest the
    page can show for a day at either end of the calendar."""
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localtime(timezone.now(), organisation.zone).date()
    day = min(max(day, FIRST_WEEK_DAY), LAST_WEEK_DAY)
    return day - timedelta(days=day.weekday())


def week_days(organisation, monday: date, now: datetime | None = None):
    """The seven local days of the week with the shifts that touch each, in the organisation's zone.
    Today's row also says where now falls: its primary column lists its shifts with a `now` mark after
    those that have begun, and the shift on now is `current` (in words on the page, not colour only)."""
    zone = organisation.zone
    now = now or timezone.now()
    today = timezone.localtime(now, zone).date()
    start = datetime.combine(monday, time(), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=zone)
    shifts = list(
        DutyShift.objects.filter(organisation=organisation, starts_at__lt=end, ends_at__gt=start)
        .select_related("person")
        .order_by("starts_at")
    )
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        day_start = datetime.combine(day, time(), tzinfo=zone)
        day_end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
        touching = [s for s in shifts if s.starts_at < day_end and s.ends_at > day_start]
        if day == today:
            # When the line must move to another place: a shift of the week begins or ends, or the day does.
            turns = [moment for s in shifts for moment in (s.starts_at, s.ends_at) if moment > now]
            changes_at = min([*turns, day_end])
        days.append(
            {
                "date": day,
                "is_today": day == today,
                "shifts": touching,
                "columns": {
                    kind: _column(
                        [s for s in touching if s.kind == kind],
                        now if day == today else None,
                        changes_at if day == today and kind == ShiftKind.PRIMARY else None,
                    )
                    for kind in ShiftKind.values
                },
            }
        )
    return days


def _column(shifts, now, line_moves_at):
    """A day's shifts of one kind as entries; on today's row (primary column, given `line_moves_at`) a
    `now` entry where the time falls, saying when it must move (roster.js reloads the page then)."""
    entries = [
        {"shift": shift, "current": now is not None and shift.starts_at <= now < shift.ends_at} for shift in shifts
    ]
    if now is not None and line_moves_at is not None:
        # The column is in order of start: now goes after every shift that has begun, the current one too.
        at = next((index for index, shift in enumerate(shifts) if shift.starts_at > now), len(shifts))
        entries.insert(at, {"now": now, "moves_at": line_moves_at})
    return entries


@login_required
def rosters(request):
    organisations = Organisation.objects.select_related("party")
    own = getattr(request.user, "organisation", None)
    return render(request, "accounts/rosters.html", {"organisations": organisations, "own": own})


@login_required
def roster_week(request, code):
    organisation = get_object_or_404(Organisation.objects.select_related("party"), code=code)
    monday = week_start(request, organisation)
    managing = can_manage(request.user, organisation)
    return render(
        request,
        "accounts/roster_week.html",
        {
            "organisation": organisation,
            "monday": monday,
            "days": week_days(organisation, monday),
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "can_manage": managing,
            "gaps": coming_gaps(organisation) if managing else [],
            "on_duty": on_duty(organisation),
            "zone": organisation.zone,
        },
    )


def _shift_form_page(request, organisation, form, title, shift=None):
    return render(
        request,
        "accounts/shift_form.html",
        {"form": form, "organisation": organisation, "title": title, "shift": shift},
    )


@login_required
@require_http_methods(["GET", "POST"])
def shift_create(request, code, override=False):
    organisation = access_organisation_for_change(request.user, code)
    form = ShiftForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = actions.do_add_override if override else actions.do_create_shift
        try:
            action(
                organisation=organisation,
                person=data["person"],
                kind=data["kind"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Override added." if override else "Shift added.")
            return redirect(f"{_roster_url(organisation)}?week={_monday_of(data['starts_at'], organisation)}")
    return _shift_form_page(request, organisation, form, "Add an override" if override else "Add a shift")


@login_required
@require_http_methods(["GET", "POST"])
def shift_edit(request, code, pk):
    organisation = access_organisation_for_change(request.user, code)
    shift = get_object_or_404(DutyShift, pk=pk, organisation=organisation)
    initial = {**ShiftForm.initial_for(shift), "person": shift.person, "kind": shift.kind, "note": shift.note}
    form = ShiftForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_shift(
                shift,
                person=data["person"],
                kind=data["kind"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Shift changed.")
            return redirect(f"{_roster_url(organisation)}?week={_monday_of(data['starts_at'], organisation)}")
    return _shift_form_page(request, organisation, form, "Change a shift", shift)


@login_required
@require_POST
def shift_delete(request, code, pk):
    organisation = access_organisation_for_change(request.user, code)
    shift = get_object_or_404(DutyShift, pk=pk, organisation=organisation)
    actions.do_delete_shift(shift, actor=request.user)
    messages.success(request, "Shift deleted.")
    return redirect(f"{_roster_url(organisation)}?week={_monday_of(shift.starts_at, organisation)}")


@login_required
@require_http_methods(["GET", "POST"])
def shift_swap(request, code):
    organisation = access_organisation_for_change(request.user, code)
    upcoming = DutyShift.objects.filter(organisation=organisation, ends_at__gt=timezone.now()).select_related("person")
    form = SwapForm(request.POST or None, shifts=upcoming)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_swap_shifts(form.cleaned_data["first"], form.cleaned_data["second"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Shifts swapped.")
            return redirect("accounts:roster", code=organisation.code)
    return render(request, "accounts/shift_swap.html", {"form": form, "organisation": organisation})


def _roster_url(organisation):
    return reverse("accounts:roster", kwargs={"code": organisation.code})


def _monday_of(moment, organisation) -> str:
    day = timezone.localtime(moment, organisation.zone).date()
    return (day - timedelta(days=day.weekday())).isoformat()


# --- API keys --------------------------------------------------------------------------------------


@login_required
def api_keys(request, code=None):
    manageable = manageable_organisations(request.user)
    if code is None:
        own = getattr(request.user, "organisation", None)
        if own is not None and manageable.filter(pk=own.pk).exists():
            return redirect("accounts:api-keys-of", code=own.code)
        return render(request, "accounts/api_keys_choose.html", {"organisations": manageable.select_related("party")})
    organisation = access_organisation_for_change(request.user, code)
    return render(
        request,
        "accounts/api_keys.html",
        {
            "organisation": organisation,
            "keys": organisation.api_keys.order_by("-created"),
            "form": ApiKeyForm(),
        },
    )


@never_cache
@login_required
@require_POST
def api_key_create(request, code):
    organisation = access_organisation_for_change(request.user, code)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/api_keys.html",
            {
                "organisation": organisation,
                "keys": organisation.api_keys.order_by("-created"),
                "form": form,
            },
            status=400,
        )
    expires_on = form.cleaned_data["expires_on"]
    expires_at = datetime.combine(expires_on, time(), tzinfo=organisation.zone) if expires_on else None
    key, secret = actions.do_create_api_key(
        organisation=organisation,
        name=form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
        expires_at=expires_at,
        actor=request.user,
    )
    # Shown once, in this response only: it is stored hashed and cannot be shown again.
    return render(
        request, "accounts/api_key_created.html", {"organisation": organisation, "key": key, "secret": secret}
    )


@login_required
@require_POST
def api_key_revoke(request, code, pk):
    organisation = access_organisation_for_change(request.user, code)
    key = get_object_or_404(organisation.api_keys, pk=pk)
    if actions.do_revoke_api_key(key, actor=request.user):
        messages.success(request, f"Key “{key.name}” revoked: it is refused from now on.")
    else:
        messages.info(request, f"Key “{key.name}” was already revoked.")
    return redirect("accounts:api-keys-of", code=organisation.code)
