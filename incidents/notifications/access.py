"""Who may file, amend, acknowledge and answer notifications. Views and API views ask here.

- Filing an exercise or a drone flight: people who act for a participant's CERT or crisis centre (duty
  officers, supervisors, heads, administrators) and its keys with `notifications:write`. The commission
  has no forces and no territory: it receives, it does not file.
- Amending, cancelling, inviting observers, changing a flight's state: the notifying organisation only.
- Acknowledging: the recipient organisation only (a pending acknowledgement names it).
- Answering an observation invitation: a recipient organisation of a participant.
- The notification policy: commission administrators.
"""

from django.http import Http404

from accounts.access import is_commission_administrator, is_person, manageable_organisations
from accounts.choices import OrganisationKind
from accounts.models import Party
from hotline.audit.refusals import refuse
from incidents.access import may_act
from incidents.notifications.models import ExerciseNotification, ExerciseVersion
from incidents.notifications.recipients import invited_organisations
from incidents.notifications.visibility import access_exercise


def may_file(caller) -> bool:
    return may_act(caller) and caller.organisation.kind != OrganisationKind.SECRETARIAT


def may_change(caller, notification) -> bool:
    """`notification`: an ExerciseNotification or a DroneFlight (both name their organisation)."""
    return may_file(caller) and caller.organisation.pk == notification.organisation_id


def may_acknowledge(caller) -> bool:
    return may_act(caller)


def may_reply_to_invitation(caller, notification: ExerciseNotification) -> bool:
    """Those invited to observe: the latest version's recipients, except the commission."""
    return may_acknowledge(caller) and caller.organisation.pk in invited_organisations(notification)


def may_set_policy(caller) -> bool:
    return is_person(caller) and is_commission_administrator(caller)


def access_party(caller, code: str):
    """The party `code` (404 if none): parties are no secret, so nothing is recorded."""
    party = Party.objects.filter(code=code).first()
    if party is None:
        raise Http404("There is no such party.")
    return party


def feed_revocable_parties(caller):
    """The parties whose calendar feed `caller` may revoke: those of the organisations the caller may change
    (supervisors and heads their own; commission administrators every party), the directory's rule
    (accounts.access). Never an API key."""
    if not is_person(caller):
        return Party.objects.none()
    return Party.objects.filter(organisations__in=manageable_organisations(caller)).distinct().order_by("code")


def may_revoke_calendar_feed(caller, party) -> bool:
    return feed_revocable_parties(caller).filter(pk=party.pk).exists()


def require(allowed: bool, caller, what: str, target=None) -> None:
    if not allowed:
        raise refuse(caller, what, target)


def access_amendable_exercise(caller, reference_or_pk) -> tuple[ExerciseNotification, ExerciseVersion]:
    """The exercise and its latest version, if `caller` may see it (else 404) and amend it (else 403,
    recorded)."""
    notification = access_exercise(caller, reference_or_pk)
    require(may_change(caller, notification), caller, f"amend {notification.reference}", notification)
    return notification, ExerciseVersion.objects.get(pk=notification.latest_id)
