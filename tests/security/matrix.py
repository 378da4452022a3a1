"""The authorisation matrix's table (issue 14): every route of hotline/urls.py's resolver, what a signed-out
caller gets, and what each caller gets for each object it may ask about. A route missing here fails
tests/security/test_route_matrix.py; add it with its entry. tests/security/test_role_matrix.py makes every
request the table describes and holds the answer to it.

A caller is a role (accounts.choices.Role, or an API key of the organisation for API routes) in an
organisation that stands in one relation to the object:
- own: the organisation the object belongs to (an incident's originator, the roster's organisation);
- recipient: an organisation the object is addressed to (an incident's named recipient);
- other: an organisation of a party the object is not addressed to;
- commission: the commission secretariat (WBC-SEC);
- observer: an observer (OSCE-CPC).
Objects of incident routes are sampled at every TLP; other routes have no TLP (their policy ignores it).
The exercise (with its invitation to observe) and the drone flight are RS-MOD's (own); the exercise is
addressed to HR-MOD and the flight crosses into Croatia (recipient). A reachability check is the
commission's and goes to every organisation but the observers and the secretariat, so own, recipient and
other each answer their own response. A calendar feed is a party's: RS's, the own organisation's.

Outcomes: ALLOW (2xx or 3xx), REFUSED (403, changes nothing), HIDDEN (404 with the body a non-existent id
gets, not a word of the object, changes nothing), CONFLICT (409: allowed to ask, nothing waits; changes
nothing). The policies are written from the rules the code's
modules state (incidents/visibility.py, incidents/access.py, accounts/access.py,
incidents/notifications/access.py and visibility.py, hotline/reachability/access.py) and DESIGN.md "TLP",
not from the functions that implement them, so loosening a rule in the code fails the test.

Routes whose object has no relation (lists, forms for a new object, the event feed) name one justified
default in their policy: the relation is then the caller's organisation and only the role matters.

Routes without checks (only the anonymous outcome is held), with why:
- role-independent by design: healthz, the API docs (DOCS), login/logout and the second-factor steps
  (they act on the caller's own session), a person's own preferences (api/v1/me/ and
  preferences/theme/: they read and change the caller themselves, whatever the role), the capability
  URLs ack/<token>/ and the calendar feed's <token>.ics (the token is the authority, not a role:
  tests/escalation and tests/notifications).
- review/reports/<int:pk>.pdf until the role matrix builds a kept report (a "report" family): every role
  of every organisation is asked for it in tests/review/test_report_views.py.

Excluded (justified): admin/ (superusers only, covered by test_admin_audit); API docs/schema are listed
with policy DOCS.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from accounts.choices import Role
from incidents.choices import Tlp

# Outcome for an anonymous caller, per policy (written from the rules: nothing but health and the sign-in
# steps is reachable without a session or API key).
ANONYMOUS = {
    "PUBLIC": {200},
    "HEALTH": {200, 503},  # 503 when a dependency is down; never needs a session
    "TOKEN": {404},  # capability URL: an unknown token is not found, never a sign-in redirect
    "PUBLIC_OR_REDIRECT": {200, 302, 405},
    "LOGIN_STEP": {302},
    "CONSOLE": {302},
    "API": {401, 403},
    "DOCS": {200},  # the API description is public by decision (README, "Security model")
}


class Outcome(StrEnum):
    ALLOW = "allow"
    REFUSED = "refused"
    HIDDEN = "hidden"
    CONFLICT = "conflict"  # 409: the caller may ask, but nothing waits on it; changes nothing


ALLOW, REFUSED, HIDDEN, CONFLICT = Outcome.ALLOW, Outcome.REFUSED, Outcome.HIDDEN, Outcome.CONFLICT

RELATIONS = ("own", "recipient", "other", "commission", "observer")
# The organisation that stands in each relation to the objects the test builds (all owned by RS-MOD and
# addressed to HR-MOD).
RELATION_ORGANISATION = {
    "own": "RS-MOD",
    "recipient": "HR-MOD",
    "other": "AL-CERT",
    "commission": "WBC-SEC",
    "observer": "OSCE-CPC",
}
API_KEY = "api_key"  # a key of the organisation with every scope: only its organisation limits it
TLPS = tuple(Tlp.values)


@dataclass(frozen=True)
class Caller:
    role: str  # a Role value or API_KEY
    relation: str

    @property
    def is_key(self) -> bool:
        return self.role == API_KEY

    def __str__(self):
        return f"{self.role}@{self.relation}"


Policy = Callable[[Caller, str | None], Outcome]

# --- the rules, as the modules state them ------------------------------------------------------------


def sight(relation: str, tlp: str) -> str:
    """DESIGN.md "TLP" and incidents/visibility.py's docstring: "content", "metadata" or "none"."""
    if relation in ("own", "recipient"):
        return "content"
    if relation == "commission":
        return "metadata" if tlp in (Tlp.AMBER_STRICT, Tlp.RED) else "content"
    if relation == "observer":
        return "content" if tlp in (Tlp.CLEAR, Tlp.GREEN) else "none"
    return "none"  # a party not addressed: the incident does not exist for it


