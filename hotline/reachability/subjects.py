"""Reachability checks as subjects of the escalation engine: what the engine calls back to describe a
pending response, to answer it from a page's link or a phone call, and to ask who may see it.

Registered by ReachabilityConfig.ready(). The clocks themselves are started and stopped by timers.py.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hotline.escalation.subjects import SubjectType, Summary
from hotline.reachability.actions import do_answer_check
from hotline.reachability.models import CheckResponse
from hotline.reachability.timers import SUBJECT_KIND
from hotline.reachability.visibility import visible_checks


class CheckResponseSubject(SubjectType):
    kind = SUBJECT_KIND

    def summarise(self, subject_ids):
        found = {}
        for response in CheckResponse.objects.filter(pk__in=subject_ids).select_related(
            "reachability_check", "organisation"
        ):
            check = response.reachability_check
            found[response.pk] = Summary(
                reference=check.reference,
                title="Reachability check",
                tlp="GREEN",
                path=reverse("reachability:check", args=[check.reference]) + f"#response-{response.organisation.code}",
                what="reachability check",
            )
        return found

    def acknowledge(self, subject_id, person, method, recorded_by=None) -> bool:
        response = CheckResponse.objects.select_related("reachability_check", "organisation").get(pk=subject_id)
        if getattr(person, "organisation_id", None) != response.organisation_id:
            raise PermissionDenied(f"Only {response.organisation.code} answers its reachability check.")
        return do_answer_check(person, response, method=method, recorded_by=recorded_by)

    def may_see(self, caller, subject_id) -> bool:
        return visible_checks(caller).filter(responses__pk=subject_id).exists()
