"""Console pages: the log for reviewers, the checkpoints and the verifier key for everyone."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from hotline.audit.access import is_reviewer
from hotline.audit.actions import DELIVERY_ATTEMPT, grouped_choices
from hotline.audit.incremental import verify_since_last
from hotline.audit.log import record
from hotline.audit.models import AuditCheckpoint, AuditEntry
from hotline.audit.signing import verifier_key

PAGE_SIZE = 100


class LogFilterForm(forms.Form):
    organisation = forms.CharField(
        required=False, max_length=12, widget=forms.TextInput(attrs={"placeholder": "RS-CERT"})
    )
    actor = forms.CharField(required=False, max_length=150, widget=forms.TextInput(attrs={"placeholder": "username"}))
    action = forms.ChoiceField(
        required=False,
        choices=grouped_choices,
        error_messages={"invalid_choice": "%(value)s is not an action the log records: pick one from the list."},
    )
    since = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    show_deliveries = forms.BooleanField(required=False, label="Show delivery attempts")

    def filter(self, entries):
        if not self.is_bound:  # the page as first opened: delivery attempts hidden
            return entries.exclude(action=DELIVERY_ATTEMPT)
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["organisation"]:
            entries = entries.filter(organisation__iexact=data["organisation"])
        if data["actor"]:
            entries = entries.filter(actor__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        elif not data["show_deliveries"]:
            entries = entries.exclude(action=DELIVERY_ATTEMPT)
        if data["since"]:
            entries = entries.filter(recorded_at__gte=data["since"])
        if data["until"]:
            entries = entries.filter(recorded_at__lt=data["until"])
        return entries


def collapse_deliveries(entries) -> list[dict]:
    """Rows of the page: consecutive delivery attempts for the same page become one group row."""
    rows: list[dict] = []
    for entry in entries:
        content = entry.content
        page = content.get("details", {}).get("page") if content["action"] == DELIVERY_ATTEMPT else None
        last = rows[-1] if rows else None
        if page is not None and last and last["page"] == page:
            last["entries"].append((entry, content))
        else:
            rows.append({"page": page, "entries": [(entry, content)]})
    for row in rows:
        row["grouped"] = row["page"] is not None and len(row["entries"]) > 1
        row["entry"], row["content"] = row["entries"][0]
        if row["grouped"]:
            # The page lists newest first: the first attempt is the last in the group.
            row["first"], row["last"] = row["entries"][-1][0], row["entries"][0][0]
    return rows


@login_required
def index(request):
    return redirect("audit:log" if is_reviewer(request.user) else "audit:checkpoints")


@login_required
def audit_log(request):
    if not is_reviewer(request.user):
        record("access.refused", actor=request.user, details={"what": "read the audit log"})
        raise PermissionDenied("The audit log is for commission reviewers.")
    form = LogFilterForm(request.GET or None)
    page = Paginator(form.filter(AuditEntry.objects.all()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "rows": collapse_deliveries(page),
            "verdict": verify_since_last(),
            "latest": AuditCheckpoint.objects.first(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def checkpoints(request):
    return render(
        request,
        "audit/checkpoints.html",
        {
            "checkpoints": AuditCheckpoint.objects.all()[:50],
            "verifier_key": verifier_key(),
            "reviewer": is_reviewer(request.user),
        },
    )


def _text(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def checkpoint_note(request, size):
    checkpoint = get_object_or_404(AuditCheckpoint, tree_size=size)
    return _text(checkpoint.note, f"hotline-checkpoint-{size}.txt")


@login_required
def verifier_key_text(request):
    return _text(verifier_key() + "\n", "hotline-verifier-key.txt")