def acts(caller: Caller) -> bool:
    """incidents/access.py: CERTs, crisis centres and the secretariat report, post and acknowledge, by
    their duty officers, supervisors, heads and commission administrators (and keys); reviewers and
    observers read only."""
    return caller.relation != "observer" and caller.role != Role.REVIEWER


def commission_administrator(caller: Caller) -> bool:
    return caller.relation == "commission" and caller.role == Role.ADMINISTRATOR


def manages(caller: Caller) -> bool:
    """accounts/access.py: supervisors and heads change their own organisation (not an observer's);
    commission administrators change every organisation; the caller's relation is to the target."""
    if commission_administrator(caller):
        return True
    return caller.role in (Role.SUPERVISOR, Role.HEAD) and caller.relation == "own"


# --- policies: (caller, tlp) → outcome -------------------------------------------------------------------


def anyone(caller, tlp):
    """Every signed-in person and key reads it (lists filter by the caller's own sight)."""
    return ALLOW


def reporters(caller, tlp):
    """Reporting an incident (no object: the relation is the caller's organisation's kind)."""
    return ALLOW if acts(caller) else REFUSED


def reads_incident(caller, tlp):
    return HIDDEN if sight(caller.relation, tlp) == "none" else ALLOW


def reads_content(caller, tlp):
    return ALLOW if sight(caller.relation, tlp) == "content" else HIDDEN


def takes_part(caller, tlp):
    """Posting, attaching and acknowledging: the originator and the recipients, who see the content; a
    caller who knows of the incident (the commission, at any TLP) is refused, anyone else told nothing."""
    if sight(caller.relation, tlp) == "none":
        return HIDDEN
    return ALLOW if acts(caller) and caller.relation in ("own", "recipient") else REFUSED


def changes_status(caller, tlp):
    if sight(caller.relation, tlp) == "none":
        return HIDDEN
    if (acts(caller) and caller.relation == "own") or (commission_administrator(caller) and not caller.is_key):
        return ALLOW
    return REFUSED


def changes_tlp(caller, tlp):
    """DESIGN.md / issue: only the originating organisation lowers or raises the TLP; nobody else, the
    commission's administrators included."""
    if sight(caller.relation, tlp) == "none":
        return HIDDEN
    return ALLOW if acts(caller) and caller.relation == "own" else REFUSED


def manages_target(caller, tlp):
    """Changing the target organisation's (RS-MOD's) contact points, rosters and keys."""
    return ALLOW if manages(caller) else REFUSED


def unlocks(caller, tlp):
    """accounts/access.py: commission administrators lift sign-in lockouts, of every organisation."""
    return ALLOW if commission_administrator(caller) else REFUSED


def reads_audit_log(caller, tlp):
    """hotline/audit/access.py: commission reviewers and administrators read the log itself; a key with
    `audit:read` verifies the chain; everyone else reads only checkpoints."""
    if caller.is_key:
        return ALLOW
    return ALLOW if caller.relation == "commission" and caller.role in (Role.REVIEWER, Role.ADMINISTRATOR) else REFUSED


