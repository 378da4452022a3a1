"""Border geometry: places on both sides of real borders with the committed Natural Earth data, and the
commission loading its own boundaries in their place.

Expected distances were measured on the committed data and checked against a map; the data is about
1 km accurate, so they are asserted to ±1.5 km.
"""

import json
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from pyproj import Geod

from hotline.audit.models import AuditEntry
from incidents.notifications import borders
from incidents.notifications.models import BoundaryVersion

ACCURACY_M = 1500

BACKA_PALANKA = (19.3917, 45.2497)  # Serbia, on the Danube
NORTH_OF_BACKA_PALANKA = (19.39, 45.30)  # Serbia, 5 km inland
ILOK = (19.3753, 45.2228)  # Croatia, across the river from Bačka Palanka
VUKOVAR = (18.9947, 45.3511)  # Croatia, on the Danube
VIRPAZAR = (19.0917, 42.2458)  # Montenegro, at the lake's north-west end
SHKODER = (19.5126, 42.0683)  # Albania, at the lake's south-east end
LAKE_SKADAR_MONTENEGRIN_WATER = (19.25, 42.20)
LAKE_SKADAR_ALBANIAN_WATER = (19.33, 42.17)
SKOPJE = (21.4254, 41.9981)  # North Macedonia
HANI_I_ELEZIT = (21.2967, 42.1508)  # Kosovo*, at the Blace/Elez Han crossing
KACANIK = (21.2589, 42.2319)  # Kosovo*
GEVGELIJA = (22.5025, 41.1392)  # North Macedonia, at the Greek border


def square(lon: float, lat: float, half_side_deg: float) -> dict:
    d = half_side_deg
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
        ],
    }


def assert_about(metres: float, expected: float):
    assert abs(metres - expected) <= ACCURACY_M, f"{metres:.0f} m, expected {expected:.0f} m ± {ACCURACY_M} m"


def neighbour_codes(geometry, buffer_m=25_000, exclude=None) -> list[str]:
    return [code for code, _ in borders.neighbours_within(geometry, buffer_m, exclude=exclude)]


def load(tmp_path, collection, label="WBC-2027-1", source="Commission agreement 2027/1") -> BoundaryVersion:
    path = tmp_path / f"{label}.geojson"
    path.write_text(json.dumps(collection) if not isinstance(collection, str) else collection)
    call_command(
        "load_boundaries",
        str(path),
        "--label",
        label,
        "--source",
        source,
        "--by",
        "secretariat-admin",
        stdout=StringIO(),
    )
    return BoundaryVersion.objects.get(label=label)


