"""The reviewer's incident timeline (issue 16): every message, reply, acknowledgement, page, delivery,
status and TLP change of one incident in time order, with the escalation level each organisation reached;
content only where the viewer may read the incident; opened by reviewers and by the supervisors and heads
of the organisations taking part; opening and downloading it are recorded.

One real incident, told minute by minute under a stopped clock: the real actions, the real escalation
engine (`tick` at each moment) and real sending to the fake SMTP and webhook servers (HR-CERT's webhook
refuses the page, so one delivery fails).
"""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.choices import ContactMethod
from accounts.models import ContactPoint
from hotline.audit.models import AuditEntry
from hotline.escalation.choices import Target
from hotline.escalation.engine import tick
from hotline.escalation.sending import send_due
from hotline.review.timeline import incident_timeline
from incidents.actions import do_acknowledge, do_change_status, do_change_tlp, do_post_message
from incidents.choices import MessageKind
from incidents.models import Incident
from tests.accounts.world import person
from tests.escalation.world import paging_world, save_policy
from tests.incidents.reports import report
from tests.incidents.test_tlp_rendering import contexts, model_values

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 in Zagreb and Sarajevo: the day shift is on duty
OPENED = START + timedelta(hours=1)
# Words nothing else on a page prints: if one reaches a reader who may not read the incident, it leaked.
SECRETS = {
    "title": "Kestrel relay breach",
    "summary": "Operator credentials for the Zlatibor relay seen on a forum.",
    "request": "Please block 203.0.113.77 and send us the Kestrel-9 samples.",
    "reply": "Blocked at 08:29; the samples follow by courier.",
}
EVERY = ContactMethod.CONSOLE, ContactMethod.EMAIL, ContactMethod.WEBHOOK
LEVELS = [
    {"after_s": 0, "targets": [Target.ORGANISATION, Target.ON_DUTY], "methods": {"console": 0}},
    {"after_s": 300, "targets": [Target.ON_DUTY], "methods": {"console": 0, "email": 0, "webhook": 0}},
    {"after_s": 900, "targets": [Target.SUPERVISORS], "methods": {"email": 0}},
]


def minutes(count: float) -> datetime:
    return START + timedelta(minutes=count)


def engine_runs(receivers) -> None:
    with override_settings(**receivers.settings()):
        tick()
        send_due()


@pytest.fixture
def world(settings, receivers):
    settings.OTP_REQUIRED = False
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        paging_world(receivers)
        ContactPoint.objects.filter(organisation__code="BA-CERT", method=ContactMethod.WEBHOOK).update(
            address=receivers.webhook_url("ba-cert")
        )
        save_policy("high", LEVELS, repeat_every_s=600, repeat_count=0)
    receivers.http.fail(status=410, path_prefix="/hooks/hr-cert")  # Gone: HR-CERT's gateway refuses pages


@pytest.fixture
def story(world, receivers):
    return tell_story(receivers)


