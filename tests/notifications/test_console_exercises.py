"""The exercise pages of the console: the list with its compliance table, the form with its "why
notifiable" check, a notification with its versions, acknowledgements and observation invitations,
and the commission's policy. People sign in through the real login, second factor included."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from hotline.audit.models import AuditEntry
from incidents.notifications.actions import (
    do_acknowledge_exercise,
    do_amend_exercise,
    do_invite_observers,
    do_notify_exercise,
)
from incidents.notifications.models import (
    ExerciseAcknowledgement,
    ExerciseNotification,
    NotificationPolicy,
    ObservationReply,
)
from incidents.notifications.payloads import EXERCISE_FIELDS
from tests.accounts.world import build_demo_world, person
from tests.conftest import current_code, enrol_authenticator

NORTH_OF_BACKA_PALANKA = (19.39, 45.30)  # Serbia, about 5 km from the Danube (the Croatian border)
KRAGUJEVAC = (20.9, 44.0)  # Serbia, far from every other party's border
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


@pytest.fixture
def world(db):
    build_demo_world()


def signing_in():
    """`sign_in("hr-mod-duty")`: a client signed in as that person with password and authenticator
    code; one sign-in per person (an authenticator code works once)."""
    clients = {}

    def sign_in(username: str) -> Client:
        if username not in clients:
            user = person(username)
            device = enrol_authenticator(user)
            client = Client()
            assert client.post("/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
            assert client.post("/otp/verify/", {"token": current_code(device)}).status_code == 302
            clients[username] = client
        return clients[username]

    return sign_in


@pytest.fixture
def console(world):
    return signing_in()


def square(lon: float, lat: float, half_side_deg: float = 0.01) -> dict:
    d = half_side_deg
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
        ],
    }


def exercise(days_ahead: int = 60, **changes) -> dict:
    """Sava Shield: a Serbian brigade near the Danube, notified `days_ahead` days and a half before it
    starts (the half day keeps "late by N days", which rounds up, clear of the edge)."""
    starts_at = timezone.now() + timedelta(days=days_ahead, hours=12)
    return {
        "designation": "Sava Shield 2027",
        "exercise_type": "field_training",
        "purpose": "Brigade river-crossing drill.",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(days=5),
        "area": square(*NORTH_OF_BACKA_PALANKA),
        "place_names": "Bačka Palanka, Čelarevo",
        "command_level": "brigade",
        "troops": 1_800,
        "battle_tanks": 12,
        **changes,
    }


def notify(by: str = "rs-mod-duty", **changes) -> ExerciseNotification:
    return do_notify_exercise(person(by), exercise(**changes))


def local(moment) -> str:
    return timezone.localtime(moment).strftime(LOCAL_MINUTE)


def form_data(days_ahead: int = 60, of=None, **overrides) -> dict:
    """The form as a person fills it in (times in the deployment's zone, which the demo people keep):
    a new exercise, or what the amendment form shows of the version `of`."""
    values = exercise(days_ahead) if of is None else {field: getattr(of, field) for field in EXERCISE_FIELDS}
    data = {
        **{
            key: value
            for key, value in values.items()
            if key not in ("starts_at", "ends_at", "area") and value not in (False, None)
        },
        "starts_at": local(values["starts_at"]),
        "ends_at": local(values["ends_at"]),
        "area": json.dumps(values["area"]),
    }
    return {**data, **overrides}


def text(response) -> str:
    return response.content.decode()


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-exercise="([^"]+)"', page)


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]


def refused(what: str) -> bool:
    return any(what in entry.content["details"]["what"] for entry in AuditEntry.objects.filter(action="access.refused"))


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_notifications_newest_start_first_with_reasons_lateness_and_what_waits_on_us(console):
    sooner = notify(days_ahead=10, troops=400, battle_tanks=0, area=square(*KRAGUJEVAC))
    later = notify(days_ahead=90)
    page = text(console("hr-mod-duty").get("/notifications/exercises/"))
    assert rows(page) == [later.reference, sooner.reference]
    later_row, sooner_row = (
        page.split(f'data-exercise="{later.reference}"')[1],
        page.split(f'data-exercise="{sooner.reference}"')[1],
    )
    assert "troops, troops near a border" in later_row.split("</tr>")[0]
    assert "below every threshold" in sooner_row.split("</tr>")[0]
    assert "late by 32 days" in sooner_row.split("</tr>")[0] and "late by" not in later_row.split("</tr>")[0]
    assert 'class="countdown" data-due=' in later_row.split("</tr>")[0] and "Acknowledge" in later_row.split("</tr>")[0]
    assert 'href="/notifications/drone-flights/"' in page and 'href="/notifications/calendar/"' in page


def test_the_compliance_table_counts_each_partys_notifications_and_the_late_ones(console):
    notify(days_ahead=10)
    late_then_postponed = notify(days_ahead=20)
    do_amend_exercise(
        person("rs-mod-duty"),
        late_then_postponed,
        {"starts_at": timezone.now() + timedelta(days=100), "ends_at": timezone.now() + timedelta(days=105)},
        reason="Postponed.",
    )
    notify(days_ahead=60)
    notify(by="hr-mod-duty", days_ahead=50, area=square(15.98, 45.81))
    table = section(text(console("al-cert-duty").get("/notifications/exercises/")), "compliance")
    assert re.search(r'data-party="RS">.*?data-field="filed">3<.*?data-field="late">2<', table, re.S)
    assert re.search(r'data-party="HR">.*?data-field="filed">1<.*?data-field="late">0<', table, re.S)
    assert re.search(r'data-party="AL">.*?data-field="filed">0<', table, re.S)


def test_acknowledging_from_the_list_returns_to_the_list(console):
    notification = notify()
    client = console("hr-mod-duty")
    response = client.post(
        f"/notifications/exercises/{notification.reference}/acknowledge/", {"next": "/notifications/exercises/"}
    )
    assert response["Location"] == "/notifications/exercises/"
    assert not ExerciseAcknowledgement.objects.filter(organisation__code="HR-MOD", acknowledged_at=None).exists()
    page = text(client.get("/notifications/exercises/"))
    assert "acknowledged version 1" in page and 'class="countdown"' not in page


def test_observers_see_no_exercises(console):
    notification = notify()
    client = console("osce-cpc-duty")
    assert rows(text(client.get("/notifications/exercises/"))) == []
    assert client.get(f"/notifications/exercises/{notification.reference}/").status_code == 404
    assert client.post(f"/notifications/exercises/{notification.reference}/acknowledge/").status_code == 404
    assert client.get("/notifications/exercises/EX-2026-9999/").status_code == 404


def test_the_navigation_leads_to_the_notifications(console):
    assert '<a href="/notifications/exercises/">Notifications</a>' in text(console("hr-mod-duty").get("/directory/"))


# --- filing -----------------------------------------------------------------------------------------


def test_the_form_shows_the_thresholds_beside_the_vienna_documents_and_the_map_over_the_textarea(console):
    page = text(console("rs-mod-duty").get("/notifications/exercises/new/"))
    thresholds = section(page, "thresholds")
    assert re.search(
        r"<td>troops</td>\s*<td[^>]*><strong>1500</strong></td>\s*<td[^>]*>9000</td>\s*<td[^>]*>13000</td>", thresholds
    )
    assert "<strong>300</strong> within 15.0 km" in thresholds
    assert "<strong>42 days</strong>" in page
    assert 'data-notification-map data-borders-url="/notifications/borders.geojson" data-editor="#id_area"' in page
    assert page.index("data-notification-map") < page.index('<textarea name="area"')
    assert 'hx-post="/notifications/exercises/preview/"' in page


def test_a_duty_officer_files_an_exercise_through_the_form_and_is_told_why_it_is_notifiable(console):
    client = console("rs-mod-duty")
    response = client.post("/notifications/exercises/new/", form_data())
    notification = ExerciseNotification.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notifications/exercises/{notification.reference}/"
    version = notification.latest
    assert (
        version.troops == 1_800
        and version.area == square(*NORTH_OF_BACKA_PALANKA)
        and version.place_names == "Bačka Palanka, Čelarevo"
    )
    assert [reason["code"] for reason in version.notifiable_reasons] == ["troops", "troops_near_border"]
    page = text(client.get(response["Location"]))
    assert f"{notification.reference} notified. Notifiable because: 1,800 troops; the threshold is 1,500" in page
    reasons = page.split('data-testid="reasons"')[1].split("</dd>")[0]
    assert "1,800 troops; the threshold is 1,500" in reasons and "from the border of HR" in reasons
    near = page.split('data-testid="near-borders"')[1].split("</dd>")[0]
    assert "<strong>HR</strong>" in near and "km" in near and "Boundaries:" in near


def test_the_check_button_says_why_it_is_notifiable_whether_it_would_be_late_and_which_borders_are_near(console):
    client = console("rs-mod-duty")
    answer = client.post("/notifications/exercises/preview/", form_data(days_ahead=30), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and not ExerciseNotification.objects.exists()
    partial = text(answer)
    assert "<html" not in partial
    assert "Notifiable because:" in partial and "1,800 troops; the threshold is 1,500" in partial
    assert "Would be late by 12 days" in partial
    assert re.search(r"<strong>HR</strong> \(\d+\.\d km\)", partial)
    quiet = text(
        client.post(
            "/notifications/exercises/preview/",
            form_data(troops="200", battle_tanks="", area=json.dumps(square(*KRAGUJEVAC))),
            HTTP_HX_REQUEST="true",
        )
    )
    assert "Below every threshold" in quiet and "On time" in quiet and "No other party's border within 15.0 km" in quiet


def test_the_check_of_an_amendment_keeps_the_lateness_of_the_notice_it_amends_when_postponed(console):
    notification = notify(days_ahead=10)
    postponed = form_data(
        of=notification.latest,
        starts_at=local(timezone.now() + timedelta(days=100)),
        ends_at=local(timezone.now() + timedelta(days=101)),
        reference=notification.reference,
    )
    partial = text(console("rs-mod-duty").post("/notifications/exercises/preview/", postponed, HTTP_HX_REQUEST="true"))
    assert "Would be late by 32 days" in partial and not ExerciseNotification.objects.get().latest.number > 1
    assert console("hr-mod-duty").post("/notifications/exercises/preview/", postponed).status_code == 403


def test_the_check_without_javascript_shows_the_form_again_with_its_answer(console):
    page = text(
        console("rs-mod-duty").post("/notifications/exercises/preview/", form_data(designation="Kept as typed"))
    )
    assert "Notifiable because:" in page and 'value="Kept as typed"' in page and 'data-testid="exercise-form"' in page


def test_the_check_says_what_it_needs_first(console):
    partial = text(
        console("rs-mod-duty").post("/notifications/exercises/preview/", {"area": "{oops"}, HTTP_HX_REQUEST="true")
    )
    assert "To check, give:" in partial and "The area must be one GeoJSON Polygon" in partial


def test_the_check_reports_every_problem_at_once(console):
    starts = timezone.now() + timedelta(days=60)
    form = form_data(
        designation="",
        exercise_type="live_firing",
        ends_at=local(starts - timedelta(days=1)),
        starts_at=local(starts),
        troops="-5",
        area='{"type": "Polygon"} x',
    )
    partial = text(console("rs-mod-duty").post("/notifications/exercises/preview/", form, HTTP_HX_REQUEST="true"))
    problems = re.findall(r'<p class="error">([^<]*)</p>', partial)
    assert [problem.split(":")[0] for problem in problems] == [
        "Designation",
        "Ends (CET/CEST)",
        "Area (GeoJSON Polygon)",
        "Troops",
        "Live fire",
    ]
    assert "The exercise must end after it starts." in partial and "A live-firing exercise has live fire" in partial
    assert "A count cannot be negative" in partial and "something after the end of the geometry" in partial


def test_a_refused_form_lists_the_rules_problems_beside_the_forms_own_in_one_summary(console):
    page = text(
        console("rs-mod-duty").post(
            "/notifications/exercises/new/", form_data(designation="", exercise_type="live_firing")
        )
    )
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert "There are 2 problems" in summary
    assert 'href="#id_designation">Designation: This field is required.' in summary
    assert 'href="#id_live_fire">Live fire: A live-firing exercise has live fire: tick it.' in summary
    assert not ExerciseNotification.objects.exists()


def test_a_refused_form_says_what_is_wrong_next_to_the_field_and_keeps_what_was_typed(console):
    client = console("rs-mod-duty")
    response = client.post(
        "/notifications/exercises/new/", form_data(designation="Keep this designation", area="{not json")
    )
    page = text(response)
    assert response.status_code == 400
    assert (
        "The area must be one GeoJSON Polygon" in page
        and 'value="Keep this designation"' in page
        and "{not json</textarea>" in page
    )
    response = client.post(
        "/notifications/exercises/new/", form_data(exercise_type="live_firing", purpose="Keep this purpose")
    )
    page = text(response)
    assert response.status_code == 400
    field = page.split('name="live_fire"')[1].split("</div>")[0]
    assert "A live-firing exercise has live fire: tick it." in field
    assert "Keep this purpose</textarea>" in page and '<option value="live_firing" selected>' in page
    assert not ExerciseNotification.objects.exists()


def test_an_area_that_is_not_a_closed_polygon_is_refused_under_the_area(console):
    ring = [[19.3, 45.2], [19.4, 45.2], [19.4, 45.3], [19.3, 45.31]]
    page = text(
        console("rs-mod-duty").post(
            "/notifications/exercises/new/", form_data(area=json.dumps({"type": "Polygon", "coordinates": [ring]}))
        )
    )
    assert "the last position must repeat the first" in page.split('name="area"')[1].split("</div>")[0]


def test_an_area_with_longitude_and_latitude_swapped_is_refused_by_the_check_and_the_form(console):
    swapped = json.dumps(square(45.30, 19.39))  # north of Bačka Palanka as [latitude, longitude]
    client = console("rs-mod-duty")
    partial = text(client.post("/notifications/exercises/preview/", form_data(area=swapped), HTTP_HX_REQUEST="true"))
    assert "were they swapped?" in partial
    page = text(client.post("/notifications/exercises/new/", form_data(area=swapped)))
    assert "were they swapped?" in page.split('name="area"')[1].split("</div>")[0]
    assert not ExerciseNotification.objects.exists()


def test_the_commission_and_reviewers_may_not_file_and_the_refusal_is_recorded(console):
    for username in ("wbc-sec-duty", "wbc-sec-reviewer"):
        client = console(username)
        assert client.get("/notifications/exercises/new/").status_code == 403
        assert client.post("/notifications/exercises/new/", form_data()).status_code == 403
        assert "Notify an exercise" not in text(client.get("/notifications/exercises/"))
    assert refused("notify exercises")
    assert not ExerciseNotification.objects.exists()


# --- one notification -------------------------------------------------------------------------------


def test_the_page_shows_the_content_versions_and_each_recipients_acknowledgement(console):
    notification = notify()
    page = text(console("hr-mod-duty").get(f"/notifications/exercises/{notification.reference}/"))
    assert 'id="version-1"' in page and "Sava Shield 2027" in page and "Bačka Palanka, Čelarevo" in page
    assert re.search(
        r'data-organisation="HR-MOD" data-state="pending"[^>]*>\s*'
        r'HR-MOD: awaiting acknowledgement, <span class="countdown" data-due="',
        page,
    )
    assert 'data-organisation="WBC-SEC" data-state="pending"' in page
    assert "Acknowledge version 1" in page and "Amend" not in page and 'data-testid="cancel-form"' not in page
    assert (
        f'data-exercise="{notification.pk}"' in page
        and 'data-last-event-id="' in page
        and "static/notifications/exercises." in page
    )


def test_a_recipient_acknowledges_and_the_page_says_who_and_how(console):
    notification = notify()
    client = console("hr-mod-duty")
    response = client.post(f"/notifications/exercises/{notification.reference}/acknowledge/", {"version": 1})
    assert response["Location"] == f"/notifications/exercises/{notification.reference}/"
    page = text(client.get(response["Location"]))
    assert "HR-MOD acknowledged version 1" in page
    # The time with UTC beside it (console_time's local_and_utc).
    assert re.search(r"HR-MOD: acknowledged <time [^>]+>[^<]+ UTC</time> by hr-mod-duty \(Console\)", page)
    again = client.post(f"/notifications/exercises/{notification.reference}/acknowledge/", {"version": 1}, follow=True)
    assert "does not wait for HR-MOD" in text(again)


def test_the_notifying_organisation_amends_with_the_form_prefilled_and_the_page_shows_the_differences(console):
    notification = notify()
    client = console("rs-mod-duty")
    prefilled = text(client.get(f"/notifications/exercises/{notification.reference}/amend/"))
    assert (
        'value="Sava Shield 2027"' in prefilled
        and 'name="troops" value="1800"' in prefilled
        and 'name="reason"' in prefilled
    )
    response = client.post(
        f"/notifications/exercises/{notification.reference}/amend/",
        form_data(of=notification.latest, troops="2400", reason="A second battalion joins."),
    )
    assert response.status_code == 302 and response["Location"].endswith("#version-2")
    version = ExerciseNotification.objects.get().latest
    assert (version.number, version.kind, version.troops, version.reason) == (
        2,
        "amendment",
        2_400,
        "A second battalion joins.",
    )
    page = text(client.get(f"/notifications/exercises/{notification.reference}/"))
    assert "amended: version 2, 1 field changed" in page
    changes = page.split('id="version-2"')[1].split('data-testid="changes"')[1].split("</table>")[0]
    assert re.search(
        r'data-field="troops"><td>Troops</td><td class="before"><code>1,800</code></td>'
        r'<td>→</td><td class="after"><code>2,400</code>',
        changes,
    )
    assert "Reason: A second battalion joins." in page


def test_an_amendment_without_a_reason_or_without_a_change_is_refused_with_the_typed_values_kept(console):
    notification = notify()
    client = console("rs-mod-duty")
    page = text(
        client.post(
            f"/notifications/exercises/{notification.reference}/amend/",
            form_data(of=notification.latest, troops="2400"),
        )
    )
    assert "This field is required." in page.split('name="reason"')[1] and 'name="troops" value="2400"' in page
    page = text(
        client.post(
            f"/notifications/exercises/{notification.reference}/amend/",
            form_data(of=notification.latest, reason="Nothing really."),
        )
    )
    assert "The amendment changes nothing." in page
    assert ExerciseNotification.objects.get().latest.number == 1


def test_only_the_notifying_organisation_amends_cancels_and_invites(console):
    notification = notify()
    client = console("hr-mod-duty")
    assert client.get(f"/notifications/exercises/{notification.reference}/amend/").status_code == 403
    assert (
        client.post(f"/notifications/exercises/{notification.reference}/cancel/", {"reason": "No."}).status_code == 403
    )
    assert client.post(f"/notifications/exercises/{notification.reference}/invitations/", {}).status_code == 403
    assert refused(f"amend {notification.reference}") and refused(f"cancel {notification.reference}")
    assert not ExerciseNotification.objects.get().cancelled


def test_the_notifying_organisation_cancels_with_a_reason(console):
    notification = notify()
    client = console("rs-mod-duty")
    response = client.post(f"/notifications/exercises/{notification.reference}/cancel/", {"reason": ""})
    assert (
        response.status_code == 400
        and "This field is required." in text(response).split('data-testid="cancel-form"')[1]
    )
    response = client.post(
        f"/notifications/exercises/{notification.reference}/cancel/", {"reason": "Floods on the Danube."}
    )
    assert response["Location"].endswith("#version-2")
    notification.refresh_from_db()
    assert notification.cancelled and notification.latest.kind == "cancellation"
    page = text(client.get(f"/notifications/exercises/{notification.reference}/"))
    assert (
        '<strong class="danger" data-testid="state">cancelled</strong>' in page
        and "Reason: Floods on the Danube." in page
    )
    assert 'data-testid="cancel-form"' not in page and "/amend/" not in page
    hr_list = text(console("hr-mod-duty").get("/notifications/exercises/"))
    assert (
        '<strong class="danger">cancelled</strong>' in hr_list and 'class="state-cancelled">Sava Shield 2027' in hr_list
    )
    assert (
        client.get(f"/notifications/exercises/{notification.reference}/amend/", follow=True)
        .redirect_chain[-1][0]
        .endswith(f"{notification.reference}/")
    )


def invitation_data(**overrides) -> dict:
    starts_at = timezone.now() + timedelta(days=61)
    return {
        "starts_at": local(starts_at),
        "ends_at": local(starts_at + timedelta(days=1)),
        "reporting_point": "Novi Sad, Petrovaradin barracks, 07:00",
        "observers_per_party": "2",
        "reply_by": local(timezone.now() + timedelta(days=30)),
        "details": "",
        **overrides,
    }


def test_the_notifying_organisation_invites_observers_and_an_invited_party_accepts_naming_them(console):
    notification = notify()
    rs = console("rs-mod-duty")
    response = rs.post(f"/notifications/exercises/{notification.reference}/invitations/", invitation_data())
    invitation = notification.invitations.get()
    assert response["Location"] == f"/notifications/exercises/{notification.reference}/#invitation-{invitation.pk}"
    hr = console("hr-mod-duty")
    page = text(hr.get(f"/notifications/exercises/{notification.reference}/"))
    assert "Novi Sad, Petrovaradin barracks, 07:00" in page and 'data-testid="reply-form"' in page
    response = hr.post(
        f"/notifications/invitations/{invitation.pk}/reply/",
        {"answer": "accepted", "observers": "Ivana Horvat\n\nLuka Babić\n"},
    )
    assert response.status_code == 302
    reply = ObservationReply.objects.get()
    assert (reply.organisation.code, reply.answer, reply.observers) == (
        "HR-MOD",
        "accepted",
        ["Ivana Horvat", "Luka Babić"],
    )
    replies = section(text(rs.get(f"/notifications/exercises/{notification.reference}/")), "replies")
    assert "HR-MOD" in replies and "Accepted" in replies and "Ivana Horvat, Luka Babić" in replies


def test_a_refused_reply_or_invitation_says_why_and_keeps_what_was_typed(console):
    notification = notify()
    page = text(
        console("rs-mod-duty").post(
            f"/notifications/exercises/{notification.reference}/invitations/",
            invitation_data(reply_by=local(timezone.now() + timedelta(days=70)), reporting_point="Keep me"),
        )
    )
    assert "Replies are due before the observation starts." in page and 'value="Keep me"' in page
    invitation = do_invite_observers(
        person("rs-mod-duty"),
        notification,
        starts_at=timezone.now() + timedelta(days=61),
        ends_at=timezone.now() + timedelta(days=62),
        reporting_point="Novi Sad",
        observers_per_party=1,
        reply_by=timezone.now() + timedelta(days=30),
    )
    response = console("hr-mod-duty").post(
        f"/notifications/invitations/{invitation.pk}/reply/", {"answer": "accepted", "observers": "One\nTwo"}
    )
    assert response.status_code == 400
    form = text(response).split('data-testid="reply-form"')[1].split("</form>")[0]
    assert "At most 1 observers" in form and "One\nTwo</textarea>" in form
    assert not ObservationReply.objects.exists()


def test_only_invited_organisations_reply_and_only_until_the_reply_by_date(console):
    notification = notify()
    invitation = do_invite_observers(
        person("rs-mod-duty"),
        notification,
        starts_at=timezone.now() + timedelta(days=61),
        ends_at=timezone.now() + timedelta(days=62),
        reporting_point="Novi Sad",
        observers_per_party=2,
        reply_by=timezone.now() + timedelta(days=30),
    )
    commission = console("wbc-sec-duty")
    assert 'data-testid="reply-form"' not in text(commission.get(f"/notifications/exercises/{notification.reference}/"))
    assert (
        commission.post(f"/notifications/invitations/{invitation.pk}/reply/", {"answer": "declined"}).status_code == 403
    )
    assert (
        console("osce-cpc-duty")
        .post(f"/notifications/invitations/{invitation.pk}/reply/", {"answer": "declined"})
        .status_code
        == 404
    )
    soon = do_invite_observers(
        person("rs-mod-duty"),
        notification,
        starts_at=timezone.now() + timedelta(days=61),
        ends_at=timezone.now() + timedelta(days=62),
        reporting_point="Novi Sad",
        observers_per_party=2,
        reply_by=timezone.now() + timedelta(seconds=30),
    )
    hr = console("hr-mod-duty")
    assert f'action="/notifications/invitations/{soon.pk}/reply/"' in text(
        hr.get(f"/notifications/exercises/{notification.reference}/")
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert f'action="/notifications/invitations/{soon.pk}/reply/"' not in text(
            hr.get(f"/notifications/exercises/{notification.reference}/")
        )
        late = hr.post(f"/notifications/invitations/{soon.pk}/reply/", {"answer": "declined"})
    assert late.status_code == 400 and "Replies were due by" in text(late)
    assert not ObservationReply.objects.exists()


def test_a_later_version_waits_for_acknowledgement_again_and_the_notice_shows_who_is_pending(console):
    notification = notify()
    do_acknowledge_exercise(person("hr-mod-duty"), notification)
    do_amend_exercise(person("rs-mod-duty"), notification, {"troops": 2_000}, reason="More troops.")
    page = text(console("hr-mod-duty").get(f"/notifications/exercises/{notification.reference}/"))
    first, second = page.split('id="version-2"')
    assert 'data-organisation="HR-MOD" data-state="given"' in first
    assert 'data-organisation="HR-MOD" data-state="pending"' in second and "Acknowledge version 2" in second


# --- the policy -------------------------------------------------------------------------------------


def test_everyone_signed_in_reads_the_policy_beside_the_vienna_documents_figures(console):
    page = text(console("osce-cpc-duty").get("/notifications/policy/"))
    assert re.search(
        r"<td>battle tanks</td>\s*<td[^>]*><strong>25</strong></td>\s*<td[^>]*>250</td>\s*<td[^>]*>300</td>", page
    )
    assert "<strong>42 days</strong>" in page and "<strong>72 h</strong>" in page and "<strong>25.0 km</strong>" in page
    assert 'data-testid="policy-form"' not in page


def test_a_commission_administrator_changes_the_policy_and_refused_input_keeps_what_was_typed(console):
    client = console("wbc-sec-admin")
    form = {
        **NotificationPolicy().snapshot(),
        "troops": 1200,
        "exercise_notice_days": 30,
        "armed_drone_live_fire": "on",
    }
    refusal = client.post("/notifications/policy/", {**form, "border_distance_m": 0, "troops": 1234})
    assert refusal.status_code == 400
    field = text(refusal).split('name="border_distance_m"')[1].split("</div>")[0]
    assert "Ensure this value is greater than or equal to 1." in field and 'name="troops" value="1234"' in text(refusal)
    assert NotificationPolicy.current().troops == 1500
    response = client.post("/notifications/policy/", form)
    assert response.status_code == 302
    assert (NotificationPolicy.current().troops, NotificationPolicy.current().exercise_notice_days) == (1200, 30)
    page = text(client.get("/notifications/policy/"))
    assert "<strong>1200</strong>" in page and "by wbc-sec-admin" in page
    assert AuditEntry.objects.filter(action="notification_policy.changed").count() == 1


def test_a_duty_officer_may_not_change_the_policy_and_the_refusal_is_recorded(console):
    client = console("rs-mod-duty")
    assert client.post("/notifications/policy/", {**NotificationPolicy().snapshot(), "troops": 1}).status_code == 403
    assert refused("set the notification policy")
    assert NotificationPolicy.current().troops == 1500


# --- what no textarea may hold -------------------------------------------------------------------------

HOSTILE_AREAS = {
    "[" * 100_000: "nested more than 64 deep",
    '{"type": "Polygon", "coordinates": [[[' + "1" * 5_000 + ", 45]]]}": "longer than",
    json.dumps(square(-170, -52)): "outside the region",
}


@pytest.mark.parametrize("area", HOSTILE_AREAS, ids=["deep", "5000-digits", "antipode"])
def test_an_area_too_deep_with_an_absurd_number_or_outside_the_region_is_refused_by_the_check_and_the_form(
    console, area
):
    client = console("rs-mod-duty")
    check = client.post("/notifications/exercises/preview/", form_data(area=area), HTTP_HX_REQUEST="true")
    assert check.status_code == 200 and HOSTILE_AREAS[area] in text(check)
    page = client.post("/notifications/exercises/new/", form_data(area=area))
    assert page.status_code == 400
    assert HOSTILE_AREAS[area] in text(page).split('name="area"')[1].split("</div>")[0]
    assert not ExerciseNotification.objects.exists()
