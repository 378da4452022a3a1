"""Incidents' acknowledgements as the escalation engine sees them: how a page names one, how an
acknowledgement given through a page's link or by phone is recorded (by incidents' own action), and
who may see its timeline. Registered from IncidentsConfig.ready; the clocks themselves are started
and stopped by incidents/timers.py.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hotline.escalation.subjects import SubjectType, Summary, excerpt
from incidents.access import may_act, require
from incidents.actions import NotAwaited, do_acknowledge
from incidents.models import Acknowledgement
from incidents.timers import SUBJECT_KIND
from incidents.visibility import visible_incidents


class AcknowledgementSubject(SubjectType):
    kind = SUBJECT_KIND

    def summarise(self, subject_ids):
        found = {}
        acknowledgements = list(Acknowledgement.objects.filter(pk__in=subject_ids).select_related("message__incident"))
        # Who else a message waits on: every organisation asked to acknowledge it.
        told: dict[int, list[str]] = {}
        for message_id, code in (
            Acknowledgement.objects.filter(message__in={ack.message_id for ack in acknowledgements})
            .order_by("organisation__code")
            .values_list("message_id", "organisation__code")
        ):
            told.setdefault(message_id, []).append(code)
        for acknowledgement in acknowledgements:
            message, incident = acknowledgement.message, acknowledgement.message.incident
            found[acknowledgement.pk] = Summary(
                reference=f"{incident.reference} #{message.number}",
                title=incident.title,
                tlp=incident.tlp,
                path=reverse("incidents:detail", args=[incident.reference]) + f"#message-{message.number}",
                what=message.get_kind_display().lower(),
                category=incident.get_category_display(),
                excerpt=excerpt(message.body),
                told=tuple(told.get(message.pk, ())),
            )
        return found

    def acknowledge(self, subject_id, person, method, recorded_by=None) -> bool:
        acknowledgement = Acknowledgement.objects.select_related("message__incident").get(pk=subject_id)
        if person.organisation_id != acknowledgement.organisation_id:
            raise PermissionDenied(f"Only {acknowledgement.organisation.code} acknowledges this message.")
        if recorded_by is None:  # from the alert, the waiting panel, a key: reviewers read only, as in the thread
            require(may_act(person), person, "acknowledge in this incident", acknowledgement.message.incident)
        try:
            do_acknowledge(
                person,
                acknowledgement.message.incident,
                message_number=acknowledgement.message.number,
                method=method,
                recorded_by=recorded_by,
            )
        except NotAwaited:
            return False
        return True

    def may_see(self, caller, subject_id) -> bool:
        acknowledgement = Acknowledgement.objects.filter(pk=subject_id).values("message__incident_id").first()
        return (
            acknowledgement is not None
            and visible_incidents(caller).filter(pk=acknowledgement["message__incident_id"]).exists()
        )
