"""Reporting incidents, posting to threads, acknowledging, changing and attaching through the API."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import ApiScope
from hotline.audit.models import AuditEntry
from incidents.models import Acknowledgement, Incident, Message

INCIDENTS = "/api/v1/incidents/"


def new_incident(**overrides) -> dict:
    return {
        "title": "DDoS on the e-government portal",
        "summary": "Volumetric attack since 07:50 UTC.",
        "category": "cyber",
        "severity": "high",
        "tlp": "AMBER",
        "recipients": ["HR-CERT", "HR-MOD"],
        "occurred_at": (timezone.now() - timedelta(minutes=15)).isoformat(),
        "exercise": False,
        **overrides,
    }


def test_a_cert_key_reports_an_incident_and_gets_it_back_with_its_thread(api_key_client):
    rs_cert = api_key_client("RS-CERT")
    response = rs_cert.post(INCIDENTS, new_incident())
    assert response.status_code == 201, response.json()
    incident = response.json()
    assert incident["reference"] == f"HL-{timezone.now().year}-00001"
    assert response["Location"] == f"{INCIDENTS}{incident['id']}/"
    assert (incident["originator"], incident["recipients"], incident["tlp"], incident["exercise"]) == (
        "RS-CERT",
        ["HR-CERT", "HR-MOD"],
        "AMBER",
        False,
    )
    assert (incident["title"], incident["content_withheld"]) == ("DDoS on the e-government portal", False)
    [report] = incident["messages"]
    author = f"api-key:{rs_cert.key.prefix}"
    assert (report["number"], report["kind"], report["author"], report["requires_ack"]) == (
        1,
        "information",
        author,
        True,
    )
    assert {ack["organisation"] for ack in report["acknowledgements"]} == {"HR-CERT", "HR-MOD"}
    assert incident["attachments"] == []


def test_recipients_named_by_party_code_expand_to_the_partys_organisations(api_key_client):
    response = api_key_client("RS-CERT").post(INCIDENTS, new_incident(recipients=["hr", "BA-CERT"]))
    assert response.status_code == 201
    assert response.json()["recipients"] == ["BA-CERT", "HR-CERT", "HR-MOD"]


def test_a_location_is_kept_as_a_geojson_point(api_key_client):
    point = {"type": "Point", "coordinates": [19.1, 44.75]}
    response = api_key_client("RS-MOD").post(INCIDENTS, new_incident(category="drone", location=point))
    assert response.json()["location"] == point


def test_validation_errors_are_json_with_a_code_and_the_refused_fields(api_key_client):
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    body = new_incident(title="", category="Cyber", severity="urgent", tlp="amber", occurred_at=future)
    del body["summary"]
    response = api_key_client("RS-CERT").post(INCIDENTS, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"title", "summary", "category", "severity", "tlp", "occurred_at"}
    assert Incident.objects.count() == 0


def test_a_title_over_200_characters_and_a_bad_location_are_refused(api_key_client):
    body = new_incident(title="x" * 201, location={"type": "Point", "coordinates": [200, 45]})
    response = api_key_client("RS-CERT").post(INCIDENTS, body)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title", "location"}
    assert "longitude" in response.json()["fields"]["location"][0]


def test_an_unknown_recipient_is_named_in_the_error(api_key_client):
    response = api_key_client("RS-CERT").post(INCIDENTS, new_incident(recipients=["HR-CERT", "XX-NOPE"]))
    assert response.status_code == 400
    assert "XX-NOPE" in response.json()["fields"]["recipients"][0]


def test_an_observer_cannot_be_a_recipient(api_key_client):
    response = api_key_client("RS-CERT").post(INCIDENTS, new_incident(recipients=["HR-CERT", "OSCE"]))
    assert response.status_code == 400
    assert "OSCE" in response.json()["fields"]["recipients"][0]


def test_an_incident_for_nobody_but_the_reporter_is_refused(api_key_client):
    response = api_key_client("RS-CERT").post(INCIDENTS, new_incident(recipients=["RS-CERT"]))
    assert response.status_code == 400
    assert "recipients" in response.json()["fields"]


def test_a_body_that_is_not_json_gets_a_json_error(api_key_client):
    response = api_key_client("RS-CERT").post(INCIDENTS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_key_without_the_write_scope_reads_but_may_not_report(api_key_client):
    reader = api_key_client("RS-CERT", scopes=[ApiScope.INCIDENTS_READ])
    assert reader.get(INCIDENTS).status_code == 200
    response = reader.post(INCIDENTS, new_incident())
    assert (response.status_code, response.json()["code"]) == (403, "missing_scope")


def test_an_observer_key_may_not_report(api_key_client):
    response = api_key_client("OSCE-CPC").post(INCIDENTS, new_incident())
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_a_commission_reviewer_may_read_but_not_report(api_person_client):
    reviewer = api_person_client("wbc-sec-reviewer")
    assert reviewer.get(INCIDENTS).status_code == 200
    response = reviewer.post(INCIDENTS, new_incident(), content_type="application/json")
    assert response.status_code == 403


def test_a_recipient_key_posts_to_the_thread_and_a_request_for_assistance_waits_on_the_others(
    api_key_client, api_report
):
    incident = api_report(by="rs-cert-duty", to=["HR-CERT", "HR-MOD"])
    hr_cert = api_key_client("HR-CERT")
    response = hr_cert.post(
        f"{INCIDENTS}{incident.pk}/messages/",
        {"body": "Please block 198.51.100.0/24.", "kind": "request_for_assistance"},
    )
    assert response.status_code == 201, response.json()
    message = response.json()
    assert (message["number"], message["kind"], message["organisation"], message["requires_ack"]) == (
        2,
        "request_for_assistance",
        "HR-CERT",
        True,
    )
    assert message["reply_by"] is not None
    assert {ack["organisation"] for ack in message["acknowledgements"]} == {"RS-CERT", "HR-MOD"}
    thread = hr_cert.get(f"{INCIDENTS}{incident.pk}/messages/").json()
    assert [(m["number"], m["body"]) for m in thread] == [
        (1, "Spear-phishing with a fake tender notice."),
        (2, "Please block 198.51.100.0/24."),
    ]


def test_a_message_needs_a_body_and_a_kind_a_client_may_post(api_key_client, api_report):
    incident = api_report()
    response = api_key_client("HR-CERT").post(f"{INCIDENTS}{incident.pk}/messages/", {"body": "", "kind": "system"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"body", "kind"}


def test_only_a_request_for_assistance_has_a_reply_by_deadline(api_key_client, api_report):
    incident = api_report()
    reply_by = (timezone.now() + timedelta(hours=2)).isoformat()
    response = api_key_client("HR-CERT").post(
        f"{INCIDENTS}{incident.pk}/messages/", {"body": "FYI", "kind": "note", "reply_by": reply_by}
    )
    assert response.status_code == 400
    assert "reply_by" in response.json()["fields"]


def test_an_organisation_that_sees_but_does_not_take_part_may_not_post(api_key_client, api_report):
    incident = api_report(tlp="GREEN")
    response = api_key_client("WBC-SEC").post(f"{INCIDENTS}{incident.pk}/messages/", {"body": "Noted.", "kind": "note"})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert AuditEntry.objects.filter(action="access.refused").exists()


def test_an_api_acknowledgement_is_recorded_as_given_through_the_api_and_a_second_one_acknowledges_nothing(
    api_key_client, api_report
):
    incident = api_report(to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    response = hr_cert.post(f"{INCIDENTS}{incident.pk}/acknowledge/", {})
    assert response.status_code == 200
    [message] = response.json()["acknowledged"]
    [ack] = message["acknowledgements"]
    assert (message["number"], ack["organisation"], ack["method"], ack["acknowledged_by"]) == (
        1,
        "HR-CERT",
        "api",
        f"api-key:{hr_cert.key.prefix}",
    )
    assert Acknowledgement.objects.get().method == "api"
    again = hr_cert.post(f"{INCIDENTS}{incident.pk}/acknowledge/", {})
    assert (again.status_code, again.json()) == (200, {"acknowledged": []})


def test_acknowledging_one_message_that_does_not_wait_gives_409(api_key_client, api_report):
    incident = api_report(to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    assert hr_cert.post(f"{INCIDENTS}{incident.pk}/acknowledge/", {"message": 1}).status_code == 200
    for number in (1, 99):
        response = hr_cert.post(f"{INCIDENTS}{incident.pk}/acknowledge/", {"message": number})
        assert (response.status_code, response.json()["code"]) == (409, "not_awaiting_acknowledgement")
    # The originator's own report never waits on the originator.
    response = api_key_client("RS-CERT").post(f"{INCIDENTS}{incident.pk}/acknowledge/", {"message": 1})
    assert response.status_code == 409


def test_a_person_acknowledging_through_the_api_is_recorded_as_console(api_person_client, api_report):
    incident = api_report(to=["HR-MOD"])
    response = api_person_client("hr-mod-duty").post(
        f"{INCIDENTS}{incident.pk}/acknowledge/", {}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["acknowledged"][0]["acknowledgements"][0]["method"] == "console"


def test_the_originator_resolves_an_incident_and_lowers_its_tlp(api_key_client, api_report):
    incident = api_report(by="rs-cert-duty", tlp="AMBER")
    response = api_key_client("RS-CERT").patch(f"{INCIDENTS}{incident.pk}/", {"status": "resolved", "tlp": "GREEN"})
    assert response.status_code == 200, response.json()
    changed = response.json()
    assert (changed["status"], changed["tlp"]) == ("resolved", "GREEN")
    assert [m["kind"] for m in changed["messages"]] == ["information", "status_change", "status_change"]
    assert changed["messages"][-1]["body"] == "TLP changed from TLP:AMBER to TLP:GREEN."


def test_a_recipient_may_not_change_an_incident_and_a_bad_status_is_refused(api_key_client, api_report):
    incident = api_report()
    refused = api_key_client("HR-CERT").patch(f"{INCIDENTS}{incident.pk}/", {"status": "closed"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    invalid = api_key_client("RS-CERT").patch(f"{INCIDENTS}{incident.pk}/", {"status": "finished"})
    assert (invalid.status_code, list(invalid.json()["fields"])) == (400, ["status"])
    empty = api_key_client("RS-CERT").patch(f"{INCIDENTS}{incident.pk}/", {})
    assert empty.status_code == 400
    assert Incident.objects.get().status == "open"


def test_the_list_is_newest_first_in_cursor_pages(api_key_client, api_report):
    incidents = [api_report(title=f"Incident {n}") for n in range(5)]
    hr_cert = api_key_client("HR-CERT")
    first = hr_cert.get(f"{INCIDENTS}?page_size=2").json()
    assert [i["title"] for i in first["results"]] == ["Incident 4", "Incident 3"]
    second = hr_cert.get(first["next"]).json()
    third = hr_cert.get(second["next"]).json()
    assert [i["id"] for i in second["results"] + third["results"]] == [
        incidents[2].pk,
        incidents[1].pk,
        incidents[0].pk,
    ]
    assert third["next"] is None


def test_a_cursor_the_api_did_not_give_out_is_a_field_error(api_key_client):
    client = api_key_client("HR-CERT")
    # Not base64; a position that is not an id; a position larger than any id.
    for cursor in ["bm9wZQ", "cD1hYmM=", "bz0wJnA9OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk="]:
        response = client.get(INCIDENTS, {"cursor": cursor})
        assert (response.status_code, list(response.json()["fields"])) == (400, ["cursor"]), cursor


def test_the_list_filters_by_status_category_severity_tlp_exercise_party_organisation_and_time(
    api_key_client, api_report
):
    before = timezone.now()
    drill = api_report(to=["HR-MOD"], category="drone", severity="low", tlp="GREEN", exercise=True)
    real = api_report(to=["BA-CERT"], category="cyber", severity="critical", tlp="RED")
    resolved = api_report(to=["HR-CERT"])
    Incident.objects.filter(pk=resolved.pk).update(status="resolved")
    rs_cert = api_key_client("RS-CERT")

    def ids(query):
        response = rs_cert.get(f"{INCIDENTS}?{query}")
        assert response.status_code == 200, response.json()
        return {i["id"] for i in response.json()["results"]}

    assert ids("status=resolved") == {resolved.pk}
    assert ids("category=drone") == {drill.pk}
    assert ids("severity=critical") == {real.pk}
    assert ids("tlp=RED") == {real.pk}
    assert ids("exercise=true") == {drill.pk}
    assert ids("exercise=false") == {real.pk, resolved.pk}
    assert ids("party=HR") == {drill.pk, resolved.pk}
    assert ids("party=rs") == {drill.pk, real.pk, resolved.pk}
    assert ids("organisation=BA-CERT") == {real.pk}
    assert ids("updated_since=" + before.isoformat().replace("+00:00", "Z")) == {drill.pk, real.pk, resolved.pk}
    assert ids("updated_since=" + (timezone.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")) == set()


def test_a_bad_filter_value_is_a_field_error(api_key_client):
    client = api_key_client("RS-CERT")
    for query, field in [
        ("status=done", "status"),
        ("tlp=amber", "tlp"),
        ("exercise=maybe", "exercise"),
        ("party=ZZ", "party"),
        ("organisation=ZZ-CERT", "organisation"),
        ("updated_since=yesterday", "updated_since"),
    ]:
        response = client.get(f"{INCIDENTS}?{query}")
        assert response.status_code == 400, query
        assert (response.json()["code"], list(response.json()["fields"])) == ("invalid", [field])


def test_reading_a_red_incident_is_recorded_each_time(api_key_client, api_report):
    incident = api_report(tlp="RED", to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    reads = AuditEntry.objects.filter(action="incident.red_read").count()
    assert hr_cert.get(f"{INCIDENTS}{incident.pk}/").json()["title"] == "Phishing wave against ministries"
    hr_cert.get(f"{INCIDENTS}{incident.pk}/messages/")
    assert AuditEntry.objects.filter(action="incident.red_read").count() == reads + 2


def test_a_participant_attaches_a_file_and_downloads_it_with_safe_headers(api_key_client, api_report, settings):
    incident = api_report(to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    upload = SimpleUploadedFile("indicators.txt", b"198.51.100.7\n", content_type="text/html")
    response = hr_cert.post(f"{INCIDENTS}{incident.pk}/attachments/", {"file": upload, "message": 1}, content_type=None)
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert (attachment["filename"], attachment["size"], attachment["message"], attachment["content_type"]) == (
        "indicators.txt",
        13,
        1,
        "text/plain",
    )
    download = api_key_client("RS-CERT").get(attachment["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"198.51.100.7\n"
    assert download["Content-Disposition"] == 'attachment; filename="indicators.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="incident.attachment_downloaded").count() == 1
    detail = hr_cert.get(f"{INCIDENTS}{incident.pk}/").json()
    assert [a["id"] for a in detail["attachments"]] == [attachment["id"]]
    assert Message.objects.filter(incident=incident, kind="system").count() == 1


def test_a_file_too_large_or_of_a_type_not_accepted_is_refused_with_the_reason(api_key_client, api_report, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    incident = api_report(to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    url = f"{INCIDENTS}{incident.pk}/attachments/"
    too_large = hr_cert.post(url, {"file": SimpleUploadedFile("big.txt", b"x" * 11)}, content_type=None)
    assert (too_large.status_code, list(too_large.json()["fields"])) == (400, ["file"])
    assert "limit is 10" in too_large.json()["fields"]["file"][0]
    executable = hr_cert.post(url, {"file": SimpleUploadedFile("tool.exe", b"MZ")}, content_type=None)
    assert (executable.status_code, list(executable.json()["fields"])) == (400, ["file"])
    missing = hr_cert.post(url, {}, content_type=None)
    assert (missing.status_code, list(missing.json()["fields"])) == (400, ["file"])


def test_an_incident_id_beyond_any_database_integer_is_simply_not_found(api_key_client):
    response = api_key_client("RS-CERT").get(f"{INCIDENTS}{10**30}/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_schema_documents_every_incidents_endpoint_with_its_errors_and_examples(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    expected = {
        "/api/v1/incidents/": {"get", "post"},
        "/api/v1/incidents/{id}/": {"get", "patch"},
        "/api/v1/incidents/{id}/messages/": {"get", "post"},
        "/api/v1/incidents/{id}/acknowledge/": {"post"},
        "/api/v1/incidents/{id}/attachments/": {"post"},
        "/api/v1/incidents/{id}/attachments/{attachment_id}/": {"get"},
        "/api/v1/events/": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            operation = paths[path][method]
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            if method in {"post", "patch"}:
                assert "400" in operation["responses"]
                assert any(content.get("examples") for content in operation["requestBody"]["content"].values()), (
                    method,
                    path,
                )
            if method == "post":
                assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
    assert "409" in paths["/api/v1/incidents/{id}/acknowledge/"]["post"]["responses"]