def reads_compliance(caller, tlp):
    """hotline/review/access.py: commission reviewers and administrators, and secretariat keys with
    `compliance:read`, read every party's figures; a member organisation's supervisors and heads read
    their own; everyone else (duty officers, observers, other keys) none."""
    if caller.is_key:
        return ALLOW if caller.relation == "commission" else REFUSED
    if caller.relation == "commission":
        return ALLOW if caller.role in (Role.REVIEWER, Role.ADMINISTRATOR) else REFUSED
    if caller.relation == "observer":
        return REFUSED
    return ALLOW if caller.role in (Role.SUPERVISOR, Role.HEAD) else REFUSED


def reads_audit_log_as_person(caller, tlp):
    return REFUSED if caller.is_key else reads_audit_log(caller, tlp)


def reads_period_reports(caller, tlp):
    """hotline/review/report_views.py: the period reports are the commission's reviewers' and
    administrators' (people: the console's pages)."""
    return reads_audit_log_as_person(caller, tlp)


def opens_timeline(caller, tlp):
    """hotline/review/timeline.py: commission reviewers and administrators open every incident's timeline,
    the supervisors and heads of its originator or a recipient their own incident's; anyone else who knows
    of the incident is refused, anyone who does not is told nothing (a person's page: no key)."""
    if sight(caller.relation, tlp) == "none":
        return HIDDEN
    if caller.relation == "commission" and caller.role in (Role.REVIEWER, Role.ADMINISTRATOR):
        return ALLOW
    return ALLOW if caller.role in (Role.SUPERVISOR, Role.HEAD) and caller.relation in ("own", "recipient") else REFUSED


def acknowledges_timer(caller, tlp):
    """hotline/escalation/access.py: the timer of an incident's acknowledgement is seen by whoever sees the
    incident, and acknowledged by its recipient organisation; incidents/access.py: reviewers read only."""
    if sight(caller.relation, tlp) == "none":
        return HIDDEN
    return ALLOW if caller.relation == "recipient" and acts(caller) else REFUSED


def records_phone_acknowledgement(caller, tlp):
    """A supervisor or head of the sending or receiving organisation, or a commission administrator."""
    if sight(caller.relation, tlp) == "none":
        return HIDDEN
    if caller.is_key:
        return REFUSED
    if commission_administrator(caller):
        return ALLOW
    return ALLOW if caller.role in (Role.SUPERVISOR, Role.HEAD) and caller.relation in ("own", "recipient") else REFUSED


def edits_policies(caller, tlp):
    """Everyone reads the escalation policies; commission administrators (people, not keys) edit them."""
    return ALLOW if commission_administrator(caller) and not caller.is_key else REFUSED


def sees_exercise(caller, tlp):
    """incidents/notifications/visibility.py: every organisation of a participant and the commission sees
    every exercise notification (a transparency measure); observers do not."""
    return HIDDEN if caller.relation == "observer" else ALLOW


def acknowledges_exercise_in_console(caller, tlp):
    """incidents/notifications/access.py: those who act acknowledge (the console says so when nothing
    waits on their organisation); observers do not see exercises."""
    if caller.relation == "observer":
        return HIDDEN
    return ALLOW if acts(caller) else REFUSED


def acknowledges_exercise(caller, tlp):
    """The API answers 409 where nothing waits: the notifying organisation and a party not addressed (the
    exercise goes to the other parties' crisis centres and the commission)."""
    outcome = acknowledges_exercise_in_console(caller, tlp)
    if outcome == ALLOW and caller.relation in ("own", "other"):
        return CONFLICT
    return outcome


def sees_flight(caller, tlp):
    """A drone flight is seen by the operator's party, the parties within the buffer (the recipient) and
    the commission; no other party and no observer learns of it."""
    return HIDDEN if caller.relation in ("other", "observer") else ALLOW