def tell_story(receivers) -> Incident:
    """RS-CERT reports to HR-CERT and BA-CERT at 08:00 (TLP:AMBER); BA-CERT acknowledges at 08:02, on
    time; HR-CERT is paged at level 1 at 08:05 (its webhook fails) and acknowledges at 08:12, late. At
    08:20 RS-CERT asks both for assistance: HR-CERT acknowledges at 08:22 and replies at 08:30; BA-CERT
    never acknowledges and is paged at level 1 (08:25) and 2 (08:35). RS-CERT raises the TLP to RED at
    08:26 and sets the status to monitoring at 08:40. The timeline is read at 09:00."""
    reporter = person("rs-cert-duty")
    with time_machine.travel(START, tick=False) as clock:
        incident = report(
            reporter, to=("HR-CERT", "BA-CERT"), tlp="AMBER", severity="high", category="cyber", title=SECRETS["title"]
        )
        Incident.objects.filter(pk=incident.pk).update(summary=SECRETS["summary"])
        incident.messages.filter(number=1).update(body=SECRETS["summary"])
        engine_runs(receivers)
        clock.move_to(minutes(2))
        do_acknowledge(person("ba-cert-duty"), incident, message_number=1)
        clock.move_to(minutes(5))
        engine_runs(receivers)
        clock.move_to(minutes(12))
        do_acknowledge(person("hr-cert-duty"), incident, message_number=1)
        clock.move_to(minutes(20))
        do_post_message(reporter, incident, kind=MessageKind.REQUEST_FOR_ASSISTANCE, body=SECRETS["request"])
        engine_runs(receivers)
        clock.move_to(minutes(22))
        do_acknowledge(person("hr-cert-duty"), incident, message_number=2)
        clock.move_to(minutes(25))
        engine_runs(receivers)
        clock.move_to(minutes(26))
        do_change_tlp(reporter, incident, "RED")
        clock.move_to(minutes(30))
        do_post_message(person("hr-cert-duty"), incident, kind=MessageKind.NOTE, body=SECRETS["reply"])
        clock.move_to(minutes(35))
        engine_runs(receivers)
        clock.move_to(minutes(40))
        do_change_status(reporter, incident, "monitoring")
    return Incident.objects.get(pk=incident.pk)


def page_text(response, *names: str) -> str:
    """The page with the names the address gave, and the per-request CSRF tokens, taken out."""
    text = response.content.decode()
    for name in names:
        text = text.replace(name, "NAME")
    return re.sub(r'(csrfmiddlewaretoken" value="|csrf-token" content="|csrf_token": ")[^"]+', r"\1", text)


def signed_in(client, username):
    client.force_login(person(username))
    return client


def path_of(incident, form: str = "") -> str:
    return f"/review/incidents/{incident.reference}/timeline/" + (f"?format={form}" if form else "")


def shown(event) -> tuple:
    """An event as the story tells it: minutes after 08:00, kind, organisation and what identifies it."""
    offset = (event["at"] - START).total_seconds() / 60
    what = {
        "message": event["message"],
        "reply": (event["message"], event["replies_to"], event["status"]),
        "acknowledgement": (event["message"], event["status"]),
        "page": (event["message"], event["level"]),
        "delivery": (event["message"], event["level"], event["method"], event["status"]),
        "status": (event["from"], event["to"]),
        "tlp": (event["from"], event["to"]),
    }[event["kind"]]
    return offset, event["kind"], event["organisation"], what


EXPECTED = [
    (0, "message", "RS-CERT", 1),
    (0, "page", "BA-CERT", (1, 0)),
    (0, "page", "HR-CERT", (1, 0)),
    (0, "delivery", "BA-CERT", (1, 0, "console", "sent")),
    (0, "delivery", "HR-CERT", (1, 0, "console", "sent")),
    (2, "acknowledgement", "BA-CERT", (1, "on_time")),
    (5, "page", "HR-CERT", (1, 1)),
    (5, "delivery", "HR-CERT", (1, 1, "console", "sent")),
    (5, "delivery", "HR-CERT", (1, 1, "email", "sent")),
    (5, "delivery", "HR-CERT", (1, 1, "webhook", "failed")),
    (12, "acknowledgement", "HR-CERT", (1, "late")),
    (20, "message", "RS-CERT", 2),
    (20, "page", "BA-CERT", (2, 0)),
    (20, "page", "HR-CERT", (2, 0)),
    (20, "delivery", "BA-CERT", (2, 0, "console", "sent")),
    (20, "delivery", "HR-CERT", (2, 0, "console", "sent")),
    (22, "acknowledgement", "HR-CERT", (2, "on_time")),
    (25, "page", "BA-CERT", (2, 1)),
    (25, "delivery", "BA-CERT", (2, 1, "console", "sent")),
    (25, "delivery", "BA-CERT", (2, 1, "email", "sent")),
    (25, "delivery", "BA-CERT", (2, 1, "webhook", "sent")),
    (26, "tlp", "RS-CERT", ("AMBER", "RED")),
    (30, "reply", "HR-CERT", (4, [2], "within_reply_by")),
    (35, "page", "BA-CERT", (2, 2)),
    (35, "delivery", "BA-CERT", (2, 2, "email", "sent")),
    (40, "status", "RS-CERT", ("open", "monitoring")),
]  # fmt: skip