def synthetic_boundaries() -> dict:
    """Serbia and Croatia as two squares meeting on the meridian 19.2° E, and nothing else."""

    def feature(code, west, east):
        ring = [[west, 45.0], [east, 45.0], [east, 45.6], [west, 45.6], [west, 45.0]]
        return {
            "type": "Feature",
            "properties": {"code": code, "name": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    return {"type": "FeatureCollection", "features": [feature("HR", 18.6, 19.2), feature("RS", 19.2, 19.8)]}


# The committed data -------------------------------------------------------------------------------


def test_it_places_towns_on_each_side_of_the_danube(db):
    assert borders.party_of(BACKA_PALANKA) == "RS"
    assert borders.party_of(NORTH_OF_BACKA_PALANKA) == "RS"
    assert borders.party_of(ILOK) == "HR"
    assert borders.party_of(VUKOVAR) == "HR"


def test_it_measures_the_danube_border_from_both_banks(db):
    assert_about(borders.distance_to_border(BACKA_PALANKA, "HR"), 2_100)
    assert_about(borders.distance_to_border(NORTH_OF_BACKA_PALANKA, "HR"), 6_200)
    assert_about(borders.distance_to_border(ILOK, "RS"), 700)
    assert_about(borders.distance_to_border(VUKOVAR, "RS"), 1_700)
    assert borders.distance_to_border(VUKOVAR, "HR") == 0


def test_it_finds_the_neighbour_across_the_danube(db):
    [(code, metres)] = borders.neighbours_within(NORTH_OF_BACKA_PALANKA, 25_000, exclude="RS")
    assert code == "HR"
    assert_about(metres, 6_200)
    assert borders.neighbours_within(NORTH_OF_BACKA_PALANKA, 5_000, exclude="RS") == []


def test_it_divides_lake_skadar_between_montenegro_and_albania(db):
    assert borders.party_of(VIRPAZAR) == "ME"
    assert borders.party_of(SHKODER) == "AL"
    assert borders.party_of(LAKE_SKADAR_MONTENEGRIN_WATER) == "ME"
    assert borders.party_of(LAKE_SKADAR_ALBANIAN_WATER) == "AL"
    assert_about(borders.distance_to_border(LAKE_SKADAR_MONTENEGRIN_WATER, "AL"), 2_400)
    assert_about(borders.distance_to_border(LAKE_SKADAR_ALBANIAN_WATER, "ME"), 3_300)
    assert_about(borders.distance_to_border(SHKODER, "ME"), 11_900)
    assert_about(borders.distance_to_border(VIRPAZAR, "AL"), 16_400)


def test_it_lists_neighbours_nearest_first(db):
    found = borders.neighbours_within(KACANIK, 25_000, exclude="XK")
    assert [code for code, _ in found] == ["MK", "RS"]
    assert_about(found[0][1], 7_500)
    assert_about(found[1][1], 23_400)


def test_it_finds_kosovo_star_near_skopje(db):
    assert borders.party_of(SKOPJE) == "MK"
    assert borders.party_of(HANI_I_ELEZIT) == "XK"
    assert neighbour_codes(SKOPJE, exclude="MK") == ["XK"]
    assert_about(borders.distance_to_border(SKOPJE, "XK"), 14_600)
    assert borders.distance_to_border(HANI_I_ELEZIT, "MK") < ACCURACY_M


def test_it_leaves_out_neighbours_that_are_not_parties_unless_asked(db):
    assert borders.party_of(GEVGELIJA) == "MK"
    assert "GR" not in neighbour_codes(GEVGELIJA, exclude="MK")
    assert "GR" in [code for code, _ in borders.neighbours_within(GEVGELIJA, 25_000, exclude="MK", parties_only=False)]


def test_it_reports_a_polygon_that_crosses_the_danube(db):
    across = square(19.0, 45.33, 0.03)  # about 5 km a side, astride the river at Vukovar
    assert borders.crosses_into(across, "HR") == ["RS"]
    assert neighbour_codes(across, exclude="HR") == ["RS"]
    assert borders.distance_to_border(across, "RS") == 0


def test_it_reports_polygons_crossing_lake_skadar_and_the_kosovo_star_line(db):
    assert borders.crosses_into(square(19.33, 42.14, 0.03), "ME") == ["AL"]
    assert borders.crosses_into(square(21.30, 42.15, 0.02), "MK") == ["XK"]


def test_it_does_not_report_a_polygon_that_stays_at_home(db):
    at_home = square(*NORTH_OF_BACKA_PALANKA, 0.01)  # about 1.6 km a side, 5 km from the river
    assert borders.crosses_into(at_home, "RS") == []
    [(code, metres)] = borders.neighbours_within(at_home, 25_000, exclude="RS")
    assert code == "HR"
    assert_about(metres, 4_900)


def test_it_draws_a_circle_in_metres(db):
    small = {"lon": NORTH_OF_BACKA_PALANKA[0], "lat": NORTH_OF_BACKA_PALANKA[1], "radius_m": 2_000}
    large = {**small, "radius_m": 8_000}
    assert borders.crosses_into(small, "RS") == []
    assert borders.crosses_into(large, "RS") == ["HR"]
    assert_about(borders.distance_to_border(small, "HR"), 6_200 - 2_000)


def test_it_computes_distances_in_metres_not_degrees(db):
    # Between two points, the projected distance and the geodesic one agree far within the data's accuracy.
    west, east = borders.project(VIRPAZAR), borders.project(SHKODER)
    _, _, geodesic = Geod(ellps="GRS80").inv(*VIRPAZAR, *SHKODER)
    assert abs(west.distance(east) - geodesic) < 0.005 * geodesic


def test_it_reports_the_committed_version_when_nothing_is_loaded(db):
    boundaries = borders.active()
    assert boundaries.version.startswith("natural-earth-10m@")
    assert boundaries.version_id is None
    assert set(borders.PARTY_CODES) <= set(boundaries.territories)
    assert {"GR", "BG", "RO", "HU", "SI"} <= set(boundaries.territories)


def test_it_labels_kosovo_star_from_the_file_only_as_a_fallback(db):
    # What users see comes from accounts.Party; the file itself never says plain "Kosovo".
    assert borders.committed().territories["XK"].name == "Kosovo*"


# Loading the commission's boundaries --------------------------------------------------------------


def test_it_uses_a_loaded_boundary_version_and_reports_it(db, tmp_path):
    point = (19.15, 45.45)  # in Bačka, 7 km east of the Danube: Serbia by Natural Earth
    assert borders.party_of(point) == "RS"
    assert_about(borders.distance_to_border(point, "HR"), 7_100)

    version = load(tmp_path, synthetic_boundaries())

    boundaries = borders.active()
    assert boundaries.version_id == version.pk
    assert boundaries.version == f"WBC-2027-1@{version.sha256[:12]}"
    assert boundaries.party_of(point) == "HR"  # west of the synthetic line at 19.2° E
    assert borders.crosses_into(square(*point, 0.01), "HR") == []
    assert_about(boundaries.distance_to_border(point, "RS"), 3_900)  # 0.05° of longitude at 45.45° N
    assert borders.party_of(SKOPJE) is None  # the loaded set has only two parties
    assert version.active and version.loaded_by_label == "secretariat-admin"
    entry = AuditEntry.objects.get(action="boundaries.loaded")
    assert json.loads(entry.body)["details"]["label"] == "WBC-2027-1"


def test_it_makes_the_latest_load_the_only_active_version(db, tmp_path):
    first = load(tmp_path, synthetic_boundaries(), label="WBC-2027-1")
    moved = synthetic_boundaries()
    for feature in moved["features"]:  # the line moves from 19.2° E to 19.35° E
        for ring in feature["geometry"]["coordinates"]:
            for position in ring:
                position[0] = 19.35 if position[0] == 19.2 else position[0]
    second = load(tmp_path, moved, label="WBC-2027-2")

    assert list(BoundaryVersion.objects.filter(active=True)) == [second]
    first.refresh_from_db()
    assert not first.active
    assert borders.party_of((19.3, 45.3)) == "HR"
    assert borders.active().version.startswith("WBC-2027-2@")
    assert AuditEntry.objects.filter(action="boundaries.loaded").count() == 2


def bad(change) -> str:
    collection = synthetic_boundaries()
    change(collection)
    return json.dumps(collection)


def set_geometry(geometry):
    return lambda c: c["features"][0].update(geometry=geometry)


BOWTIE = {"type": "Polygon", "coordinates": [[[19.0, 45.0], [19.2, 45.2], [19.2, 45.0], [19.0, 45.2], [19.0, 45.0]]]}


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "is not JSON"),
        (json.dumps({"type": "Feature", "properties": {}, "geometry": None}), "not a GeoJSON FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "has no features"),
        (bad(lambda c: c["features"][0]["properties"].update(code="YU")), "properties.code 'YU' is not one of"),
        (bad(lambda c: c["features"][1]["properties"].update(code="HR")), "a second feature for HR"),
        (
            bad(set_geometry({"type": "Point", "coordinates": [19.0, 45.0]})),
            "must be a Polygon or MultiPolygon, not Point",
        ),
        (
            bad(
                set_geometry(
                    {"type": "Polygon", "coordinates": [[[19.0, 45.0], [19.1, 45.0], [19.1, 45.1], [19.0, 45.1]]]}
                )
            ),
            "the last position must repeat the first",
        ),
        (
            bad(set_geometry({"type": "Polygon", "coordinates": [[[19.0, 45.0], [19.1, 45.0], [19.0, 45.0]]]})),
            "at least four positions",
        ),
        (
            bad(
                set_geometry(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[2100000, 4500000], [2200000, 4500000], [2200000, 4600000], [2100000, 4500000]]
                        ],
                    }
                )
            ),
            "is not WGS84 longitude/latitude",
        ),
        (bad(set_geometry(BOWTIE)), "not a valid polygon (Self-intersection"),
    ],
)
def test_it_refuses_a_bad_file_and_stores_nothing(db, tmp_path, content, message):
    with pytest.raises(CommandError) as refused:
        load(tmp_path, content)
    assert message in str(refused.value)
    assert str(refused.value).endswith("nothing was loaded")
    assert "\n" not in str(refused.value)
    assert not BoundaryVersion.objects.exists()
    assert not AuditEntry.objects.filter(action="boundaries.loaded").exists()
    assert borders.active().version.startswith("natural-earth-10m@")


