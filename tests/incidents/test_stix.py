"""STIX 2.1 in and out: the export validates with the stix2 library and carries the OASIS TLP 2.0
markings; export then import gives back the same incident; observations become a cyber incident with
the bundle attached; what may not be read is not exported, and every export is recorded."""

import hashlib
import json
import uuid
from datetime import timedelta

import pytest
import stix2
from django.test import Client
from django.utils import timezone

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from hotline.audit.models import AuditEntry
from incidents.actions import do_post_message, do_report_incident, resolve_recipients
from incidents.choices import MessageKind
from incidents.models import Attachment, Incident
from incidents.stix import NAMESPACE, TLP2_EXTENSION, TLP2_MARKINGS
from tests.accounts.world import build_demo_world, organisation, person

STIX_JSON = "application/stix+json;version=2.1"
# As published by OASIS in cti-stix-common-objects (extension-definition-specifications/tlp-2.0).
OASIS_TLP_RED = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:RED",
    "extensions": {
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
            "extension_type": "property-extension",
            "tlp_2_0": "red",
        }
    },
}
TLP1_IDS = {
    marking.id for marking in (stix2.v21.TLP_WHITE, stix2.v21.TLP_GREEN, stix2.v21.TLP_AMBER, stix2.v21.TLP_RED)
}
SQUARE_NEAR_BATROVCI = {
    "type": "Polygon",
    "coordinates": [[[19.1, 45.0], [19.2, 45.0], [19.2, 45.1], [19.1, 45.1], [19.1, 45.0]]],
}


@pytest.fixture
def world(db):
    build_demo_world()


def key_client(owner: str, scopes=(ApiScope.INCIDENTS_READ, ApiScope.INCIDENTS_WRITE)) -> Client:
    _, secret = do_create_api_key(organisation=organisation(owner), name=f"{owner} MISP", scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Api-Key {secret}")


def reported(
    by="rs-cert-duty", to=("HR-CERT",), *, tlp="AMBER", exercise=False, location=None, severity="high", category="cyber"
):
    reporter = person(by)
    return do_report_incident(
        reporter,
        recipients=resolve_recipients(to, reporter.organisation),
        title="Phishing wave against ministries",
        summary="Spear-phishing with a fake tender notice.\nThree ministries hit.",
        category=category,
        severity=severity,
        tlp=tlp,
        occurred_at=timezone.now() - timedelta(minutes=47),
        exercise=exercise,
        location=location,
    )


def export(client: Client, incident: Incident, **headers) -> dict:
    response = client.get(f"/api/v1/incidents/{incident.pk}/stix/", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def import_stix(client: Client, bundle, query="recipients=RS-CERT", content_type="application/json", **headers):
    body = bundle if isinstance(bundle, bytes) else json.dumps(bundle).encode()
    return client.post(f"/api/v1/incidents/import-stix/?{query}", body, content_type=content_type, **headers)


def of_type(bundle: dict, kind: str) -> list[dict]:
    return [obj for obj in bundle["objects"] if obj["type"] == kind]


def stix_id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, name)}"


def observations_bundle(
    markings=("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",), with_definition=True
) -> dict:
    marks = {"object_marking_refs": list(markings)} if markings else {}
    objects = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-03-02T10:00:00.000Z",
            "modified": "2026-03-02T10:00:00.000Z",
            "name": "C2 server of the phishing kit",
            "pattern": "[ipv4-addr:value = '198.51.100.7']",
            "pattern_type": "stix",
            "valid_from": "2026-03-02T09:30:00Z",
            **marks,
        },
        {
            "type": "ipv4-addr",
            "spec_version": "2.1",
            "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
            "value": "198.51.100.7",
        },
        {
            "type": "observed-data",
            "spec_version": "2.1",
            "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
            "created": "2026-03-02T10:00:00.000Z",
            "modified": "2026-03-02T10:00:00.000Z",
            "first_observed": "2026-03-02T09:12:00Z",
            "last_observed": "2026-03-02T09:40:00Z",
            "number_observed": 14,
            "object_refs": ["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"],
            **marks,
        },
        {
            "type": "sighting",
            "spec_version": "2.1",
            "id": "sighting--ee20065d-2555-424f-ad9e-0f8428623c75",
            "created": "2026-03-02T10:00:00.000Z",
            "modified": "2026-03-02T10:00:00.000Z",
            "sighting_of_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "first_seen": "2026-03-02T09:15:00Z",
            "count": 3,
            **marks,
        },
    ]
    if markings and with_definition and markings[0] == "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb":
        objects.insert(
            0,
            {
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": markings[0],
                "created": "2022-10-01T00:00:00.000Z",
                "name": "TLP:GREEN",
                "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": "green"}},
            },
        )
    return {"type": "bundle", "id": "bundle--5b1f3b4e-6a1d-4a8e-9a55-0c4f0d6a2b11", "objects": objects}


