"""Issue 14: every route the table in tests/security/matrix.py gives checks for answers each role of each
relation (and each TLP, for incidents) as the table says. A refused or hidden write changes nothing (rows,
the incidents' fields, the audit log but for its refusal entries); a hidden answer is the answer for an
id that does not exist and carries no word of the object. A route whose entry has checks but no factory
here fails.

One world for the module (the demo world, an incident at each TLP from RS-MOD to HR-MOD, with an
attachment; RS-MOD's exercise with an invitation to observe, its drone flight across the Danube, and a
reachability check the commission started), built in one transaction that is rolled back at the end;
each request runs in a savepoint that is rolled back, so an allowed write does not change what the next
request sees.
"""

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.client import MULTIPART_CONTENT
from django.utils import timezone

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope, Role
from accounts.demo import USERNAME_SUFFIX
from accounts.models import ApiKey, ContactPoint, DutyShift, Party, User, scopes_for
from hotline.audit.checkpoints import do_publish_checkpoint
from hotline.audit.models import AuditEntry
from hotline.escalation.actions import do_save_policy
from hotline.escalation.models import EscalationPolicy, Page, Timer
from hotline.escalation.policy import default_levels
from hotline.reachability.actions import do_start_check
from hotline.reachability.models import CheckResponse, ReachabilityCheck
from hotline.realtime.models import Event
from incidents.actions import do_add_attachment
from incidents.choices import Tlp
from incidents.models import Acknowledgement, Attachment, Incident, IncidentRecipient, Message
from incidents.notifications.models import (
    CalendarFeed,
    DroneFlight,
    DroneFlightAcknowledgement,
    ExerciseAcknowledgement,
    ExerciseNotification,
    ExerciseVersion,
    ObservationInvitation,
    ObservationReply,
)
from incidents.timers import SUBJECT_KIND
from tests.accounts import test_authorisation_matrix as accounts_matrix  # its shift form and far future
from tests.accounts.world import build_demo_world, organisation, person
from tests.conftest import make_user
from tests.escalation import test_api as escalation_api  # its policy body
from tests.escalation import test_console_pages as escalation_pages  # its policy form
from tests.incidents.conftest import report as report_incident
from tests.notifications import test_api as notifications_api  # its exercise, flight and invitation bodies
from tests.notifications import test_console_exercises as exercise_pages  # its exercise forms
from tests.notifications import test_console_flights as flight_pages  # its flight form
from tests.notifications import test_drone_flights as flight_tests  # its flight across the Danube
from tests.notifications import test_exercise_notifications as exercise_tests  # its exercise and invitation
from tests.security.matrix import (
    ALLOW,
    API_KEY,
    CONFLICT,
    HIDDEN,
    REFUSED,
    RELATION_ORGANISATION,
    RELATIONS,
    ROUTES,
    TLPS,
    Caller,
    anyone,
)

MARKER = "Quetzal-7731"  # in every incident's title, summary and attachment: a hidden answer never shows it
MISSING_ID = 987_654
# Entries a refused request may add: the refusal itself, and the record that a RED incident was read (a
# refused change of the console answers with the incident's page).
NOT_CHANGES = ("access.refused", "access.not_found", "incident.red_read")
# The mark makes pytest-django create the test database; each test's own transaction nests in the world's.
# Run once by CI (its PostgreSQL run: about two minutes): the rules are the code's and the same ORM
# queries ask them of either database; each feature's own authorisation tests run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.one_backend]


@dataclass
class World:
    clients: dict = field(default_factory=dict)  # Caller → Client
    incidents: dict = field(default_factory=dict)  # tlp → Incident
    attachments: dict = field(default_factory=dict)  # tlp → Attachment
    bundle: bytes = b""
    objects: dict = field(default_factory=dict)  # what the URLs of other families name, by placeholder