def test_it_refuses_a_label_already_used(db, tmp_path):
    load(tmp_path, synthetic_boundaries(), label="WBC-2027-1")
    with pytest.raises(CommandError, match="a boundary version labelled 'WBC-2027-1' exists already"):
        load(tmp_path, synthetic_boundaries(), label="WBC-2027-1")
    assert BoundaryVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="boundaries.loaded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_loads_of_one_label_store_one_and_refuse_the_other_in_words():
    raw = json.dumps(synthetic_boundaries()).encode()
    outcomes, start = [], threading.Barrier(2)

    def load_once():
        try:
            start.wait(timeout=10)
            borders.do_load_boundaries(
                raw, label="WBC-2027-1", source="Commission agreement 2027/1", loaded_by="secretariat-admin"
            )
            outcomes.append("loaded")
        except borders.BoundaryError as error:
            outcomes.append(str(error))
        except Exception as error:  # an IntegrityError here is what this test exists to catch
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=load_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["a boundary version labelled 'WBC-2027-1' exists already", "loaded"]
    assert BoundaryVersion.objects.filter(active=True).count() == 1
    assert AuditEntry.objects.filter(action="boundaries.loaded").count() == 1


def test_a_boundary_file_with_a_territory_outside_the_region_is_refused_and_nothing_changes(db, tmp_path):
    collection = json.loads(borders.COMMITTED_FILE.read_text())
    for feature in collection["features"]:
        if feature["properties"]["code"] == "HR":
            feature["geometry"] = square(-170, -52, 0.1)
    with pytest.raises(CommandError, match="outside the region"):
        load(tmp_path, collection)
    assert not BoundaryVersion.objects.exists()


def test_no_geometry_outside_the_region_is_projected_so_no_distance_comes_out_as_zero():
    for geometry in ((-170, -52), {"lon": -170, "lat": -52, "radius_m": 1000}, square(-170, -52, 0.1)):
        with pytest.raises(ValueError, match="outside the region"):
            borders.project(geometry)
