"""The escalation API: policies (everyone reads, commission administrators write), acknowledging a
timer, a phone acknowledgement recorded by a supervisor, the waiting panel and an incident's timeline."""

from datetime import timedelta

import pytest
from django.test import Client

from hotline.audit.models import AuditEntry
from hotline.escalation.choices import TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import EscalationPolicy, Timer
from hotline.escalation.policy import default_levels
from hotline.realtime.models import Event
from incidents.models import Acknowledgement
from tests.accounts.world import build_demo_world, person
from tests.incidents.conftest import make_key_client, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(db, settings):
    build_demo_world()
    settings.OTP_REQUIRED = False

    def make(username: str) -> Client:
        client = Client()
        client.force_login(person(username))
        return client

    return make


def policy_body(levels, repeat_every_s=900, repeat_count=None, reply_within_s=172800):
    return {
        "levels": levels,
        "repeat_every_s": repeat_every_s,
        "repeat_count": repeat_count,
        "reply_within_s": reply_within_s,
    }


def faster_critical():
    levels = default_levels("critical")
    levels[1]["after_s"], levels[2]["after_s"], levels[3]["after_s"] = 120, 420, 900
    return levels


def test_everyone_reads_the_policies_critical_first_with_their_deadlines(signed_in):
    response = signed_in("rs-mod-duty").get("/api/v1/escalation-policies/")
    assert response.status_code == 200
    policies = response.json()
    assert [policy["key"] for policy in policies] == ["critical", "high", "medium", "low"]
    assert [policy["acknowledge_within_s"] for policy in policies] == [300, 900, 3600, 14400]
    assert policies[0]["saved"] is False and policies[0]["repeat_count"] is None


