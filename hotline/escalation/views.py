"""Console pages of the escalation engine."""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from hotline.escalation.actions import LinkRefused, do_acknowledge_by_link
from hotline.escalation.models import Delivery
from hotline.escalation.notices import delivery_of_token
from hotline.escalation.subjects import subject_type


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
        return render(request, "escalation/link.html", {"refusal": "This is not a valid acknowledgement link, or it has expired."}, status=404)
    if delivery.link_used_at is not None:
        return render(request, "escalation/link.html", {"refusal": "This link was already used.", **_describe(delivery)}, status=409)
    return render(request, "escalation/link.html", {"token": token, **_describe(delivery)})


def _describe(delivery) -> dict:
    timer = delivery.page.timer
    summary = subject_type(timer.subject_kind).summarise([timer.subject_id]).get(timer.subject_id)
    return {"reference": summary.reference if summary else "", "what": summary.what if summary else "",
            "recipient": timer.recipient, "person": delivery.person, "severity": timer.get_severity_display()}  # fmt: skip
