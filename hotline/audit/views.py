"""Console pages: the log for reviewers, the checkpoints and the verifier key for everyone."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from hotline.audit.access import is_reviewer
from hotline.audit.checkpoints import stored_checkpoints
from hotline.audit.log import record
from hotline.audit.models import AuditCheckpoint, AuditEntry
from hotline.audit.signing import verifier_key
from hotline.audit.verify import verify_log

PAGE_SIZE = 100


class LogFilterForm(forms.Form):
    organisation = forms.CharField(
        required=False, max_length=12, widget=forms.TextInput(attrs={"placeholder": "RS-CERT"})
    )
    actor = forms.CharField(required=False, max_length=150, widget=forms.TextInput(attrs={"placeholder": "username"}))
    action = forms.CharField(
        required=False, max_length=64, widget=forms.TextInput(attrs={"placeholder": "login.failed"})
    )
    since = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def filter(self, entries):
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["organisation"]:
            entries = entries.filter(organisation__iexact=data["organisation"])
        if data["actor"]:
            entries = entries.filter(actor__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"])
        if data["since"]:
            entries = entries.filter(recorded_at__gte=data["since"])
        if data["until"]:
            entries = entries.filter(recorded_at__lt=data["until"])
        return entries


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
            "verdict": verify_log(stored_checkpoints()),
            "latest": AuditCheckpoint.objects.first(),
        },
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
