"""What the console's forms say when they refuse: in words a duty officer reads at 3 a.m. — no JSON
parser's or formset's jargon, and every problem of a Check at once."""

import pytest
from django.core.exceptions import ValidationError

from hotline.escalation.forms import LevelFormSet
from incidents.forms import LOCATION_EXPECTED
from incidents.geojson import parse_geojson, validate_location
from incidents.notifications.flight_forms import VOLUMES_PREFIX, VolumeFormSet


def refusal(text: str, *expected) -> str:
    with pytest.raises(ValidationError) as raised:
        parse_geojson(text, *expected)
    return " ".join(raised.value.messages)


def test_text_after_the_geometry_is_said_in_words_with_where_it_starts():
    message = refusal('{"type": "Point"} x', LOCATION_EXPECTED)
    assert message == (
        "The location must be one GeoJSON geometry, a Point or a Polygon, "
        'e.g. {"type": "Point", "coordinates": [19.1, 45.8]} '
        "(something after the end of the geometry, line 1, column 19)."
    )


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"type": "Point", "coordinates": [19.1 45.8]}', "a comma is missing, line 1, column 40"),
        ("{type: 1}", "a name in double quotes was expected"),
        ('{"type": "Point', "a text in quotes is not closed"),
        ('{"type": }', "a number, a list or text in double quotes was expected"),
    ],
)
def test_no_json_parser_message_reaches_the_person(text, words):
    message = refusal(text)
    assert words in message and "Expecting" not in message and "not valid JSON" not in message


def test_what_the_json_reader_refuses_for_other_reasons_keeps_its_sentence():
    assert refusal("[" * 100) == "The JSON is nested more than 64 deep."


def test_a_drone_flight_without_any_volume_asks_for_one_not_for_a_form():
    # A first row left as the form shows it: only the unit and reference selects have values.
    row = {"lower_unit": "m", "lower_reference": "AGL", "upper_unit": "m", "upper_reference": "AGL"}
    data = {f"{VOLUMES_PREFIX}-0-{name}": value for name, value in row.items()}
    formset = VolumeFormSet(
        {f"{VOLUMES_PREFIX}-TOTAL_FORMS": "1", f"{VOLUMES_PREFIX}-INITIAL_FORMS": "0", **data}, prefix=VOLUMES_PREFIX
    )
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Give at least one volume: its area, altitudes and times."]


def test_a_formset_from_a_damaged_or_old_page_says_to_reload_it():
    formset = LevelFormSet({})
    assert not formset.is_valid()
    assert "reload it" in " ".join(formset.non_form_errors())
    assert "ManagementForm" not in " ".join(formset.non_form_errors())


def test_every_problem_of_a_polygon_is_said_at_once():
    polygon = {
        "type": "Polygon",
        "coordinates": [[[19.1, 45.1], [45.2, 19.2], [19.3, 45.3]], [[19, 45], [19.1, 45], [19.1, 45.1], [19, 45.2]]],
    }
    with pytest.raises(ValidationError) as raised:
        validate_location(polygon)
    assert raised.value.messages == [
        "Polygon ring 1: a linear ring has at least four positions.",
        "Polygon ring 1: [45.2, 19.2] lies outside the region (longitude 0° to 35° E, latitude 30° to 55° N). "
        "Positions are [longitude, latitude]: were they swapped?",
        "Polygon ring 2: the last position must repeat the first.",
    ]