def files_notification(caller, tlp):
    """incidents/notifications/access.py: those who act for a participant's CERT or crisis centre (and its
    keys) file exercises and drone flights, and have them assessed; the commission receives, it does not
    file; reviewers and observers read only. (No object: the relation is the caller's organisation.)"""
    return ALLOW if acts(caller) and caller.relation != "commission" else REFUSED


def changes_exercise(caller, tlp):
    """Amending, cancelling and inviting observers: the notifying organisation only, by those who act."""
    if sees_exercise(caller, tlp) == HIDDEN:
        return HIDDEN
    return ALLOW if acts(caller) and caller.relation == "own" else REFUSED


def replies_to_invitation(caller, tlp):
    """The latest version's recipients answer an invitation to observe, except the commission: the
    exercise (a field training of RS-MOD) goes to the other parties' crisis centres, so the recipient
    (HR-MOD) answers; the notifier and a CERT not addressed (AL-CERT) are refused."""
    if sees_exercise(caller, tlp) == HIDDEN:
        return HIDDEN
    return ALLOW if acts(caller) and caller.relation == "recipient" else REFUSED


def changes_flight(caller, tlp):
    """Changing a flight's state: the operator's organisation only, by those who act."""
    if sees_flight(caller, tlp) == HIDDEN:
        return HIDDEN
    return ALLOW if acts(caller) and caller.relation == "own" else REFUSED


def acknowledges_flight_in_console(caller, tlp):
    """Those who act acknowledge what waits on their organisation (the console says so when nothing does)."""
    if sees_flight(caller, tlp) == HIDDEN:
        return HIDDEN
    return ALLOW if acts(caller) else REFUSED


def acknowledges_flight(caller, tlp):
    """The API answers 409 where nothing waits: the operator's own organisation (a flight goes to the
    parties within the buffer and the commission)."""
    outcome = acknowledges_flight_in_console(caller, tlp)
    return CONFLICT if outcome == ALLOW and caller.relation == "own" else outcome


def revokes_calendar_feed(caller, tlp):
    """incidents/notifications/access.py: the directory's rule for the feed of a party (RS, the 'own'
    organisation's): its supervisors and heads, and commission administrators; never an API key."""
    return REFUSED if caller.is_key else manages_target(caller, tlp)


def starts_checks(caller, tlp):
    """hotline/reachability/access.py: commission administrators start a check by hand; API keys never do
    (a check pages every party, a person's decision)."""
    return ALLOW if commission_administrator(caller) and not caller.is_key else REFUSED


def answers_check(caller, tlp):
    """hotline/reachability/access.py: a check goes to every organisation but the observers and the
    secretariat, so the own, recipient and other organisations each answer their own response, by those
    who act (duty officers, supervisors, heads, administrators) and by their keys; everyone reads it."""
    return ALLOW if acts(caller) and caller.relation in ("own", "recipient", "other") else REFUSED


def reads_review(caller, tlp):
    """hotline/review/access.py: commission reviewers and administrators see every party's figures;
    supervisors and heads of a member organisation (own, recipient and other are member organisations)
    their own organisation's beside the regional median; nobody else opens the review."""
    if caller.relation == "commission":
        return ALLOW if caller.role in (Role.REVIEWER, Role.ADMINISTRATOR) else REFUSED
    if caller.relation == "observer":
        return REFUSED
    return ALLOW if caller.role in (Role.SUPERVISOR, Role.HEAD) else REFUSED


def reads_party_review(caller, tlp):
    """A party's page of the review (RS, the own organisation's party): every party's for the commission's
    reviewers and administrators, only their own party's for a member organisation's supervisors and heads."""
    if caller.relation in ("recipient", "other"):
        return REFUSED
    return reads_review(caller, tlp)


# The console's live channel (hotline/console/consumers.py): every message type the page may send, and
# what each caller gets. The channel is a person's (no API key) and its audience is the person's
# organisation, whatever the role; the test reads the consumer's dispatch, so a new type fails it.
CHANNEL_MESSAGES = {
    "ping": "every signed-in person who passed the second factor gets pong",
    "resume": "only events of the caller's organisation: an incident's events reach the organisations that "
    "see it (sight() not 'none'), its content only those whose sight() is 'content'",
}
# What the channel sends the page (hello on connect, the answers above, pushed events, parse errors, and
# `unavailable` when the database cannot answer a resume).
CHANNEL_REPLIES = {"hello", "pong", "resumed", "event", "error", "unavailable"}


