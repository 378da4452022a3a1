"""Incident content never lingers in a browser's or proxy's cache: pages, API answers and downloads are
`Cache-Control: no-store`; static files keep their caching; every answer names the browser features no
page of ours uses (Permissions-Policy)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static

from incidents.actions import do_add_attachment
from tests.accounts.world import person
from tests.incidents.reports import report


def test_incident_pages_api_answers_and_downloads_are_not_stored(api_key_client, api_person_client):
    incident = report(person("rs-cert-duty"), to=("HR-CERT",), tlp="RED")
    attachment = do_add_attachment(
        person("rs-cert-duty"), incident, SimpleUploadedFile("log.txt", b"RED log"), message_number=None
    )
    console = api_person_client("hr-cert-duty")
    api = api_key_client("HR-CERT")
    answers = {
        "incident page": console.get(f"/incidents/{incident.reference}/"),
        "incident list": console.get("/incidents/"),
        "API detail": api.get(f"/api/v1/incidents/{incident.pk}/"),
        "download": api.get(f"/api/v1/incidents/{incident.pk}/attachments/{attachment.pk}/"),
    }
    for what, response in answers.items():
        assert response.status_code == 200, what
        assert response["Cache-Control"] == "no-store", what
        assert "camera=()" in response["Permissions-Policy"], what
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", what


def test_static_files_keep_their_caching(client):
    response = client.get(static("console/console.js"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_that_chose_its_caching_keeps_it(api_person_client):
    response = api_person_client("hr-mod-duty").get("/notifications/borders.geojson")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
