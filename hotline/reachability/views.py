"""Console pages of the reachability checks: the history with the figures and what waits on the
viewer's organisation, sending a check now, one check with every answer, and answering it. Views check
access (access.py, visibility.py), validate a form and call one action (actions.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.views import designation_notes
from hotline.audit.refusals import refuse
from hotline.reachability.access import may_answer_checks, may_start_checks
from hotline.reachability.actions import do_answer_check, do_start_check
from hotline.reachability.choices import CheckAnswerMethod, CheckResponseState
from hotline.reachability.figures import FIGURES_OVER, duration_text, organisation_figures, with_counts
from hotline.reachability.forms import FiguresForm, StartCheckForm
from hotline.reachability.schedule import configured_schedule
from hotline.reachability.visibility import access_check, own_response, visible_checks, waiting_for

HISTORY_LENGTH = 100  # checks on the history page: two years of weekly checks


def _figure_rows(figures):
    return [{"figures": figure, "median": duration_text(figure.median_time_to_answer)} for figure in figures]


def _checks_page(request, *, start_form=None, status=200):
    now = timezone.now()
    user = request.user
    figures_form = FiguresForm(request.GET or None, initial={"last": FIGURES_OVER})
    last = figures_form.value()
    figures, covered = organisation_figures(last, now)
    schedule = configured_schedule()
    answering = may_answer_checks(user)
    return render(
        request,
        "reachability/checks.html",
        {
            "history": with_counts(visible_checks(user), now).order_by("-started_at", "-pk")[:HISTORY_LENGTH],
            "figures": _figure_rows(figures),
            "covered": len(covered),
            "last": last,
            "figures_form": figures_form,
            "waiting": list(waiting_for(user.organisation)) if answering else [],
            "may_answer": answering,
            "may_start": may_start_checks(user),
            "now": now,
            "start_form": start_form
            or StartCheckForm(initial={"window_minutes": settings.HOTLINE_CHECK_WINDOW_MINUTES}),
            "schedule": settings.HOTLINE_CHECK_SCHEDULE if schedule else None,
            "schedule_zone": settings.HOTLINE_CHECK_TIME_ZONE,
            "next_slot": schedule.next_slot(now) if schedule else None,
            "designation_notes": designation_notes(figure.organisation.party for figure in figures),
        },
        status=status,
    )


@login_required
@require_GET
def checks(request):
    return _checks_page(request)


@login_required
@require_POST
def check_start(request):
    if not may_start_checks(request.user):
        raise refuse(request.user, "start reachability checks")
    form = StartCheckForm(request.POST)
    if form.is_valid():
        try:
            check = do_start_check(request.user, window_minutes=form.cleaned_data["window_minutes"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            due = timezone.localtime(check.due_at)
            messages.success(
                request,
                f"{check.reference} sent to {check.responses.count()} organisations; "
                f"answers are due by {due:%H:%M} ({due.tzinfo}).",
            )
            return redirect("reachability:check", reference=check.reference)
    return _checks_page(request, start_form=form, status=400)


@login_required
@require_GET
def check_detail(request, reference):
    now = timezone.now()
    check = access_check(request.user, reference=reference, now=now)
    user = request.user
    answering = may_answer_checks(user)
    own = getattr(user, "organisation_id", None)
    rows = []
    for response in check.responses.select_related("organisation__party", "reachability_check"):
        ours = response.organisation_id == own
        rows.append(
            {
                "response": response,
                "state": response.state_at(now),
                "ours": ours,
                "time_to_answer": duration_text(response.time_to_answer),
                "may_answer": answering and ours and response.is_pending,
            }
        )
    return render(
        request,
        "reachability/check_detail.html",
        {
            "check": check,
            "counts": check,  # access_check counted its answers at `now`
            "rows": rows,
            "states": CheckResponseState,
            "window": duration_text(check.window),
            "now": now,
            "designation_notes": designation_notes(row["response"].organisation.party for row in rows),
        },
    )


@login_required
@require_POST
def check_answer(request, reference):
    """Answer the check for the signed-in person's own organisation (there is no other to answer for)."""
    check = access_check(request.user, reference=reference)
    user = request.user
    if not may_answer_checks(user):
        raise refuse(user, "answer reachability checks", check)
    response = own_response(user, check)
    if response is None:
        raise refuse(user, f"answer {check.reference}: it was not sent to {user.organisation.code}", check)
    if do_answer_check(user, response, method=CheckAnswerMethod.CONSOLE):
        late = " — after the window" if response.acknowledged_at > response.due_at else ", within the window"
        messages.success(request, f"{response.organisation.code} answered {check.reference}{late}.")
    else:
        when = timezone.localtime(response.acknowledged_at)
        messages.info(
            request,
            f"{response.organisation.code} had already answered {check.reference} "
            f"({response.acknowledged_by_label}, {when:%d %b %H:%M}).",
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("reachability:check", reference=check.reference)