def caller_client(caller: Caller, owner) -> Client:
    if caller.is_key:
        _, secret = do_create_api_key(organisation=owner, name="matrix", scopes=scopes_for(owner))
        return Client(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    username = f"{owner.code.lower()}-{USERNAME_SUFFIX[caller.role]}"
    user = User.objects.filter(username=username).first()
    # The demo gives reviewers and administrators to the secretariat only: the same roles elsewhere must
    # not carry the secretariat's powers.
    user = user or make_user(username, organisation=owner, role=caller.role)
    client = Client()
    client.force_login(user)
    return client


def report(tlp: str, marker: str = MARKER) -> Incident:
    """An incident from RS-MOD's duty officer to HR-MOD, `marker` in its title and summary."""
    return report_incident(
        "rs-mod-duty", ["HR-MOD"], tlp=tlp, title=f"{marker} title at {tlp}", summary=f"{marker} summary"
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(OTP_REQUIRED=False):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_demo_world()
            built = World()
            for relation in RELATIONS:
                owner = organisation(RELATION_ORGANISATION[relation])
                for role in [*Role.values, API_KEY]:
                    caller = Caller(role, relation)
                    built.clients[caller] = caller_client(caller, owner)
            for tlp in TLPS:
                incident = built.incidents[tlp] = report(tlp)
                upload = SimpleUploadedFile("notes.txt", f"{MARKER} attachment\n".encode(), "text/plain")
                built.attachments[tlp] = do_add_attachment(person("rs-mod-duty"), incident, upload)
            own_key = built.clients[Caller(API_KEY, "own")]
            built.bundle = own_key.get(f"/api/v1/incidents/{built.incidents[Tlp.GREEN].pk}/stix/").content
            built.objects = target_objects()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def target_objects() -> dict:
    """RS-MOD's contact point, next two shifts, a key and a person (the 'own' organisation's objects),
    a published audit checkpoint, RS-MOD's exercise (with an invitation to observe) and drone flight, and
    a reachability check the commission started."""
    target = organisation("RS-MOD")
    shifts = DutyShift.objects.filter(organisation=target, starts_at__gt=timezone.now()).order_by("starts_at")
    key, _ = do_create_api_key(organisation=target, name="to revoke", scopes=[ApiScope.DIRECTORY_READ])
    exercise = exercise_tests.notify("rs-mod-duty")
    return {
        "target": target,
        "contact_point": ContactPoint.objects.filter(organisation=target, method="email").get(),
        "shifts": list(shifts[:2]),
        "key": key,
        "checkpoint": do_publish_checkpoint(),
        "exercise": exercise,
        "invitation": exercise_tests.invite(exercise),
        "check": do_start_check(person("wbc-sec-admin")),
        "flight": flight_tests.fly(flight_tests.ACROSS_THE_DANUBE),
        "override": do_save_policy(
            person("wbc-sec-admin"),
            "high",
            tuple(Party.objects.filter(code__in=["HR", "RS"]).order_by("code")),
            levels=default_levels("high"),
            repeat_every_s=900,
            repeat_count=None,
            reply_within_s=172800,
        ),
    }


# --- the URL of each family's object ------------------------------------------------------------------


def missing_reference() -> str:
    return f"HL-{timezone.now().year}-{MISSING_ID % 100_000:05d}"


def incident_path(route: str, incident: Incident | None, attachment: Attachment) -> str:
    """`incident` None: the same URL for an incident that does not exist."""
    pk = incident.pk if incident else MISSING_ID
    reference = incident.reference if incident else missing_reference()
    console = "<str:reference>" in route
    values = {
        "<int:pk>": str(attachment.pk if console else pk),
        "<str:reference>": reference,
        "<int:attachment_id>": str(attachment.pk),
    }
    return "/" + re.sub(r"<[^>]+>", lambda m: values[m.group(0)], route)


def organisation_path(route: str, world: "World") -> str:
    objects = world.objects
    pk = {"contact-points": objects["contact_point"].pk, "shifts": objects["shifts"][0].pk, "keys": objects["key"].pk}
    values = {
        "<str:code>": objects["target"].code,
        "<str:username>": "rs-mod-duty",
        "<int:pk>": str(next((pk[part] for part in pk if part in route), "")),
        "<str:pk>": str(objects["key"].pk),
    }
    return "/" + re.sub(r"<[^>]+>", lambda m: values[m.group(0)], route)


def policy_path(route: str, world: "World") -> str:
    """The high-severity policy, and the commission's override of it for HR+RS (saved in the world)."""
    return "/" + route.replace("<str:severity>", "high").replace("<str:pair>", "HR+RS")


def timer_of(incident: Incident | None) -> int:
    """The escalation timer of the report's acknowledgement by HR-MOD (MISSING_ID for no incident)."""
    if incident is None:
        return MISSING_ID
    acknowledgement = Acknowledgement.objects.get(message__incident=incident, organisation__code="HR-MOD")
    return Timer.objects.get(subject_kind=SUBJECT_KIND, subject_id=acknowledgement.pk).pk


def party_path(route: str, world: "World") -> str:
    """The calendar feed of RS, the party of the 'own' organisation (the console names it in the form)."""
    return "/" + route.replace("<str:code>", world.objects["target"].party.code)


def checkpoint_path(route: str, world: "World") -> str:
    return "/" + route.replace("<int:size>", str(world.objects["checkpoint"].tree_size))


QUERIES = {
    "api/v1/audit/consistency/": "?first=1&second=2",
    "api/v1/compliance/items/": "?figure=acknowledgements.late",
    "escalation/policies/override/": "?severity=low&first_party=AL&second_party=BA",
    "review/items/": "?figure=acknowledgements.late",
}


def plain_path(route: str, world: "World") -> str:
    assert "<" not in route, f"{route} names an object: give its entry a family"
    return "/" + route + QUERIES.get(route, "")


# family → (route, world) → path; an incident's path is built per TLP (incident_path).
FAMILIES = {
    "incident": None,  # these build their URLs in object_urls, per TLP or with a missing twin
    "timer": None,
    "exercise": None,
    "flight": None,
    "invitation": None,
    "check": None,
    "party": party_path,
    "policy": policy_path,
    "organisation": organisation_path,
    "checkpoint": checkpoint_path,
    None: plain_path,
}


# --- what each write sends ----------------------------------------------------------------------------


def upload():
    return SimpleUploadedFile("matrix.txt", b"matrix upload\n", "text/plain")


def request_body(world: World, route: str, variant: str, tlp: str | None):
    """(query string, data, content type) for the write; JSON for the API, a form for the console."""
    occurred = timezone.now() - timedelta(hours=1)
    other_tlp = Tlp.AMBER if tlp == Tlp.RED else Tlp.RED
    objects = world.objects
    bodies = {
        "api/v1/incidents/": {
            "title": "Matrix report",
            "summary": "Reported by the matrix.",
            "category": "cyber",
            "severity": "low",
            "tlp": "GREEN",
            "recipients": ["HR-CERT"],
            "occurred_at": occurred.isoformat(),
            "exercise": False,
        },
        "api/v1/incidents/<int:pk>/": {"status": {"status": "monitoring"}, "tlp": {"tlp": other_tlp}}.get(variant),
        "api/v1/incidents/<int:pk>/messages/": {"body": "Matrix note", "kind": "note"},
        "api/v1/incidents/<int:pk>/acknowledge/": {},
        "incidents/new/": {
            "organisations": ["HR-CERT"],
            "title": "Matrix report",
            "summary": "Reported by the matrix.",
            "category": "cyber",
            "severity": "low",
            "tlp": "GREEN",
            "occurred_at": timezone.localtime(occurred).strftime("%Y-%m-%dT%H:%M"),
        },
        "incidents/<str:reference>/messages/": {"kind": "note", "body": "Matrix note"},
        "incidents/<str:reference>/acknowledge/": {},
        "incidents/<str:reference>/status/": {"status": "monitoring"},
        "incidents/<str:reference>/tlp/": {"tlp": other_tlp},
        "directory/<str:code>/contact-points/new/": {"method": "email", "address": "new@matrix.example", "priority": 3},
        "directory/<str:code>/contact-points/<int:pk>/": {
            "method": "email",
            "address": "changed@matrix.example",
            "priority": 2,
        },
        "directory/<str:code>/contact-points/<int:pk>/delete/": {},
        "directory/<str:code>/contact-points/<int:pk>/verify/": {},
        "directory/<str:code>/people/<str:username>/unlock/": {},
        "rosters/<str:code>/shifts/new/": accounts_matrix.shift_form(objects["target"], accounts_matrix.FAR_FUTURE),
        "rosters/<str:code>/overrides/new/": accounts_matrix.shift_form(
            objects["target"], accounts_matrix.FAR_FUTURE + timedelta(days=1)
        ),
        "rosters/<str:code>/shifts/<int:pk>/": accounts_matrix.shift_form(
            objects["target"], objects["shifts"][0].starts_at, 12, note="changed"
        ),
        "rosters/<str:code>/shifts/<int:pk>/delete/": {},
        "rosters/<str:code>/swap/": {"first": objects["shifts"][0].pk, "second": objects["shifts"][1].pk},
        "keys/<str:code>/new/": {"name": "matrix", "scopes": [ApiScope.DIRECTORY_READ]},
        "keys/<str:code>/<str:pk>/revoke/": {},
        "api/v1/exercise-notifications/<int:pk>/acknowledge/": {},
        "notifications/exercises/<str:reference>/acknowledge/": {},
        "api/v1/exercise-notifications/": notifications_api.exercise(),
        "api/v1/exercise-notifications/assess/": {
            key: notifications_api.exercise()[key] for key in ("exercise_type", "starts_at", "area", "troops")
        },
        "api/v1/exercise-notifications/<int:pk>/amend/": {"troops": 1000, "reason": "Fewer units."},
        "api/v1/exercise-notifications/<int:pk>/cancel/": {"reason": "Forces needed for flood relief."},
        "api/v1/exercise-notifications/<int:pk>/invitations/": {
            "starts_at": notifications_api.at(days=62),
            "ends_at": notifications_api.at(days=63),
            "reporting_point": "Barracks gate, 07:30",
            "observers_per_party": 2,
            "reply_by": notifications_api.at(days=30),
        },
        "api/v1/exercise-invitations/<int:pk>/reply/": {"answer": "declined"},
        "notifications/exercises/new/": exercise_pages.form_data(),
        "notifications/exercises/preview/": exercise_pages.form_data(),
        "notifications/exercises/<str:reference>/amend/": exercise_pages.form_data(
            of=objects["exercise"].latest, troops="2400", reason="A second battalion joins."
        ),
        "notifications/exercises/<str:reference>/cancel/": {"reason": "Floods on the Danube."},
        "notifications/exercises/<str:reference>/invitations/": exercise_pages.invitation_data(),
        "notifications/invitations/<int:pk>/reply/": {"answer": "declined"},
        "api/v1/drone-flights/": notifications_api.flight(),
        "api/v1/drone-flights/assess/": {"volumes": [notifications_api.volume()]},
        "api/v1/drone-flights/<int:pk>/acknowledge/": {},
        "api/v1/drone-flights/<int:pk>/state/": {"state": "cancelled"},
        "notifications/drone-flights/new/": flight_pages.flight_form(),
        "notifications/drone-flights/preview/": flight_pages.flight_form(),
        "notifications/drone-flights/<str:reference>/acknowledge/": {},
        "notifications/drone-flights/<str:reference>/state/": {"state": "cancelled"},
        "api/v1/calendar-feeds/<str:code>/revoke/": {},
        "notifications/calendar/revoke/": {"party": objects["target"].party.code, "confirm": "yes"},
        "api/v1/reachability-checks/": {"window_minutes": 30},
        "api/v1/reachability-checks/<int:pk>/answer/": {},
        "checks/start/": {"window_minutes": 30},
        "checks/<str:reference>/answer/": {},
        "api/v1/escalation-policies/<str:severity>/": escalation_api.policy_body(default_levels("high")),
        "api/v1/escalation-policies/<str:severity>/<str:pair>/": escalation_api.policy_body(default_levels("high")),
        "escalation/policies/<str:severity>/": escalation_pages.policy_form(default_levels("high")),
        "escalation/policies/<str:severity>/<str:pair>/": escalation_pages.policy_form(default_levels("high")),
        "escalation/policies/<str:severity>/<str:pair>/remove/": {},
        "api/v1/escalation/timers/<int:pk>/acknowledge/": {},
        "api/v1/escalation/timers/<int:pk>/phone-acknowledgement/": {"answered_by": "hr-mod-duty"},
        "escalation/timers/<int:pk>/acknowledge/": {},
        "escalation/timers/<int:pk>/phone-acknowledgement/": {"answered_by": person("hr-mod-duty").pk},
    }
    if route == "api/v1/incidents/import-stix/":
        return "?recipients=HR-CERT&severity=low", world.bundle, "application/json"
    if route.endswith("/attachments/"):
        return "", {"file": upload()}, MULTIPART_CONTENT
    assert route in bodies, f"{route}: give its write a body in request_body"
    content_type = "application/json" if route.startswith("api/") else None
    return "", bodies[route], content_type


def send(client: Client, method: str, path: str, body):
    # A flash message an earlier allowed write left (its cookie outlives the rolled-back savepoint) would
    # show on this page and not on the missing object's.
    client.cookies.pop("messages", None)
    query, data, content_type = body if body else ("", None, None)
    if method == "get":
        return client.get(path)
    if content_type:
        return getattr(client, method)(path + query, data, content_type=content_type)
    return getattr(client, method)(path + query, data)


# --- what a refused write must leave alone --------------------------------------------------------------


COUNTED = (Incident, IncidentRecipient, Message, Acknowledgement, Attachment, Event, Timer, Page)
COUNTED += (ContactPoint, DutyShift, ApiKey, User, EscalationPolicy, ExerciseAcknowledgement)
COUNTED += (ExerciseNotification, ExerciseVersion, ObservationInvitation, ObservationReply, DroneFlight)
COUNTED += (DroneFlightAcknowledgement, CalendarFeed, ReachabilityCheck, CheckResponse)


def row_counts() -> list[tuple[int, int]]:
    """Every watched table's row count, in one query (a refused write is fingerprinted twice, and one
    round trip per table made the matrix the slowest module on PostgreSQL)."""
    tables = " UNION ALL ".join(
        f"SELECT {index}, COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)}"
        for index, model in enumerate(COUNTED)
    )
    with connection.cursor() as cursor:
        cursor.execute(tables)
        return sorted(cursor.fetchall())


def fingerprint(family):
    """What a refused write must leave alone: every watched table's row count, the audit log but for
    NOT_CHANGES, and the fields of the family's objects (only those, to keep the test fast)."""
    values = {
        "incident": lambda: (
            list(Incident.objects.order_by("pk").values_list("pk", "status", "tlp", "updated_at")),
            list(Acknowledgement.objects.order_by("pk").values_list("pk", "acknowledged_at")),
            list(Timer.objects.order_by("pk").values_list("pk", "state", "level")),
        ),
        "organisation": lambda: (
            list(
                ContactPoint.objects.filter(organisation__code="RS-MOD")
                .order_by("pk")
                .values_list("pk", "address", "priority", "last_verified_at")
            ),
            list(
                DutyShift.objects.filter(organisation__code="RS-MOD")
                .order_by("pk")
                .values_list("pk", "person", "starts_at", "ends_at", "note")
            ),
            list(ApiKey.objects.order_by("pk").values_list("pk", "revoked")),
            list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
        ),
        "exercise": lambda: (
            list(ExerciseAcknowledgement.objects.order_by("pk").values_list("pk", "acknowledged_at")),
            list(ExerciseNotification.objects.order_by("pk").values_list("pk", "cancelled", "latest")),
        ),
        "invitation": lambda: list(ObservationReply.objects.order_by("pk").values_list("pk", "answer", "replied_at")),
        "flight": lambda: (
            list(DroneFlight.objects.order_by("pk").values_list("pk", "state", "updated_at")),
            list(DroneFlightAcknowledgement.objects.order_by("pk").values_list("pk", "acknowledged_at")),
        ),
        "party": lambda: list(CalendarFeed.objects.order_by("pk").values_list("pk", "generation", "revoked_at")),
        "check": lambda: list(CheckResponse.objects.order_by("pk").values_list("pk", "acknowledged_at")),
        "policy": lambda: list(EscalationPolicy.objects.order_by("pk").values_list("pk", "levels", "repeat_every_s")),
    }
    values["timer"] = values["incident"]
    return (
        row_counts(),
        AuditEntry.objects.exclude(action__in=NOT_CHANGES).count(),
        values.get(family, lambda: values["incident"]() + values["organisation"]())(),
    )


def outcome_of(response) -> str:
    if response.status_code < 400:
        return ALLOW
    return {403: REFUSED, 404: HIDDEN, 409: CONFLICT}.get(response.status_code, f"status {response.status_code}")


def page_text(response, *names: str) -> str:
    """The body, with the address and the names the URL gave and the per-request CSRF tokens taken out."""
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(errors="replace")
    for name in names:
        text = text.replace(name, "NAME")
    return re.sub(r'(csrfmiddlewaretoken" value="|csrf-token" content="|csrf_token": ")[^"]+', r"\1", text)


def callers_of(entry, check):
    """Every role in every relation; for a route with no object that everyone reads (lists, the
    directory), where the relation is only the caller's kind of organisation, each role once, the
    relations taken in turn, so every role and every relation is asked."""
    roles = [*Role.values, API_KEY] if entry.api else Role.values
    if entry.family is None and check.policy is anyone:
        return [Caller(role, RELATIONS[index % len(RELATIONS)]) for index, role in enumerate(roles)]
    return [Caller(role, relation) for relation in RELATIONS for role in roles]


def tlps_for(entry, caller: Caller):
    """Every TLP for every caller with HOTLINE_MATRIX_FULL=1. Else, to keep CI's time, a Latin square: the
    caller's TLP is (role + relation) mod 5, so every role meets every TLP (across relations), every
    relation meets every TLP (across roles), and every role meets every relation."""
    if entry.family not in ("incident", "timer"):
        return (None,)
    if os.environ.get("HOTLINE_MATRIX_FULL") == "1":
        return TLPS
    roles = [*Role.values, API_KEY]
    return (TLPS[(roles.index(caller.role) + RELATIONS.index(caller.relation)) % len(TLPS)],)


def object_urls(entry, route: str, world: World, tlp) -> tuple[str, str | None, list[str], list[str]]:
    """(the URL, the same URL for an object that does not exist or None, the names each carries) for
    the object of the route's family: stripped before a hidden answer is held to the missing one's."""
    family = entry.family
    if family == "incident":
        incident, attachment = world.incidents[tlp], world.attachments[tlp]
        real, missing = incident_path(route, incident, attachment), incident_path(route, None, attachment)
        return real, missing, [incident.reference], [missing_reference(), str(MISSING_ID)]
    if family == "timer":
        real = "/" + route.replace("<int:pk>", str(timer_of(world.incidents[tlp])))
        return real, "/" + route.replace("<int:pk>", str(MISSING_ID)), [], [str(MISSING_ID)]
    if family in ("exercise", "flight", "invitation", "check"):
        found = world.objects[family]
        # An invitation has no reference, only its id (a short number: not stripped from the page).
        reference = getattr(found, "reference", "")
        absent = f"{reference.rsplit('-', 1)[0]}-{MISSING_ID % 100_000}" if reference else ""

        def named(reference, pk):
            return "/" + route.replace("<str:reference>", reference).replace("<int:pk>", str(pk))

        real, missing = named(reference, found.pk), named(absent, MISSING_ID)
        return real, missing, [reference] if reference else [], [absent, str(MISSING_ID)] if reference else []
    return FAMILIES[family](route, world), None, [], []


def check_route(world: World, route: str) -> list[str]:
    entry = ROUTES[route]
    mismatches = []
    for check in entry.checks:
        for caller in callers_of(entry, check):
            client = world.clients[caller]
            for tlp in tlps_for(entry, caller):
                path, missing_path, names, missing_names = object_urls(entry, route, world, tlp)
                expected = check.policy(caller, tlp)
                body = None if check.method == "get" else request_body(world, route, check.variant, tlp)
                savepoint = transaction.savepoint()
                try:
                    before = fingerprint(entry.family) if check.method != "get" else None
                    response = send(client, check.method, path, body)
                    got = outcome_of(response)
                    problem = None
                    if got != expected:
                        problem = f"{response.status_code} {response.content[:160]!r}"
                    elif got != ALLOW and before is not None and fingerprint(entry.family) != before:
                        problem = "a refused write changed something"
                    elif got == HIDDEN:
                        assert missing_path, f"{route}: a hidden answer needs a missing object's URL"
                        # The page echoes the address asked for (the top bar's forms come back to it).
                        text = page_text(response, path, *names)
                        missing = page_text(
                            send(client, check.method, missing_path, body), missing_path, *missing_names
                        )
                        if MARKER in text or text != missing:
                            problem = "the 404 differs from a missing id's or shows the object"
                finally:
                    transaction.savepoint_rollback(savepoint)
                if problem:
                    label = f"{check.method.upper()}{'/' + check.variant if check.variant else ''}"
                    mismatches.append(f"{label} {caller} tlp={tlp}: expected {expected}, got {got}: {problem}")
    return mismatches


CHECKED = sorted(route for route, entry in ROUTES.items() if entry.checks)


@override_settings(OTP_REQUIRED=False)
@pytest.mark.parametrize("route", CHECKED)
def test_every_caller_gets_what_the_table_says(world, route):
    mismatches = check_route(world, route)
    assert not mismatches, f"{route}:\n" + "\n".join(mismatches[:30])


def test_every_family_the_table_names_has_a_factory():
    assert {entry.family for entry in ROUTES.values() if entry.checks} <= FAMILIES.keys()