# --- export ------------------------------------------------------------------------------------------


def test_it_exports_a_bundle_the_stix2_library_validates(world):
    incident = reported(tlp="RED", to=("HR-CERT",))
    do_post_message(person("hr-cert-duty"), incident, kind=MessageKind.NOTE, body="We see the same sender domain.")
    response = key_client("HR-CERT").get(f"/api/v1/incidents/{incident.pk}/stix/")
    assert response.status_code == 200
    assert response["Content-Type"] == STIX_JSON
    bundle = response.json()

    parsed = stix2.parse(bundle, allow_custom=True, version="2.1")
    assert parsed.type == "bundle"
    assert sorted(obj["type"] for obj in bundle["objects"]) == [
        "identity",
        "identity",
        "incident",
        "marking-definition",
        "note",
        "note",
    ]
    (stix_incident,) = of_type(bundle, "incident")
    assert stix_incident["name"] == "Phishing wave against ministries"
    assert stix_incident["description"] == incident.summary
    assert stix_incident["id"] == stix_id("incident", incident.reference)
    assert stix_incident["created_by_ref"] == stix_id("identity", "RS-CERT")
    assert stix_incident["x_hotline_reference"] == incident.reference
    assert stix_incident["x_hotline_recipients"] == ["HR-CERT"]
    notes = of_type(bundle, "note")
    assert [note["x_hotline_number"] for note in notes] == [1, 2]
    assert notes[1]["content"] == "We see the same sender domain."
    assert notes[1]["authors"] == ["hr-cert-duty"] and notes[1]["created_by_ref"] == stix_id("identity", "HR-CERT")
    assert all(note["object_refs"] == [stix_incident["id"]] for note in notes)
    identities = {obj["x_hotline_code"]: obj for obj in of_type(bundle, "identity")}
    assert set(identities) == {"RS-CERT", "HR-CERT"}
    assert all(
        obj["identity_class"] == "organization" and obj["id"] == stix_id("identity", code)
        for code, obj in identities.items()
    )


def test_every_object_is_marked_with_the_oasis_tlp_2_0_definition_never_the_tlp_1_0_ones(world):
    incident = reported(tlp="RED")
    bundle = export(key_client("RS-CERT"), incident)
    assert of_type(bundle, "marking-definition") == [OASIS_TLP_RED]
    for obj in bundle["objects"]:
        if obj["type"] != "marking-definition":  # the published definition is carried as published
            assert obj["object_marking_refs"] == [TLP2_MARKINGS["RED"]], obj["id"]
    assert not TLP1_IDS & set(json.dumps(bundle).split('"'))


def test_the_same_incident_exports_to_the_same_bundle(world):
    incident = reported()
    client = key_client("RS-CERT")
    assert export(client, incident) == export(client, incident)


