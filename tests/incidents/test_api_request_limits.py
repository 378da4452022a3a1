"""Requests over Django's limits (body size, number of fields, number of files) are refused before any
view runs; under /api/ the answer is still JSON with a stable code, never Django's HTML "Bad Request"."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.world import person
from tests.incidents.reports import report


def assert_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code


def test_a_body_over_the_upload_limit_gets_json_413_request_too_large(api_key_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api_key_client("RS-CERT").post("/api/v1/incidents/", data={"title": "x" * 4096})
    assert_json_error(response, 413, "request_too_large")


def test_too_many_form_fields_get_json_400_too_many_fields(api_key_client, settings):
    incident = report(person("rs-cert-duty"), to=("HR-CERT",))
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{number}": "1" for number in range(50)}
    response = api_key_client("RS-CERT").post(
        f"/api/v1/incidents/{incident.pk}/attachments/", data=fields, content_type=None
    )
    assert_json_error(response, 400, "too_many_fields")


def test_too_many_files_get_json_400_too_many_files(api_key_client, settings):
    incident = report(person("rs-cert-duty"), to=("HR-CERT",))
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"file{number}": SimpleUploadedFile(f"f{number}.txt", b"x") for number in range(5)}
    response = api_key_client("RS-CERT").post(
        f"/api/v1/incidents/{incident.pk}/attachments/", data=files, content_type=None
    )
    assert_json_error(response, 400, "too_many_files")