@dataclass(frozen=True)
class Check:
    method: str  # "get", "post", "patch", "put", "delete"
    policy: Policy
    variant: str = ""  # which body the request sends, where one method does several things


@dataclass(frozen=True)
class Entry:
    anonymous: str  # key of ANONYMOUS
    family: str | None = None  # what kind of object the URL names (its factory in test_role_matrix.py)
    checks: tuple[Check, ...] = ()  # empty: only the anonymous outcome is held (why: the module docstring)

    @property
    def api(self) -> bool:
        return self.anonymous == "API"


def get(policy):
    return Check("get", policy)


def post(policy):
    return Check("post", policy)


def put(policy):
    return Check("put", policy)


def delete(policy):
    return Check("delete", policy)


def patch(policy, variant=""):
    return Check("patch", policy, variant)


def api(family=None, *checks):
    return Entry("API", family, checks)


def console(family=None, *checks):
    return Entry("CONSOLE", family, checks)


ROUTES = {
    "healthz": Entry("HEALTH"),
    "api/v1/parties/": api(None, get(anyone)),
    "api/v1/organisations/": api(None, get(anyone)),
    "api/v1/organisations/<str:code>/on-duty/": api("organisation", get(anyone)),
    "api/v1/contact-points/": api(None, get(anyone)),
    "api/v1/me/": Entry("API"),
    "api/v1/reachability-checks/": api(None, get(anyone), post(starts_checks)),
    "api/v1/reachability-checks/<int:pk>/": api("check", get(anyone)),
    "api/v1/reachability-checks/<int:pk>/answer/": api("check", post(answers_check)),
    "api/v1/reachability-figures/": api(None, get(anyone)),
    "api/v1/audit/verify/": api(None, get(reads_audit_log)),
    "api/v1/compliance/": api(None, get(reads_compliance)),
    "api/v1/compliance/items/": api(None, get(reads_compliance)),
    "api/v1/compliance/trend/": api(None, get(reads_compliance)),
    "api/v1/audit/checkpoints/": api(None, get(anyone)),
    "api/v1/audit/consistency/": api(None, get(anyone)),
    "api/v1/incidents/import-stix/": api(None, post(reporters)),
    "api/v1/incidents/<int:pk>/stix/": api("incident", get(reads_content)),
    "api/v1/incidents/": api(None, get(anyone), post(reporters)),
    "api/v1/incidents/<int:pk>/": api(
        "incident", get(reads_incident), patch(changes_status, "status"), patch(changes_tlp, "tlp")
    ),
    "api/v1/incidents/<int:pk>/messages/": api("incident", get(reads_incident), post(takes_part)),
    "api/v1/incidents/<int:pk>/acknowledge/": api("incident", post(takes_part)),
    "api/v1/incidents/<int:pk>/timeline/": api("incident", get(reads_incident)),
    "api/v1/incidents/<int:pk>/attachments/": api("incident", post(takes_part)),
    "api/v1/incidents/<int:pk>/attachments/<int:attachment_id>/": api("incident", get(reads_content)),
    "api/v1/events/": api(None, get(anyone)),
    "api/v1/exercise-notifications/": api(None, get(anyone), post(files_notification)),
    "api/v1/exercise-notifications/assess/": api(None, post(files_notification)),
    "api/v1/exercise-notifications/<int:pk>/": api("exercise", get(sees_exercise)),
    "api/v1/exercise-notifications/<int:pk>/amend/": api("exercise", post(changes_exercise)),
    "api/v1/exercise-notifications/<int:pk>/cancel/": api("exercise", post(changes_exercise)),
    "api/v1/exercise-notifications/<int:pk>/acknowledge/": api("exercise", post(acknowledges_exercise)),
    "api/v1/exercise-notifications/<int:pk>/invitations/": api("exercise", post(changes_exercise)),
    "api/v1/exercise-invitations/<int:pk>/reply/": api("invitation", post(replies_to_invitation)),
    "api/v1/drone-flights/": api(None, get(anyone), post(files_notification)),
    "api/v1/drone-flights/assess/": api(None, post(files_notification)),
    "api/v1/drone-flights/<int:pk>/": api("flight", get(sees_flight)),
    "api/v1/drone-flights/<int:pk>/acknowledge/": api("flight", post(acknowledges_flight)),
    "api/v1/drone-flights/<int:pk>/state/": api("flight", post(changes_flight)),
    "api/v1/notification-policy/": api(None, get(anyone)),
    "api/v1/calendar-feeds/<str:code>/revoke/": api("party", post(revokes_calendar_feed)),
    "api/v1/escalation-policies/": api(None, get(anyone)),
    "api/v1/escalation-policies/<str:severity>/": api("policy", get(anyone), put(edits_policies)),
    "api/v1/escalation-policies/<str:severity>/<str:pair>/": api(
        "policy", get(anyone), put(edits_policies), delete(edits_policies)
    ),
    "api/v1/escalation/timers/<int:pk>/acknowledge/": api("timer", post(acknowledges_timer)),
    "api/v1/escalation/timers/<int:pk>/phone-acknowledgement/": api("timer", post(records_phone_acknowledgement)),
    "api/v1/escalation/waiting/": api(None, get(anyone)),
    "api/schema/": Entry("DOCS"),
    "api/docs/": Entry("DOCS"),
    "api/redoc/": Entry("DOCS"),
    "directory/": console(None, get(anyone)),
    "directory/export.csv": console(None, get(anyone)),
    "directory/export.vcf": console(None, get(anyone)),
    "directory/<str:code>/": console("organisation", get(anyone)),
    "directory/<str:code>/contact-points/new/": console("organisation", get(manages_target), post(manages_target)),
    "directory/<str:code>/contact-points/<int:pk>/": console("organisation", get(manages_target), post(manages_target)),
    "directory/<str:code>/contact-points/<int:pk>/delete/": console("organisation", post(manages_target)),
    "directory/<str:code>/contact-points/<int:pk>/verify/": console("organisation", post(manages_target)),
    "directory/<str:code>/people/<str:username>/unlock/": console("organisation", post(unlocks)),
    "rosters/": console(None, get(anyone)),
    "rosters/<str:code>/": console("organisation", get(anyone)),
    "rosters/<str:code>/shifts/new/": console("organisation", get(manages_target), post(manages_target)),
    "rosters/<str:code>/overrides/new/": console("organisation", post(manages_target)),
    "rosters/<str:code>/shifts/<int:pk>/": console("organisation", get(manages_target), post(manages_target)),
    "rosters/<str:code>/shifts/<int:pk>/delete/": console("organisation", post(manages_target)),
    "rosters/<str:code>/swap/": console("organisation", get(manages_target), post(manages_target)),
    "keys/": console(None, get(anyone)),
    "keys/<str:code>/": console("organisation", get(manages_target)),
    "keys/<str:code>/new/": console("organisation", post(manages_target)),
    "keys/<str:code>/<str:pk>/revoke/": console("organisation", post(manages_target)),
    "checks/": console(None, get(anyone)),
    "checks/start/": console(None, post(starts_checks)),
    "checks/<str:reference>/": console("check", get(anyone)),
    "checks/<str:reference>/answer/": console("check", post(answers_check)),
    "audit/": console(None, get(anyone)),
    "audit/log/": console(None, get(reads_audit_log_as_person)),
    "audit/checkpoints/": console(None, get(anyone)),
    "audit/checkpoints/<int:size>.txt": console("checkpoint", get(anyone)),
    "audit/verifier-key.txt": console(None, get(anyone)),
    "review/incidents/<str:reference>/timeline/": console("incident", get(opens_timeline)),
    "incidents/": console(None, get(anyone)),
    "incidents/new/": console(None, get(reporters), post(reporters)),
    "incidents/<str:reference>/": console("incident", get(reads_incident)),
    "incidents/<str:reference>/messages/": console("incident", post(takes_part)),
    "incidents/<str:reference>/acknowledge/": console("incident", post(takes_part)),
    "incidents/<str:reference>/status/": console("incident", post(changes_status)),
    "incidents/<str:reference>/tlp/": console("incident", post(changes_tlp)),
    "incidents/<str:reference>/attachments/": console("incident", post(takes_part)),
    "incidents/<str:reference>/attachments/<int:pk>/": console("incident", get(reads_content)),
    "notifications/exercises/": console(None, get(anyone)),
    "notifications/exercises/new/": console(None, get(files_notification), post(files_notification)),
    "notifications/exercises/preview/": console(None, post(files_notification)),
    "notifications/exercises/<str:reference>/": console("exercise", get(sees_exercise)),
    "notifications/exercises/<str:reference>/amend/": console(
        "exercise", get(changes_exercise), post(changes_exercise)
    ),
    "notifications/exercises/<str:reference>/cancel/": console("exercise", post(changes_exercise)),
    "notifications/exercises/<str:reference>/acknowledge/": console("exercise", post(acknowledges_exercise_in_console)),
    "notifications/exercises/<str:reference>/invitations/": console("exercise", post(changes_exercise)),
    "notifications/invitations/<int:pk>/reply/": console("invitation", post(replies_to_invitation)),
    "notifications/calendar/": console(None, get(anyone)),
    "notifications/calendar/<str:token>.ics": Entry("TOKEN"),
    "notifications/calendar/revoke/": console("party", post(revokes_calendar_feed)),
    "notifications/policy/": console(None, get(anyone)),
    "notifications/drone-flights/": console(None, get(anyone)),
    "notifications/drone-flights/new/": console(None, get(files_notification), post(files_notification)),
    "notifications/drone-flights/preview/": console(None, post(files_notification)),
    "notifications/drone-flights/<str:reference>/": console("flight", get(sees_flight)),
    "notifications/drone-flights/<str:reference>/acknowledge/": console("flight", post(acknowledges_flight_in_console)),
    "notifications/drone-flights/<str:reference>/state/": console("flight", post(changes_flight)),
    "notifications/borders.geojson": console(None, get(anyone)),
    "ack/<str:token>/": Entry("TOKEN"),
    "waiting/": console(None, get(anyone)),
    "waiting/panel/": console(None, get(anyone)),
    "escalation/timers/<int:pk>/acknowledge/": console("timer", post(acknowledges_timer)),
    "escalation/timers/<int:pk>/phone-acknowledgement/": console("timer", post(records_phone_acknowledgement)),
    # The timeline under a message, fetched again live: seen by whoever sees the incident (as on its page).
    "escalation/timers/<int:pk>/timeline/": console("timer", get(reads_incident)),
    "escalation/policies/": console(None, get(anyone)),
    "escalation/policies/override/": console(None, get(edits_policies)),
    "escalation/policies/<str:severity>/": console("policy", get(edits_policies), post(edits_policies)),
    "escalation/policies/<str:severity>/<str:pair>/": console("policy", get(edits_policies), post(edits_policies)),
    "escalation/policies/<str:severity>/<str:pair>/remove/": console("policy", post(edits_policies)),
    "review/": console(None, get(reads_review)),
    "review/parties/<str:code>/": console("party", get(reads_party_review)),
    "review/items/": console(None, get(reads_review)),
    "": console(None, get(anyone)),
    "activity/": console(None, get(anyone)),
    "login/": Entry("PUBLIC"),
    "logout/": Entry("PUBLIC_OR_REDIRECT"),
    "otp/verify/": Entry("LOGIN_STEP"),
    "otp/enrol/": Entry("LOGIN_STEP"),
    "preferences/theme/": Entry("CONSOLE"),
    "review/reports/": console(None, get(reads_period_reports)),
    "review/report.pdf": console(None, get(reads_period_reports)),
    "review/reports/<int:pk>.pdf": Entry("CONSOLE"),
}