def test_a_client_asking_for_plain_json_gets_it(world):
    incident = reported()
    response = key_client("RS-CERT").get(f"/api/v1/incidents/{incident.pk}/stix/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_an_exercise_is_flagged_labelled_and_named_so_in_the_bundle(world):
    bundle = export(key_client("RS-CERT"), reported(exercise=True))
    (stix_incident,) = of_type(bundle, "incident")
    assert stix_incident["x_hotline_exercise"] is True
    assert stix_incident["labels"] == ["exercise"]
    assert stix_incident["name"] == "[EXERCISE] Phishing wave against ministries"
    assert all(note["labels"] == ["exercise"] for note in of_type(bundle, "note"))


def test_the_export_is_recorded_in_the_audit_log(world):
    incident = reported()
    export(key_client("HR-CERT"), incident)
    entry = AuditEntry.objects.filter(action="incident.exported").get()
    assert entry.organisation == "HR-CERT"
    assert entry.content["details"] == {"incident": incident.reference, "form": "stix"}


def test_a_party_not_addressed_cannot_export_another_partys_red_incident(world):
    incident = reported(tlp="RED", to=("HR-CERT",))
    response = key_client("AL-CERT").get(f"/api/v1/incidents/{incident.pk}/stix/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert not AuditEntry.objects.filter(action="incident.exported").exists()


def test_the_commission_cannot_export_the_content_of_a_red_incident_it_only_sees_the_metadata_of(world):
    incident = reported(tlp="RED")
    assert key_client("WBC-SEC").get(f"/api/v1/incidents/{incident.pk}/stix/").status_code == 404


def test_exporting_needs_the_read_scope(world):
    incident = reported()
    response = key_client("RS-CERT", scopes=[ApiScope.DIRECTORY_READ]).get(f"/api/v1/incidents/{incident.pk}/stix/")
    assert response.status_code == 403 and response.json()["code"] == "missing_scope"


# --- round trip --------------------------------------------------------------------------------------

KEPT = ["title", "summary", "category", "severity", "tlp", "exercise", "occurred_at", "location"]


@pytest.mark.parametrize(
    "fields",
    [
        {"tlp": "AMBER+STRICT", "location": SQUARE_NEAR_BATROVCI, "severity": "critical", "category": "drone"},
        {
            "tlp": "CLEAR",
            "exercise": True,
            "location": {"type": "Point", "coordinates": [19.11, 45.05]},
            "severity": "low",
        },
        {"tlp": "GREEN", "category": "border_incident", "severity": "medium"},
    ],
)
def test_export_then_import_gives_back_the_same_incident(world, fields):
    original = reported(**fields)
    bundle = export(key_client("RS-CERT"), original)
    response = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT")
    assert response.status_code == 201, response.content
    created = response.json()
    shown = key_client("RS-CERT").get(f"/api/v1/incidents/{created['id']}/stix/").json()
    assert (
        of_type(shown, "incident")[0]["x_hotline_occurred_at"]
        == of_type(bundle, "incident")[0]["x_hotline_occurred_at"]
    )
    copy = Incident.objects.get(pk=created["id"])
    assert {field: getattr(copy, field) for field in KEPT} == {field: getattr(original, field) for field in KEPT}
    assert created["originator"] == "HR-CERT" and created["recipients"] == ["RS-CERT"]
    assert not copy.attachments.exists()  # nothing in the bundle that the incident does not hold


def test_an_imported_bundle_marked_as_an_exercise_stays_one(world):
    bundle = export(key_client("RS-CERT"), reported(exercise=True))
    created = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT&exercise=false").json()
    assert created["exercise"] is True and created["title"] == "Phishing wave against ministries"


def test_the_severity_in_the_query_overrides_the_bundles(world):
    bundle = export(key_client("RS-CERT"), reported(severity="low"))
    created = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT&severity=critical").json()
    assert created["severity"] == "critical"


# --- import from observations ------------------------------------------------------------------------


def test_indicators_observed_data_and_sightings_become_a_cyber_incident_with_the_bundle_attached(world):
    body = json.dumps(observations_bundle(), indent=2).encode()
    response = import_stix(key_client("HR-CERT"), body, query="recipients=RS&severity=high", content_type=STIX_JSON)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["category"], created["severity"], created["tlp"]) == ("cyber", "high", "GREEN")
    assert created["recipients"] == ["RS-CERT", "RS-MOD"]
    assert created["title"].startswith("STIX: C2 server of the phishing kit")
    assert "[ipv4-addr:value = '198.51.100.7']" in created["summary"]
    assert "ipv4-addr 198.51.100.7" in created["summary"]
    assert "Sighting of C2 server of the phishing kit" in created["summary"]
    assert created["occurred_at"] == "2026-03-02T09:12:00+00:00"  # the earliest observation
    attachment = Attachment.objects.get(incident_id=created["id"])
    assert attachment.filename == "bundle.json"
    assert attachment.sha256 == hashlib.sha256(body).hexdigest() and attachment.size == len(body)
    assert attachment.file.read() == body


def test_observations_without_a_severity_ask_for_one(world):
    response = import_stix(key_client("HR-CERT"), observations_bundle(), query="recipients=RS-CERT")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "severity" in response.json()["fields"]
    assert not Incident.objects.exists()


# --- TLP from the markings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marking, tlp",
    [
        (stix2.v21.TLP_WHITE, "CLEAR"),
        (stix2.v21.TLP_GREEN, "GREEN"),
        (stix2.v21.TLP_AMBER, "AMBER"),
        (stix2.v21.TLP_RED, "RED"),
    ],
)
def test_tlp_1_0_markings_map_to_tlp_2_0(world, marking, tlp):
    bundle = observations_bundle(markings=[marking.id])
    bundle["objects"].insert(0, json.loads(marking.serialize()))
    created = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT&severity=low").json()
    assert created["tlp"] == tlp


def test_the_narrowest_marking_of_the_bundle_wins(world):
    bundle = observations_bundle()
    bundle["objects"][-1]["object_marking_refs"] = [TLP2_MARKINGS["AMBER+STRICT"]]
    created = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT&severity=low").json()
    assert created["tlp"] == "AMBER+STRICT"


def test_an_unmarked_bundle_is_amber(world):
    created = import_stix(
        key_client("HR-CERT"), observations_bundle(markings=()), query="recipients=RS-CERT&severity=low"
    ).json()
    assert created["tlp"] == "AMBER"