def test_a_commission_administrator_changes_a_policy_and_new_messages_follow_it(signed_in):
    admin = signed_in("wbc-sec-admin")
    response = admin.put(
        "/api/v1/escalation-policies/critical/", policy_body(faster_critical()), content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["acknowledge_within_s"] == 120 and response.json()["saved"] is True
    assert AuditEntry.objects.filter(action="escalation.policy_changed").exists()

    incident = report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    acknowledgement = Acknowledgement.objects.get(message__incident=incident)
    assert acknowledgement.due_at - acknowledgement.message.created_at == timedelta(seconds=120)


def test_a_running_escalation_keeps_the_policy_it_started_with(signed_in):
    report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    signed_in("wbc-sec-admin").put(
        "/api/v1/escalation-policies/critical/", policy_body(faster_critical()), content_type="application/json"
    )
    timer = Timer.objects.get(recipient__code="HR-MOD")
    assert timer.deadline - timer.started_at == timedelta(minutes=5)
    assert [level["after_s"] for level in timer.policy["levels"]] == [0, 300, 900, 1800]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda levels: levels[2].update(after_s=200), "must increase from level to level"),
        (lambda levels: levels[1]["methods"].update(sms=600), "not shorter than the level's wait"),
        (lambda levels: levels[1].update(targets=["the janitor"]), "targets is a non-empty list"),
    ],
)
def test_a_policy_that_would_not_escalate_as_meant_is_refused_with_the_reason(signed_in, change, message):
    levels = default_levels("critical")
    change(levels)
    response = signed_in("wbc-sec-admin").put(
        "/api/v1/escalation-policies/critical/", policy_body(levels), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert message in " ".join(response.json()["fields"]["levels"])
    assert not EscalationPolicy.objects.exists()


def test_only_commission_administrators_edit_policies(signed_in):
    body = policy_body(default_levels("high"))
    for client in (signed_in("rs-mod-head"), signed_in("wbc-sec-reviewer"), make_key_client("WBC-SEC")):
        response = client.put("/api/v1/escalation-policies/high/", body, content_type="application/json")
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "permission_denied"
    assert not EscalationPolicy.objects.exists()


def test_an_override_for_a_pair_of_parties_applies_to_that_pair_only(signed_in):
    admin = signed_in("wbc-sec-admin")
    response = admin.put(
        "/api/v1/escalation-policies/critical/RS+HR/", policy_body(faster_critical()), content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["key"] == "critical/HR+RS"
    to_croatia = report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    to_bosnia = report("rs-mod-duty", to=("BA-MOD",), severity="critical")
    assert (
        Timer.objects.get(subject_id__in=Acknowledgement.objects.filter(message__incident=to_croatia)).policy["source"]
        == "critical/HR+RS"
    )
    assert (
        Timer.objects.get(subject_id__in=Acknowledgement.objects.filter(message__incident=to_bosnia)).policy["source"]
        == "critical"
    )

    assert admin.delete("/api/v1/escalation-policies/critical/HR+RS/").status_code == 204
    assert not EscalationPolicy.objects.exists()
    refused = admin.delete("/api/v1/escalation-policies/critical/")
    assert refused.status_code == 404


def test_unknown_severities_and_parties_are_not_found(signed_in):
    client = signed_in("rs-mod-duty")
    assert client.get("/api/v1/escalation-policies/urgent/").json()["code"] == "not_found"
    assert client.get("/api/v1/escalation-policies/high/RS+XX/").status_code == 404
    assert client.get("/api/v1/escalation-policies/high/RS/").status_code == 404


def test_the_recipient_acknowledges_a_timer_once_and_paging_stops(signed_in):
    report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    croatia = signed_in("hr-mod-duty")
    response = croatia.post(f"/api/v1/escalation/timers/{timer.pk}/acknowledge/")
    assert response.status_code == 200 and response.json() == {"acknowledged": True}
    timer.refresh_from_db()
    assert timer.state == TimerState.ACKNOWLEDGED
    assert Acknowledgement.objects.get(organisation__code="HR-MOD").method == "console"
    again = croatia.post(f"/api/v1/escalation/timers/{timer.pk}/acknowledge/")
    assert again.status_code == 409 and again.json()["code"] == "not_waiting"


def test_nobody_else_acknowledges_for_the_recipient(signed_in):
    report("rs-mod-duty", to=("HR-MOD", "BA-MOD"), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    assert signed_in("ba-mod-duty").post(f"/api/v1/escalation/timers/{timer.pk}/acknowledge/").status_code == 403
    assert signed_in("me-mod-duty").post(f"/api/v1/escalation/timers/{timer.pk}/acknowledge/").status_code == 404
    assert (
        signed_in("hr-mod-duty").post("/api/v1/escalation/timers/99999999999999999999/acknowledge/").status_code == 404
    )
    timer.refresh_from_db()
    assert timer.state == TimerState.RUNNING


def test_a_supervisor_records_an_acknowledgement_given_by_phone(signed_in):
    incident = report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    refused = signed_in("rs-mod-duty").post(
        f"/api/v1/escalation/timers/{timer.pk}/phone-acknowledgement/",
        {"answered_by": "hr-mod-duty"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    supervisor = signed_in("rs-mod-supervisor")
    wrong = supervisor.post(
        f"/api/v1/escalation/timers/{timer.pk}/phone-acknowledgement/",
        {"answered_by": "rs-mod-duty"},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "answered_by" in wrong.json()["fields"]

    response = supervisor.post(
        f"/api/v1/escalation/timers/{timer.pk}/phone-acknowledgement/",
        {"answered_by": "hr-mod-duty"},
        content_type="application/json",
    )
    assert response.status_code == 200
    acknowledgement = Acknowledgement.objects.get(message__incident=incident)
    assert acknowledgement.method == "phone" and acknowledgement.acknowledged_by.username == "hr-mod-duty"
    assert "recorded by rs-mod-supervisor" in acknowledgement.acknowledged_by_label
    entry = AuditEntry.objects.filter(action="incident.acknowledged").latest("seq")
    assert entry.actor == "rs-mod-supervisor" and entry.content["details"]["on_behalf_of"] == "hr-mod-duty"


def test_the_waiting_panel_shows_both_sides(signed_in):
    incident = report("rs-mod-duty", to=("HR-MOD",), severity="high")
    mine = signed_in("hr-mod-duty").get("/api/v1/escalation/waiting/").json()
    theirs = signed_in("rs-mod-duty").get("/api/v1/escalation/waiting/").json()
    assert [entry["reference"] for entry in mine["to_acknowledge"]] == [f"{incident.reference} #1"]
    assert mine["waiting_for"] == []
    assert [entry["recipient"] for entry in theirs["waiting_for"]] == ["HR-MOD"]


def test_a_waiting_entry_says_what_the_alert_shows_even_above_green(signed_in):
    """The recipient's alert names the sender, the category, the title and first lines (it may read
    them, TLP:AMBER or not), who else was told and the level paged; nobody else sees the entry."""
    incident = report(
        "rs-mod-duty",
        to=("HR-MOD", "ME-MOD"),
        severity="critical",
        tlp="AMBER",
        title="Drone over the bridge",
        summary="Seen at 03:10.\nHeading west.\nLow altitude.\nFourth line.",
        category="drone",
    )
    [entry] = signed_in("hr-mod-duty").get("/api/v1/escalation/waiting/").json()["to_acknowledge"]
    assert entry["reference"] == f"{incident.reference} #1"
    assert (entry["sender"], entry["sender_name"]) == ("RS-MOD", incident.originator.name)
    assert entry["category"] == incident.get_category_display()
    assert entry["title"] == "Drone over the bridge" and entry["tlp"] == "AMBER"
    assert entry["excerpt"] == "Seen at 03:10.\nHeading west.\nLow altitude.…"
    assert entry["others_told"] == ["ME-MOD"] and entry["paged_level"] is None
    assert signed_in("al-mod-duty").get("/api/v1/escalation/waiting/").json()["to_acknowledge"] == []


def test_an_incidents_timeline_lists_pages_and_deliveries_to_those_who_see_it(signed_in):
    incident = report("rs-mod-duty", to=("HR-MOD",), severity="critical", tlp="RED")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    tick(now=timer.started_at)
    tick(now=timer.started_at + timedelta(minutes=5))
    response = signed_in("rs-mod-duty").get(f"/api/v1/incidents/{incident.pk}/timeline/")
    assert response.status_code == 200
    [entry] = response.json()
    assert entry["recipient"] == "HR-MOD" and entry["state"] == "running"
    assert [(page["level"], page["repeat"]) for page in entry["pages"]] == [(0, 0), (1, 0)]
    methods = {delivery["method"] for delivery in entry["pages"][1]["deliveries"]}
    assert {"console", "email"} <= methods
    # Metadata: the commission sees it even of a RED incident; a party outside it does not know it exists.
    assert signed_in("wbc-sec-duty").get(f"/api/v1/incidents/{incident.pk}/timeline/").status_code == 200
    assert signed_in("me-mod-duty").get(f"/api/v1/incidents/{incident.pk}/timeline/").status_code == 404


def test_a_pair_of_one_party_is_not_a_pair(signed_in):
    assert signed_in("rs-mod-duty").get("/api/v1/escalation-policies/critical/RS+RS/").status_code == 404


def test_a_recipients_api_client_acknowledges_a_timer_with_the_method_api(signed_in):
    report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    reader = make_key_client("HR-MOD", scopes=("incidents:read",))
    assert reader.post(f"/api/v1/escalation/timers/{timer.pk}/acknowledge/").json()["code"] == "missing_scope"
    response = make_key_client("HR-MOD").post(f"/api/v1/escalation/timers/{timer.pk}/acknowledge/")
    assert response.status_code == 200
    assert Acknowledgement.objects.get(organisation__code="HR-MOD").method == "api"


def test_a_timer_acknowledgement_sent_again_with_its_idempotency_key_is_replayed_not_refused(signed_in):
    report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    croatia = signed_in("hr-mod-duty")
    url = f"/api/v1/escalation/timers/{timer.pk}/acknowledge/"
    first = croatia.post(url, HTTP_IDEMPOTENCY_KEY="ack-once")
    again = croatia.post(url, HTTP_IDEMPOTENCY_KEY="ack-once")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() == {"acknowledged": True}
    assert Acknowledgement.objects.filter(organisation__code="HR-MOD").count() == 1
    assert AuditEntry.objects.filter(action="incident.acknowledged").count() == 1
    other_body = croatia.post(url, {"note": "x"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="ack-once")
    assert other_body.status_code == 422 and other_body.json()["code"] == "idempotency_key_reused"


def test_a_phone_acknowledgement_honours_its_idempotency_key(signed_in):
    report("rs-mod-duty", to=("HR-MOD",), severity="critical")
    timer = Timer.objects.get(recipient__code="HR-MOD")
    supervisor = signed_in("rs-mod-supervisor")
    url = f"/api/v1/escalation/timers/{timer.pk}/phone-acknowledgement/"

    def send(username):
        body = {"answered_by": username}
        return supervisor.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="phone-once")

    first, again = send("hr-mod-duty"), send("hr-mod-duty")
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert Acknowledgement.objects.filter(organisation__code="HR-MOD").count() == 1
    other = send("hr-mod-supervisor")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_the_console_page_carries_the_title_and_first_lines_to_the_two_organisations_only(signed_in):
    """Above GREEN too: the alert is the recipient's (which reads the message), the sender wrote it; the
    event reaches no other organisation (e-mail, SMS and webhook bodies: tests/escalation/test_tlp_content.py)."""
    incident = report("rs-mod-duty", to=("HR-MOD",), severity="critical", tlp="RED", title="Relay Q7", summary="Seen.")
    tick(now=Timer.objects.get(recipient__code="HR-MOD").started_at)
    [event] = Event.objects.filter(kind="page")
    assert (event.payload["page"]["title"], event.payload["page"]["excerpt"]) == ("Relay Q7", "Seen.")
    assert event.payload["page"]["sender"] == "RS-MOD" and event.payload["page"]["others_told"] == []
    assert set(event.audience.values_list("organisation_id", flat=True)) == {
        incident.originator_id,
        person("hr-mod-duty").organisation_id,
    }
