"""The incident pages of the console: list, new-incident form, incident with its thread, attachments."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hotline.audit.models import AuditEntry
from hotline.realtime.outbox import last_event_id
from incidents.actions import do_add_attachment, do_post_message
from incidents.models import Acknowledgement, Incident
from tests.accounts.world import build_demo_world, person
from tests.incidents.reports import report


@pytest.fixture
def world(db, settings, tmp_path):
    settings.OTP_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path
    build_demo_world()


def signed_in(client, username):
    client.force_login(person(username))
    return client


def listed(page: str) -> list[str]:
    return re.findall(r'<tr data-incident="([^"]+)"', page)


def text(response) -> str:
    return response.content.decode()


def new_incident_form(**overrides) -> dict:
    return {
        "organisations": ["HR-MOD"],
        "title": "Drone over the Batrovci crossing",
        "summary": "Seen at 03:10, heading west.",
        "category": "drone",
        "severity": "high",
        "tlp": "AMBER",
        "occurred_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        **overrides,
    }


# --- the list -------------------------------------------------------------------------------------


def test_it_lists_the_incidents_a_duty_officer_may_see_with_tlp_badges_and_what_waits_pinned(world, client):
    mine = report(person("rs-mod-duty"), ["HR-MOD"], tlp="RED", title="Jamming near Šid")
    others = report(person("al-cert-duty"), ["ME-CERT"], title="Not for Croatia")
    page = text(signed_in(client, "hr-mod-duty").get("/incidents/"))
    assert listed(page) == [mine.reference]
    assert others.reference not in page
    assert 'class="tlp tlp-RED"' in page and "TLP:RED" in page
    pinned = page.split('data-testid="awaiting"')[1].split("</section>")[0]
    assert f"{mine.reference} · message 1" in pinned and "Acknowledge" in pinned and "data-due=" in pinned


def test_it_renders_the_last_event_id_the_live_channel_resumes_from(world, client):
    report(person("rs-mod-duty"), ["HR-MOD"])
    hr_mod = person("hr-mod-duty")
    page = text(signed_in(client, "hr-mod-duty").get("/incidents/"))
    assert f'data-last-event-id="{last_event_id(hr_mod.organisation_id)}"' in page
    assert last_event_id(hr_mod.organisation_id) > 0


def test_the_list_filters_by_status_category_severity_tlp_and_exercise(world, client):
    rs = person("rs-mod-duty")
    drill = report(rs, ["HR-MOD"], exercise=True, category="cyber", severity="low", tlp="GREEN")
    real = report(rs, ["HR-MOD"], category="drone", severity="critical", tlp="RED")
    client = signed_in(client, "hr-mod-duty")
    assert listed(text(client.get("/incidents/?exercise=yes"))) == [drill.reference]
    assert listed(text(client.get("/incidents/?exercise=no"))) == [real.reference]
    assert listed(text(client.get("/incidents/?category=cyber"))) == [drill.reference]
    assert listed(text(client.get("/incidents/?severity=critical"))) == [real.reference]
    assert listed(text(client.get("/incidents/?tlp=GREEN"))) == [drill.reference]
    assert listed(text(client.get("/incidents/?status=closed"))) == []


def test_the_list_takes_the_apis_words_for_the_exercise_filter_too(world, client):
    rs = person("rs-mod-duty")
    drill = report(rs, ["HR-MOD"], exercise=True)
    real = report(rs, ["HR-MOD"])
    client = signed_in(client, "hr-mod-duty")
    assert listed(text(client.get("/incidents/?exercise=true"))) == [drill.reference]
    assert listed(text(client.get("/incidents/?exercise=false"))) == [real.reference]
    assert '<option value="yes" selected>' in text(client.get("/incidents/?exercise=true"))


def test_the_navigation_leads_to_the_incidents(world, client):
    page = text(signed_in(client, "hr-mod-duty").get("/directory/"))
    assert '<a href="/incidents/">Incidents</a>' in page


# --- reporting ------------------------------------------------------------------------------------


def test_a_duty_officer_reports_an_incident_through_the_form(world, client):
    client = signed_in(client, "rs-mod-duty")
    response = client.post(
        "/incidents/new/", new_incident_form(parties=["HR"], location='{"type": "Point", "coordinates": [19.1, 45.8]}')
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.reference}/"
    assert sorted(incident.recipients.values_list("code", flat=True)) == ["HR-CERT", "HR-MOD"]
    assert incident.location == {"type": "Point", "coordinates": [19.1, 45.8]}
    page = text(client.get(response["Location"]))
    assert "Drone over the Batrovci crossing" in page and "reported to HR-CERT, HR-MOD" in page


def test_the_time_of_occurrence_is_read_in_the_persons_time_zone_and_stored_in_utc(world, client):
    officer = person("rs-mod-duty")
    officer.time_zone = "Asia/Tokyo"
    officer.save(update_fields=["time_zone"])
    signed_in(client, "rs-mod-duty").post("/incidents/new/", new_incident_form(occurred_at="2025-01-10T09:30"))
    assert Incident.objects.get().occurred_at.isoformat() == "2025-01-10T00:30:00+00:00"


def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(world, client):
    form = new_incident_form(
        organisations=[], title="Keep this title", location="{not json", occurred_at="2999-01-01T10:00"
    )
    response = signed_in(client, "rs-mod-duty").post("/incidents/new/", form)
    page = text(response)
    assert response.status_code == 400
    assert "Choose at least one party or organisation to report to." in page
    assert "The location must be one GeoJSON geometry, a Point or a Polygon" in page
    assert "(a name in double quotes was expected (is a comma extra?), line 1, column 2)" in page
    assert "An incident cannot have occurred in the future." in page
    assert 'value="Keep this title"' in page and "Seen at 03:10, heading west." in page
    assert not Incident.objects.exists()


def test_the_form_refuses_a_polygon_that_is_not_closed(world, client):
    polygon = '{"type": "Polygon", "coordinates": [[[19, 45], [19.1, 45], [19.1, 45.1], [19, 45.2]]]}'
    page = text(signed_in(client, "rs-mod-duty").post("/incidents/new/", new_incident_form(location=polygon)))
    assert "the last position must repeat the first" in page


def test_a_reviewer_may_not_report_and_the_refusal_is_recorded(world, client):
    response = signed_in(client, "wbc-sec-reviewer").get("/incidents/new/")
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="access.refused").exists()
    assert "Report an incident" not in text(client.get("/incidents/"))


# --- one incident ---------------------------------------------------------------------------------


def test_the_incident_page_shows_the_thread_and_the_recipient_acknowledges(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    client = signed_in(client, "hr-mod-duty")
    page = text(client.get(f"/incidents/{incident.reference}/"))
    assert 'data-testid="message"' in page and "Seen from the Batrovci crossing at 03:10." in page
    assert "awaiting acknowledgement" in page
    response = client.post(f"/incidents/{incident.reference}/acknowledge/", {"message": 1})
    assert response.status_code == 302
    acknowledgement = Acknowledgement.objects.get(message__incident=incident, organisation__code="HR-MOD")
    assert acknowledgement.method == "console" and acknowledgement.acknowledged_by_label == "hr-mod-duty"
    page = text(client.get(f"/incidents/{incident.reference}/"))
    assert "HR-MOD: acknowledged" in page and "acknowledged message 1" in page


def test_one_click_acknowledgement_from_the_list_returns_to_the_list(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    client = signed_in(client, "hr-mod-duty")
    response = client.post(
        f"/incidents/{incident.reference}/acknowledge/", {"message": 1, "next": "/incidents/?status=open"}
    )
    assert response["Location"] == "/incidents/?status=open"
    assert 'data-testid="awaiting" hidden' in text(client.get("/incidents/"))
    evil = client.post(f"/incidents/{incident.reference}/acknowledge/", {"next": "https://evil.example/"})
    assert evil["Location"] == f"/incidents/{incident.reference}/"


def test_the_composer_posts_a_request_for_assistance_and_keeps_the_text_on_error(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    client = signed_in(client, "hr-mod-duty")
    bad = client.post(
        f"/incidents/{incident.reference}/messages/",
        {"kind": "note", "body": "Keep me", "reply_by": "2030-01-01T10:00"},
    )
    assert bad.status_code == 400
    assert "Only a request for assistance has a reply-by deadline." in text(bad) and "Keep me" in text(bad)
    client.post(
        f"/incidents/{incident.reference}/messages/", {"kind": "request_for_assistance", "body": "Need radar tracks."}
    )
    message = incident.messages.get(number=2)
    assert message.requires_ack and message.reply_by is not None
    assert Acknowledgement.objects.filter(message=message, organisation__code="RS-MOD", acknowledged_at=None).exists()


def test_message_text_is_escaped(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    do_post_message(person("rs-mod-duty"), incident, kind="note", body="<script>alert(1)</script>")
    page = text(signed_in(client, "hr-mod-duty").get(f"/incidents/{incident.reference}/"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_only_the_originator_changes_status_and_tlp(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    hr = signed_in(client, "hr-mod-duty")
    assert "Change status" not in text(hr.get(f"/incidents/{incident.reference}/"))
    assert hr.post(f"/incidents/{incident.reference}/status/", {"status": "closed"}).status_code == 403
    rs = signed_in(client, "rs-mod-duty")
    rs.post(f"/incidents/{incident.reference}/status/", {"status": "monitoring"})
    rs.post(f"/incidents/{incident.reference}/tlp/", {"tlp": "GREEN"})
    incident.refresh_from_db()
    assert (incident.status, incident.tlp) == ("monitoring", "GREEN")
    assert "TLP changed from TLP:AMBER to TLP:GREEN." in text(rs.get(f"/incidents/{incident.reference}/"))


def test_reading_a_red_incident_is_recorded(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"], tlp="RED")
    signed_in(client, "hr-mod-duty").get(f"/incidents/{incident.reference}/")
    assert AuditEntry.objects.filter(action="incident.red_read").count() == 1


def test_the_reviewer_sees_the_metadata_of_a_red_incident_and_content_withheld(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"], tlp="RED", title="Secret title")
    client = signed_in(client, "wbc-sec-reviewer")
    page = text(client.get(f"/incidents/{incident.reference}/"))
    assert "content withheld (TLP:RED)" in page
    assert "Secret title" not in page and "Batrovci" not in page
    assert "HR-MOD: awaiting acknowledgement" in page
    assert "Post to the thread" not in page
    assert "content withheld (TLP:RED)" in text(client.get("/incidents/"))
    assert not AuditEntry.objects.filter(action="incident.red_read").exists()


def test_an_exercise_incident_carries_the_exercise_banner_and_badge(world, client):
    drill = report(person("rs-mod-duty"), ["HR-MOD"], exercise=True)
    client = signed_in(client, "hr-mod-duty")
    assert 'data-testid="exercise-banner"' in text(client.get(f"/incidents/{drill.reference}/"))
    assert 'data-testid="exercise-badge"' in text(client.get("/incidents/"))
    real = report(person("rs-mod-duty"), ["HR-MOD"])
    assert "exercise-banner" not in text(client.get(f"/incidents/{real.reference}/"))


# --- red incidents and attachments of other parties -----------------------------------------------


def test_a_party_not_addressed_gets_404_for_a_red_incident_and_its_attachment(world, client):
    rs = person("rs-mod-duty")
    incident = report(rs, ["HR-MOD"], tlp="RED")
    attachment = do_add_attachment(
        rs, incident, SimpleUploadedFile("tracks.csv", b"lat,lon\n45.1,19.2\n", content_type="text/csv")
    )
    client = signed_in(client, "al-cert-duty")
    assert client.get(f"/incidents/{incident.reference}/").status_code == 404
    assert client.get(f"/incidents/{incident.reference}/attachments/{attachment.pk}/").status_code == 404
    assert client.post(f"/incidents/{incident.reference}/acknowledge/").status_code == 404
    assert client.post(f"/incidents/{incident.reference}/messages/", {"kind": "note", "body": "hi"}).status_code == 404
    assert incident.reference not in text(client.get("/incidents/"))


def test_the_commission_cannot_download_a_red_attachment(world, client):
    rs = person("rs-mod-duty")
    incident = report(rs, ["HR-MOD"], tlp="RED")
    attachment = do_add_attachment(
        rs, incident, SimpleUploadedFile("tracks.csv", b"lat,lon\n", content_type="text/csv")
    )
    assert (
        signed_in(client, "wbc-sec-reviewer")
        .get(f"/incidents/{incident.reference}/attachments/{attachment.pk}/")
        .status_code
        == 404
    )


def test_a_recipient_uploads_and_downloads_an_attachment_and_the_download_is_recorded(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    client = signed_in(client, "hr-mod-duty")
    upload = SimpleUploadedFile("radar.txt", b"track 1: 45.1N 19.2E\n", content_type="text/plain")
    response = client.post(f"/incidents/{incident.reference}/attachments/", {"file": upload})
    assert response.status_code == 302
    attachment = incident.attachments.get()
    page = text(client.get(f"/incidents/{incident.reference}/"))
    assert "radar.txt" in page and attachment.sha256 in page
    download = client.get(f"/incidents/{incident.reference}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="radar.txt"'
    assert b"".join(download.streaming_content) == b"track 1: 45.1N 19.2E\n"
    assert AuditEntry.objects.filter(action="incident.attachment_downloaded").count() == 1


def test_an_attachment_of_a_refused_type_gets_a_readable_error(world, client):
    incident = report(person("rs-mod-duty"), ["HR-MOD"])
    client = signed_in(client, "hr-mod-duty")
    response = client.post(
        f"/incidents/{incident.reference}/attachments/", {"file": SimpleUploadedFile("run.exe", b"MZ")}
    )
    assert response.status_code == 400
    assert "Files of type .exe are not accepted" in text(response)
    assert not incident.attachments.exists()
    # Said once at the top of the page, as every console form says its problems, with a link to the field.
    summary = text(response).split('data-testid="error-summary"')[1].split("</div>")[0]
    assert "There is 1 problem" in summary and 'href="#id_file"' in summary


@pytest.mark.parametrize(
    "location, says",
    [
        ("[" * 100_000, "nested more than 64 deep"),
        ('{"type": "Point", "coordinates": [' + "1" * 5_000 + ", 45]}", "longer than"),
        ('{"type": "Point", "coordinates": [19.1, 45.' + "1" * 5_000 + "]}", "longer than"),
        ('{"type": "Point", "coordinates": [-170, -52]}', "outside the region"),
    ],
    ids=["deep", "5000-digit-int", "5000-digit-float", "antipode"],
)
def test_a_location_too_deep_with_an_absurd_number_or_outside_the_region_is_refused_in_words(
    world, client, location, says
):
    response = signed_in(client, "rs-mod-duty").post("/incidents/new/", new_incident_form(location=location))
    assert response.status_code == 400 and says in text(response)
    assert not Incident.objects.exists()