def test_it_lists_every_message_acknowledgement_page_delivery_reply_and_change_in_time_order(story):
    with time_machine.travel(OPENED, tick=False):
        events = incident_timeline(story, person("wbc-sec-reviewer"))
    assert [shown(event) for event in events] == EXPECTED
    assert [event["at"] for event in events] == sorted(event["at"] for event in events)
    by_kind = {event["kind"]: event for event in events}
    assert by_kind["acknowledgement"]["by"] == "hr-cert-duty" and by_kind["acknowledgement"]["method"] == "console"
    assert by_kind["tlp"]["by"] == "rs-cert-duty" and by_kind["status"]["by"] == "rs-cert-duty"
    assert by_kind["message"]["asked"] == ["BA-CERT", "HR-CERT"] and by_kind["message"]["by"] == "rs-cert-duty"
    emails = [event for event in events if event["method"] == "email" and event["level"] == 1]
    assert emails[0]["reaches"] == "Ivana Horvat (HR-CERT)", "the on-duty officer, by name, never the address"


def test_the_summary_gives_each_organisations_highest_level_and_each_acknowledgements_time(story, client):
    with time_machine.travel(OPENED, tick=False):
        answer = signed_in(client, "wbc-sec-reviewer").get(path_of(story, "json"))
    summary = json.loads(answer.content)["summary"]
    organisations = {row["organisation"]: row for row in summary["organisations"]}
    assert {code: (row["role"], row["highest_level"]) for code, row in organisations.items()} == {
        "BA-CERT": ("recipient", 2),
        "HR-CERT": ("recipient", 1),
        "RS-CERT": ("originator", None),
    }
    ba, hr = organisations["BA-CERT"], organisations["HR-CERT"]
    assert (ba["owed"], ba["given"], ba["on_time"], ba["late"], ba["missing"], ba["pages"]) == (2, 1, 1, 0, 1, 4)
    assert (hr["owed"], hr["given"], hr["on_time"], hr["late"], hr["missing"], hr["pages"]) == (2, 2, 1, 1, 0, 3)
    assert (hr["deliveries_failed"], ba["deliveries_failed"]) == (1, 0)
    rows = [(row["message"], row["organisation"], row["seconds"], row["state"]) for row in summary["acknowledgements"]]
    assert rows == [
        (1, "BA-CERT", 120, "on_time"),
        (1, "HR-CERT", 720, "late"),
        (2, "BA-CERT", None, "missing"),
        (2, "HR-CERT", 120, "on_time"),
    ]


def test_the_page_shows_the_summary_and_the_events_with_times_in_the_viewers_zone(story, client):
    with time_machine.travel(OPENED, tick=False):
        page = signed_in(client, "wbc-sec-reviewer").get(path_of(story)).content.decode()
    assert page.count('data-testid="event"') == len(EXPECTED)
    assert 'data-organisation="BA-CERT" data-testid="organisation-row"' in page
    assert "level 2" in page and "12 min 0 s" in page and "missing" in page
    assert "Webhook to HR-CERT Webhook (level 1, #1): failed, 1 attempt" in page
    assert "acknowledged RS-CERT&#x27;s #1 (console), late" in page
    assert "#4 replies to RS-CERT&#x27;s request #2, within the reply-by time" in page
    assert "TLP:AMBER → TLP:RED" in page and "status Open → Monitoring" in page
    assert "08:12:00 UTC" in page, "UTC beside the local time"


def downloads(client, incident) -> dict[str, bytes]:
    with time_machine.travel(OPENED, tick=False):
        return {form: client.get(path_of(incident, form)) for form in ("", "json", "csv")}


