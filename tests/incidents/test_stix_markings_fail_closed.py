"""STIX import fails closed on markings: a marking we cannot read as a TLP 2.0 (or 1.0) label never
becomes a lower TLP. A statement marking (even one whose text says "TLP:RED"), a marking of an unknown
kind or a TLP extension with an unknown label, and a reference to a marking definition the bundle lacks
make the incident RED; the originator (the importing organisation) may lower it once it has read it."""

import pytest
import stix2

from incidents.stix import TLP2_EXTENSION, TLP2_MARKINGS
from tests.accounts.world import build_demo_world
from tests.incidents.test_stix import import_stix, key_client, observations_bundle

STATEMENT_ID = "marking-definition--2f4a8c1e-7d3b-4e5f-9a6b-1c2d3e4f5a6b"
MISSING_ID = "marking-definition--0b8d3c2a-1e4f-4a5b-8c7d-6e5f4a3b2c1d"


@pytest.fixture
def world(db):
    build_demo_world()


def marking_definition(identifier: str, **content) -> dict:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": identifier,
        "created": "2026-01-01T00:00:00.000Z",
        **content,
    }


def imported_tlp(bundle: dict) -> str:
    response = import_stix(key_client("HR-CERT"), bundle, query="recipients=RS-CERT&severity=low")
    assert response.status_code == 201, response.content
    return response.json()["tlp"]


def marked_with(identifier: str, *definitions: dict) -> dict:
    bundle = observations_bundle(markings=[identifier], with_definition=False)
    bundle["objects"][:0] = definitions
    return bundle


@pytest.mark.parametrize("statement", ["TLP:RED", "TLP:CLEAR", "Copyright 2026 Example CERT. All rights reserved."])
def test_a_statement_marking_makes_the_incident_red(world, statement):
    definition = marking_definition(STATEMENT_ID, definition_type="statement", definition={"statement": statement})
    assert imported_tlp(marked_with(STATEMENT_ID, definition)) == "RED"


def test_a_statement_beside_a_green_marking_still_makes_it_red(world):
    bundle = observations_bundle()
    bundle["objects"].insert(
        0, marking_definition(STATEMENT_ID, definition_type="statement", definition={"statement": "TLP:RED"})
    )
    bundle["objects"][-1]["object_marking_refs"] = [STATEMENT_ID]
    assert imported_tlp(bundle) == "RED"


@pytest.mark.parametrize(
    "content",
    [
        {"name": "PAP:AMBER", "extensions": {"extension-definition--3a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d": {}}},
        {
            "name": "TLP:PURPLE",
            "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": "purple"}},
        },
    ],
    ids=["unknown kind", "unknown TLP label"],
)
def test_a_marking_we_cannot_read_makes_the_incident_red(world, content):
    assert imported_tlp(marked_with(STATEMENT_ID, marking_definition(STATEMENT_ID, **content))) == "RED"


def test_a_reference_to_a_marking_the_bundle_lacks_makes_the_incident_red(world):
    assert imported_tlp(marked_with(MISSING_ID)) == "RED"


def test_a_granular_marking_the_bundle_lacks_makes_the_incident_red(world):
    bundle = observations_bundle()
    bundle["objects"][1]["granular_markings"] = [{"marking_ref": MISSING_ID, "selectors": ["name"]}]
    assert imported_tlp(bundle) == "RED"


@pytest.mark.parametrize(
    "identifier, tlp",
    [(TLP2_MARKINGS["GREEN"], "GREEN"), (TLP2_MARKINGS["CLEAR"], "CLEAR"), (stix2.v21.TLP_AMBER.id, "AMBER")],
)
def test_the_published_tlp_markings_are_known_without_their_definition_in_the_bundle(world, identifier, tlp):
    assert imported_tlp(marked_with(identifier)) == tlp


def test_a_published_id_whose_content_says_a_narrower_label_is_held_to_the_narrower(world):
    bundle = observations_bundle()
    bundle["objects"][0]["extensions"][TLP2_EXTENSION]["tlp_2_0"] = "red"
    assert imported_tlp(bundle) == "RED"
