"""The escalation pages of the console: the waiting panel, the timeline under each message, recording an
acknowledgement given by phone, and the policy editor of the commission's administrators."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from hotline.audit.models import AuditEntry
from hotline.escalation.choices import DeliveryStatus, TimerState
from hotline.escalation.engine import tick
from hotline.escalation.models import EscalationPolicy, Timer
from hotline.escalation.policy import default_levels
from hotline.escalation.sending import send_due
from incidents.models import Acknowledgement
from tests.accounts.world import build_demo_world, person
from tests.incidents.reports import report


@pytest.fixture
def world(db, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def text(response) -> str:
    return response.content.decode()


def part(page: str, testid: str) -> str:
    """The element marked data-testid=`testid`, up to the end of its table or section."""
    start = page.index(f'data-testid="{testid}"')
    ends = [
        index
        for index in (page.find("</table>", start), page.find("</section>", start), page.find("</details>", start))
        if index > 0
    ]
    return page[start : min(ends)]


def critical_report(to=("HR-MOD",)):
    incident = report(person("rs-mod-duty"), to, severity="critical", title="Jamming near Šid")
    return incident, Timer.objects.get(recipient__code=to[0], clock="ack")


def acknowledgement(incident, code: str) -> Acknowledgement:
    return Acknowledgement.objects.select_related("acknowledged_by").get(
        message__incident=incident, message__number=1, organisation__code=code
    )


# --- the waiting panel ----------------------------------------------------------------------------------


def test_it_shows_what_waits_on_me_and_what_i_wait_for(world):
    incident, timer = critical_report()
    tick(now=timer.started_at)  # the console alert: level 0

    croatia = text(signed_in("hr-mod-duty").get("/waiting/"))
    mine = part(croatia, "to-acknowledge")
    assert f"{incident.reference} #1" in mine and "RS-MOD" in mine and "Critical" in mine
    assert f'data-due="{timer.deadline.isoformat()}"' in mine
    assert "level 0 reached" in mine and "next: level 1" in mine
    assert "Acknowledge</button>" in mine
    assert 'data-testid="nothing-waited-for"' in croatia

    serbia = text(signed_in("rs-mod-duty").get("/waiting/"))
    theirs = part(serbia, "waiting-for")
    assert f"{incident.reference} #1" in theirs and "HR-MOD" in theirs and "level 0 reached" in theirs
    assert 'data-testid="nothing-to-acknowledge"' in serbia
    assert "Acknowledge</button>" not in serbia


def test_it_loads_the_panel_on_the_home_page_and_links_it_in_the_navigation(world):
    incident, _ = critical_report()
    client = signed_in("hr-mod-duty")
    home = text(client.get("/"))
    assert 'hx-get="/waiting/panel/?next=/"' in home
    assert '<a href="/waiting/">Waiting</a>' in home
    panel = text(client.get("/waiting/panel/?next=/"))
    assert "<html" not in panel
    assert f"{incident.reference} #1" in part(panel, "to-acknowledge")
    assert 'name="next" value="/"' in panel


def test_it_stops_the_timer_when_acknowledged_from_the_panel(world):
    incident, timer = critical_report()
    tick(now=timer.started_at)
    client = signed_in("hr-mod-duty")

    response = client.post(f"/escalation/timers/{timer.pk}/acknowledge/", {"next": "/waiting/"}, follow=True)

    assert response.redirect_chain == [("/waiting/", 302)]
    timer.refresh_from_db()
    assert timer.state == TimerState.ACKNOWLEDGED and timer.next_fire_at is None
    given = acknowledgement(incident, "HR-MOD")
    assert given.method == "console" and given.acknowledged_by.username == "hr-mod-duty"
    page = text(response)
    assert f"{incident.reference} #1 acknowledged for HR-MOD: paging has stopped." in page
    assert 'data-testid="nothing-to-acknowledge"' in page
    again = client.post(f"/escalation/timers/{timer.pk}/acknowledge/", {"next": "/waiting/"}, follow=True)
    assert "nothing waits any more" in text(again)


def test_it_lets_only_the_recipient_organisation_acknowledge_from_the_panel(world):
    incident, timer = critical_report()
    assert signed_in("rs-mod-duty").post(f"/escalation/timers/{timer.pk}/acknowledge/").status_code == 403
    assert (
        signed_in("al-cert-duty").post(f"/escalation/timers/{timer.pk}/acknowledge/").status_code == 404
    )  # it does not exist for Albania
    assert acknowledgement(incident, "HR-MOD").acknowledged_at is None


# --- the timeline under each message ---------------------------------------------------------------------


def test_the_timeline_under_a_message_is_fetched_again_within_the_same_visibility(world):
    """escalation.js fetches it again when its escalation moves (the URL is on the timeline itself)."""
    incident, timer = critical_report(to=("HR-MOD", "ME-MOD"))
    page = text(signed_in("rs-mod-duty").get(f"/incidents/{incident.reference}/"))
    url = re.search(r'data-testid="escalation-timeline" data-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    others = Timer.objects.exclude(pk=timer.pk).get(recipient__code="ME-MOD", clock="ack")
    assert sorted(re.findall(r"timer=(\d+)", url)) == sorted([str(timer.pk), str(others.pk)])
    assert "Not paged yet." in text(signed_in("rs-mod-duty").get(url))
    tick(now=timer.started_at)

    fresh = text(signed_in("rs-mod-duty").get(url))
    assert "Not paged yet." not in fresh and re.findall(r'data-testid="page"[^>]*>(level \d)', fresh) == ["level 0"] * 2
    assert re.findall(r'data-organisation="([A-Z-]+)"', fresh) == ["HR-MOD", "ME-MOD"]
    assert signed_in("al-cert-duty").get(url).status_code == 404  # the incident does not exist for Albania
    assert signed_in("rs-mod-duty").get(f"/escalation/timers/{timer.pk}/timeline/?timer=x").status_code == 404


def test_it_shows_the_pages_and_their_delivery_statuses_under_the_message(world, settings, receivers):
    for name, value in receivers.settings().items():
        setattr(settings, name, value)
    receivers.http.fail(times=None, status=400, path_prefix="/sms")  # the gateway refuses the number
    incident, timer = critical_report()
    tick(now=timer.started_at)
    at_deadline = timer.started_at + timedelta(minutes=5)
    tick(now=at_deadline)  # level 1: the on-duty officer by every method
    send_due(now=at_deadline)

    page = text(signed_in("rs-mod-duty").get(f"/incidents/{incident.reference}/"))
    timeline = part(page, "escalation-timeline")
    assert re.search(r'data-testid="escalation-timeline"[^>]* open>', page)  # still running: shown unfolded
    assert re.search(r'data-testid="timer-state">waiting<', timeline)
    assert re.findall(r'data-testid="page"[^>]*>(level \d)', timeline) == ["level 0", "level 1"]
    statuses = dict(
        re.findall(r'data-testid="delivery" data-page="\d+" data-method="(\w+)" data-status="(\w+)"', timeline)[1:]
    )
    assert statuses == {"console": DeliveryStatus.SENT, "email": DeliveryStatus.SENT, "sms": DeliveryStatus.FAILED}
    assert "HTTP 400 from" in timeline
    assert "HR-MOD console" in timeline


def test_it_says_on_the_timeline_who_acknowledged_and_when(world):
    incident, timer = critical_report()
    tick(now=timer.started_at)
    signed_in("hr-mod-duty").post(f"/escalation/timers/{timer.pk}/acknowledge/")

    page = text(signed_in("rs-mod-duty").get(f"/incidents/{incident.reference}/"))
    timeline = part(page, "escalation-timeline")
    assert 'data-testid="escalation-timeline" open' not in page
    assert re.search(r'data-testid="timer-state">acknowledged</span> <time[^>]*>[^<]+</time> by hr-mod-duty', timeline)


# --- an acknowledgement given by phone ---------------------------------------------------------------------


def test_it_records_an_acknowledgement_given_by_phone_for_a_supervisor(world):
    incident, timer = critical_report()
    tick(now=timer.started_at)
    supervisor = signed_in("rs-mod-supervisor")
    page = text(supervisor.get(f"/incidents/{incident.reference}/"))
    form = part(page, "phone-acknowledgement")
    officer = person("hr-mod-duty")
    assert (
        f'<option value="{officer.pk}">' in form and "Ivana Horvat" not in form
    )  # HR-MOD's people only (Ivana is HR-CERT)

    response = supervisor.post(
        f"/escalation/timers/{timer.pk}/phone-acknowledgement/", {"answered_by": officer.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/incidents/{incident.reference}/#message-1"
    assert f"recorded as acknowledged by {officer} of HR-MOD, by phone" in text(response)
    given = acknowledgement(incident, "HR-MOD")
    assert (
        given.method == "phone"
        and given.acknowledged_by == officer
        and "recorded by rs-mod-supervisor" in given.acknowledged_by_label
    )
    timer.refresh_from_db()
    assert timer.state == TimerState.ACKNOWLEDGED


def test_it_refuses_a_phone_acknowledgement_from_a_duty_officer_of_a_third_organisation(world):
    incident, timer = critical_report(to=("HR-MOD", "BA-MOD"))
    third = signed_in("ba-mod-duty")
    assert 'data-testid="phone-acknowledgement"' not in text(third.get(f"/incidents/{incident.reference}/"))

    response = third.post(
        f"/escalation/timers/{timer.pk}/phone-acknowledgement/", {"answered_by": person("hr-mod-duty").pk}
    )

    assert response.status_code == 403
    assert acknowledgement(incident, "HR-MOD").acknowledged_at is None
    assert AuditEntry.objects.filter(action="access.refused", actor="ba-mod-duty").exists()


def test_it_refuses_a_phone_acknowledgement_naming_someone_outside_the_recipient_organisation(world):
    incident, timer = critical_report()
    response = signed_in("hr-mod-supervisor").post(
        f"/escalation/timers/{timer.pk}/phone-acknowledgement/", {"answered_by": person("rs-mod-duty").pk}, follow=True
    )
    assert "not recorded. Select a valid choice." in text(response)
    assert acknowledgement(incident, "HR-MOD").acknowledged_at is None


# --- the policy editor -------------------------------------------------------------------------------------


def policy_form(levels: list[dict], *, repeat_every_minutes="15", repeat_count="", reply_within_hours="48") -> dict:
    """What the editor posts for these levels (seconds in, minutes out)."""
    data = {
        "levels-TOTAL_FORMS": str(len(levels) + 1),
        "levels-INITIAL_FORMS": str(len(levels)),
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "8",
        "repeat_every_minutes": repeat_every_minutes,
        "repeat_count": repeat_count,
        "reply_within_hours": reply_within_hours,
    }
    for number, level in enumerate(levels):
        prefix = f"levels-{number}-"
        data[prefix + "after_minutes"] = str(level["after_s"] / 60).removesuffix(".0")
        data[prefix + "targets"] = list(level["targets"])
        for method, delay in level["methods"].items():
            data[prefix + method] = "on"
            data[prefix + method + "_delay"] = str(delay // 60)
    data[f"levels-{len(levels)}-console_delay"] = "0"  # the blank level to add one, left blank
    return data


def test_it_shows_the_policies_to_everyone_signed_in(world):
    EscalationPolicy.objects.create(
        severity="high", levels=default_levels("high"), repeat_every_s=900, reply_within_s=48 * 3600
    )
    page = text(signed_in("hr-mod-duty").get("/escalation/policies/"))
    assert re.findall(r'data-policy="([^"]+)"', page) == ["critical", "high", "medium", "low"]
    assert 'Acknowledge within <strong data-testid="acknowledge-within">5 min</strong>' in page
    assert "built-in default" in page and ">Edit<" not in page


def test_it_saves_a_valid_policy_for_an_administrator(world):
    admin = signed_in("wbc-sec-admin")
    editor = text(admin.get("/escalation/policies/critical/"))
    assert 'name="levels-1-after_minutes" value="5"' in editor
    levels = default_levels("critical")
    levels[1]["after_s"] = 180  # acknowledge within 3 minutes

    response = admin.post("/escalation/policies/critical/", policy_form(levels), follow=True)

    assert response.redirect_chain == [("/escalation/policies/", 302)]
    assert "The critical policy is saved." in text(response)
    row = EscalationPolicy.objects.get(severity="critical", party_a=None)
    assert [level["after_s"] for level in row.levels] == [0, 180, 900, 1800]
    assert row.levels[1]["methods"] == {"console": 0, "email": 0, "sms": 0, "webhook": 0}
    assert row.repeat_count is None and row.repeat_every_s == 900 and row.updated_by_label == "wbc-sec-admin"
    entry = AuditEntry.objects.filter(action="escalation.policy_changed").get()
    assert entry.actor == "wbc-sec-admin"
    assert "3 min" in part(text(admin.get("/escalation/policies/")), "acknowledge-within")


def test_it_shows_why_a_policy_is_refused_and_keeps_what_was_typed(world):
    admin = signed_in("wbc-sec-admin")
    levels = default_levels("critical")
    levels[1]["after_s"] = 1200  # 20 minutes: after the supervisors' 15

    response = admin.post("/escalation/policies/critical/", policy_form(levels))

    assert response.status_code == 400
    assert "The waits must increase from level to level" in text(response)
    assert 'name="levels-1-after_minutes" value="20"' in text(response)
    assert not EscalationPolicy.objects.exists()
    assert not AuditEntry.objects.filter(action="escalation.policy_changed").exists()


def test_it_refuses_a_delay_not_shorter_than_its_level(world):
    levels = default_levels("critical")
    levels[1]["methods"]["sms"] = 600  # SMS after 10 minutes, when the supervisors are paged at 10 minutes
    response = signed_in("wbc-sec-admin").post("/escalation/policies/critical/", policy_form(levels))
    assert response.status_code == 400
    assert "Level 1: the sms delay (600 s) is not shorter than the level&#x27;s wait (600 s)" in text(response)
    assert not EscalationPolicy.objects.exists()


def test_it_overrides_a_pair_and_removes_the_override(world):
    admin = signed_in("wbc-sec-admin")
    chosen = admin.get(
        "/escalation/policies/override/", {"severity": "high", "first_party": "RS", "second_party": "HR"}
    )
    assert chosen.status_code == 302 and chosen["Location"] == "/escalation/policies/high/HR+RS/"
    assert "no override yet" in text(admin.get(chosen["Location"]))
    levels = default_levels("high")
    levels[1]["after_s"] = 600

    admin.post("/escalation/policies/high/HR+RS/", policy_form(levels))

    row = EscalationPolicy.objects.get(severity="high", party_a__code="HR", party_b__code="RS")
    assert row.levels[1]["after_s"] == 600
    listed = text(admin.get("/escalation/policies/"))
    assert 'data-policy="high/HR+RS"' in listed
    removed = admin.post("/escalation/policies/high/HR+RS/remove/", follow=True)
    assert "The override high/HR+RS is removed" in text(removed)
    assert not EscalationPolicy.objects.exists()
    assert AuditEntry.objects.filter(action="escalation.policy_removed").exists()


def test_it_refuses_an_override_of_a_party_with_itself(world):
    response = signed_in("wbc-sec-admin").get(
        "/escalation/policies/override/", {"severity": "high", "first_party": "RS", "second_party": "RS"}
    )
    assert response.status_code == 400 and "An override is for two different parties." in text(response)


def test_it_lets_only_commission_administrators_edit_policies(world):
    supervisor = signed_in("hr-mod-supervisor")
    assert supervisor.get("/escalation/policies/critical/").status_code == 403
    assert supervisor.post("/escalation/policies/critical/", policy_form(default_levels("critical"))).status_code == 403
    assert (
        supervisor.get(
            "/escalation/policies/override/", {"severity": "high", "first_party": "RS", "second_party": "HR"}
        ).status_code
        == 403
    )
    assert not EscalationPolicy.objects.exists()