def test_a_reviewer_of_a_red_incident_addressed_to_others_sees_its_metadata_and_never_its_content(story, client):
    answers = downloads(signed_in(client, "wbc-sec-reviewer"), story)
    for form, answer in answers.items():
        assert answer.status_code == 200, form
        for part, words in SECRETS.items():
            assert words.encode() not in answer.content, f"the {part} reached a reviewer in the {form or 'page'}"
            assert json.dumps(words)[1:-1].encode() not in answer.content, (part, form)
        assert story.reference.encode() in answer.content and b"RED" in answer.content
    assert b"content withheld (TLP:RED)" in answers[""].content
    document = json.loads(answers["json"].content)
    assert document["incident"]["content_withheld"] is True and document["incident"]["title"] is None
    assert {event["content"] for event in document["events"]} == {None}
    assert len(document["events"]) == len(EXPECTED)
    rows = list(csv.DictReader(io.StringIO(answers["csv"].content.decode())))
    assert [(row["kind"], row["organisation"]) for row in rows] == [(kind, code) for _, kind, code, _ in EXPECTED]
    assert {row["content"] for row in rows} == {""}


def test_the_recipients_supervisor_reads_the_content_in_the_page_and_both_downloads(story, client):
    answers = downloads(signed_in(client, "hr-cert-supervisor"), story)
    page = answers[""].content.decode()
    assert SECRETS["title"] in page and SECRETS["request"] in page and SECRETS["reply"] in page
    document = json.loads(answers["json"].content)
    assert document["incident"]["title"] == SECRETS["title"]
    bodies = {event["message"]: event["content"] for event in document["events"] if event["content"]}
    assert bodies == {1: SECRETS["summary"], 2: SECRETS["request"], 4: SECRETS["reply"]}
    rows = list(csv.DictReader(io.StringIO(answers["csv"].content.decode())))
    assert [row["content"] for row in rows if row["content"]] == [
        SECRETS["summary"],
        SECRETS["request"],
        SECRETS["reply"],
    ]
    for form in ("json", "csv"):
        disposition = answers[form]["Content-Disposition"]
        assert disposition == f'attachment; filename="{story.reference}-timeline.{form}"'


def test_opening_and_downloading_the_timeline_are_recorded_with_the_reference_only(story, client):
    before = AuditEntry.objects.order_by("-seq").first().seq
    downloads(signed_in(client, "wbc-sec-reviewer"), story)
    downloads(signed_in(client, "hr-cert-supervisor"), story)
    read = AuditEntry.objects.filter(seq__gt=before).exclude(action="login").order_by("seq")
    entries = [entry.content for entry in read]
    assert [(entry["actor"], entry["action"], entry["details"]) for entry in entries] == [
        ("wbc-sec-reviewer", "review.timeline_opened", {"reference": story.reference}),
        ("wbc-sec-reviewer", "review.timeline_exported", {"reference": story.reference, "format": "json"}),
        ("wbc-sec-reviewer", "review.timeline_exported", {"reference": story.reference, "format": "csv"}),
        # The supervisor reads the RED incident's content: recorded each time, as on the incident page.
        ("hr-cert-supervisor", "review.timeline_opened", {"reference": story.reference}),
        ("hr-cert-supervisor", "incident.red_read", {"incident": story.reference}),
        ("hr-cert-supervisor", "review.timeline_exported", {"reference": story.reference, "format": "json"}),
        ("hr-cert-supervisor", "incident.red_read", {"incident": story.reference}),
        ("hr-cert-supervisor", "review.timeline_exported", {"reference": story.reference, "format": "csv"}),
        ("hr-cert-supervisor", "incident.red_read", {"incident": story.reference}),
    ]


@pytest.mark.parametrize("username", ["hr-cert-duty", "rs-cert-duty", "wbc-sec-duty", "wbc-sec-supervisor"])
def test_a_duty_officer_and_anyone_else_who_knows_of_the_incident_is_refused_and_the_refusal_recorded(
    story, client, username
):
    before = AuditEntry.objects.order_by("-seq").first().seq
    for form in ("", "json", "csv"):
        answer = signed_in(client, username).get(path_of(story, form))
        assert answer.status_code == 403, (username, form)
        assert SECRETS["title"].encode() not in answer.content
        assert b"You may not open this incident&#x27;s timeline." in answer.content
    entries = [entry.content for entry in AuditEntry.objects.filter(seq__gt=before).exclude(action="login")]
    assert {(entry["action"], entry["details"]["incident"]) for entry in entries} == {
        ("access.refused", story.reference)
    }