# --- refusals ----------------------------------------------------------------------------------------


def test_an_invalid_bundle_gets_400_with_the_stix2_message(world):
    bundle = observations_bundle()
    bundle["objects"][1]["pattern"] = "[ipv4-addr:value = '198.51.100.7'"
    with pytest.raises(stix2.exceptions.STIXError) as expected:
        stix2.parse(bundle, allow_custom=True, version="2.1")
    response = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT&severity=high")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_stix"
    assert response.json()["detail"] == str(expected.value)
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "body, says",
    [
        ({"type": "indicator"}, '"type": "bundle"'),
        ([1, 2], '"type": "bundle"'),
        ({"type": "bundle", "id": "bundle--5b1f3b4e-6a1d-4a8e-9a55-0c4f0d6a2b11", "objects": []}, 'no "objects"'),
        (
            {
                "type": "bundle",
                "id": "bundle--5b1f3b4e-6a1d-4a8e-9a55-0c4f0d6a2b11",
                "objects": [{"type": "incident", "id": "incident--7c1d9e2f-4a3b-4c6d-8e9f-0a1b2c3d4e5f", "name": "x"}],
            },
            'spec_version must be "2.1"',
        ),
        (
            {
                "type": "bundle",
                "id": "bundle--5b1f3b4e-6a1d-4a8e-9a55-0c4f0d6a2b11",
                "objects": [
                    {
                        "type": "identity",
                        "spec_version": "2.1",
                        "id": "identity--7c1d9e2f-4a3b-4c6d-8e9f-0a1b2c3d4e5f",
                        "created": "2026-01-01T00:00:00.000Z",
                        "modified": "2026-01-01T00:00:00.000Z",
                        "name": "Someone",
                    }
                ],
            },
            "nothing to report",
        ),
    ],
)
def test_what_is_not_a_reportable_bundle_gets_invalid_stix(world, body, says):
    response = import_stix(key_client("HR-CERT"), body, query="recipients=RS-CERT&severity=high")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_stix" and says in response.json()["detail"]


@pytest.mark.parametrize(
    "query", ["severity=high", "recipients=ZZ-CERT&severity=high", "recipients=HR-CERT&severity=high"]
)
def test_missing_unknown_or_only_own_recipients_get_field_errors(world, query):
    response = import_stix(key_client("HR-CERT"), observations_bundle(), query=query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "recipients" in response.json()["fields"]


def test_importing_needs_the_write_scope_and_an_organisation_that_reports(world):
    read_only = import_stix(
        key_client("HR-CERT", scopes=[ApiScope.INCIDENTS_READ]),
        observations_bundle(),
        query="recipients=RS&severity=high",
    )
    observer = import_stix(key_client("OSCE-CPC"), observations_bundle(), query="recipients=RS&severity=high")
    assert (read_only.status_code, read_only.json()["code"]) == (403, "missing_scope")
    assert (observer.status_code, observer.json()["code"]) == (403, "permission_denied")
    assert not Incident.objects.exists()


def test_a_retried_import_with_the_same_idempotency_key_creates_nothing_new(world):
    client = key_client("HR-CERT")
    body = json.dumps(observations_bundle()).encode()
    first = import_stix(
        client,
        body,
        query="recipients=RS-CERT&severity=high",
        content_type=STIX_JSON,
        HTTP_IDEMPOTENCY_KEY="misp-event-4711",
    )
    again = import_stix(
        client,
        body,
        query="recipients=RS-CERT&severity=high",
        content_type=STIX_JSON,
        HTTP_IDEMPOTENCY_KEY="misp-event-4711",
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1 and Attachment.objects.count() == 1


# --- input no database can hold ----------------------------------------------------------------------


def test_an_occurrence_time_beyond_the_last_representable_moment_gets_invalid_stix(world):
    bundle = export(key_client("RS-CERT"), reported())
    of_type(bundle, "incident")[0]["x_hotline_occurred_at"] = "9999-12-31T23:59:59-14:00"
    response = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_stix" and "occurred_at" in response.json()["detail"]
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    "field, text, says", [("name", "Phish\ud800ing", "surrogate"), ("description", "Three\x00ministries", "NUL")]
)
def test_text_no_database_can_hold_is_refused_alike_on_every_database(world, field, text, says):
    bundle = export(key_client("RS-CERT"), reported())
    of_type(bundle, "incident")[0][field] = text
    body = json.dumps(bundle).encode()  # ensure_ascii: the lone surrogate travels as \ud800, as a client sends it
    response = import_stix(key_client("HR-CERT"), body, query="recipients=RS-CERT")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and says in response.json()["detail"]
    assert Incident.objects.count() == 1