def test_a_party_not_addressed_is_told_nothing_more_than_for_a_reference_that_does_not_exist(story, client):
    client = signed_in(client, "al-cert-supervisor")
    hidden = client.get(path_of(story))
    missing = client.get("/review/incidents/HL-2026-99999/timeline/")
    assert hidden.status_code == missing.status_code == 404
    # The page names the address asked for (the top bar's forms come back to it): the rest is the same.
    assert page_text(hidden, story.reference) == page_text(missing, "HL-2026-99999")
    assert SECRETS["title"].encode() not in hidden.content
    assert signed_in(client, "wbc-sec-reviewer").get("/review/incidents/HL-2026-99999/timeline/").status_code == 404


def test_another_format_is_refused(story, client):
    assert signed_in(client, "wbc-sec-reviewer").get(path_of(story, "xlsx")).status_code == 400


def test_the_incident_page_links_to_the_timeline_for_those_who_may_open_it(story, client):
    link = f'href="/review/incidents/{story.reference}/timeline/"'.encode()
    for username, linked in [
        ("wbc-sec-reviewer", True),
        ("wbc-sec-admin", True),
        ("hr-cert-supervisor", True),
        ("rs-cert-head", True),
        ("hr-cert-duty", False),
        ("wbc-sec-duty", False),
    ]:
        page = signed_in(client, username).get(f"/incidents/{story.reference}/")
        assert page.status_code == 200
        assert (link in page.content) is linked, username


def test_the_view_hands_its_template_payload_dictionaries_never_incident_models(story, client):
    answer = signed_in(client, "hr-cert-supervisor").get(path_of(story))
    for context in contexts(answer):
        assert not [path for name, value in context.items() for path, _ in model_values(value, name)]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(world, client):
    incident = report(person("rs-cert-duty"), to=("HR-CERT",))
    do_post_message(person("rs-cert-duty"), incident, kind=MessageKind.NOTE, body='=HYPERLINK("http://x.example")')
    rows = list(
        csv.reader(io.StringIO(signed_in(client, "rs-cert-supervisor").get(path_of(incident, "csv")).content.decode()))
    )
    assert rows[-1][-1] == '\'=HYPERLINK("http://x.example")'


# --- queries -----------------------------------------------------------------------------------------


def thread_of(length: int) -> Incident:
    """An incident whose thread has `length` messages that need acknowledging, each acknowledged by one of
    the two recipients and paged at level 0 and 1 to the other."""
    reporter = person("rs-cert-duty")
    with time_machine.travel(START, tick=False) as clock:
        incident = report(reporter, to=("HR-CERT", "BA-CERT"), severity="high")
        for number in range(2, length + 1):
            do_post_message(
                reporter, incident, kind=MessageKind.INFORMATION, body=f"update {number}", requires_ack=True
            )
        tick()
        clock.move_to(minutes(1))
        do_acknowledge(person("ba-cert-duty"), incident)
        clock.move_to(minutes(6))
        tick()
        do_change_status(reporter, incident, "monitoring")
        do_change_tlp(reporter, incident, "GREEN")
    return Incident.objects.get(pk=incident.pk)


def queries_for(incident, viewer) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        events = incident_timeline(incident, viewer)
    return len(queries), len(events)


def test_the_number_of_queries_does_not_grow_with_the_thread(world, django_assert_max_num_queries):
    reviewer = person("wbc-sec-reviewer")
    short, long = thread_of(2), thread_of(20)
    few, short_events = queries_for(short, reviewer)
    many, long_events = queries_for(long, reviewer)
    assert long_events > 5 * short_events, "the long thread has many more events"
    assert many == few, f"{few} queries for 2 messages, {many} for 20"
    with django_assert_max_num_queries(10):
        incident_timeline(long, reviewer)
