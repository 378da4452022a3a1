"""Border geometry: which party a place lies in, how far a geometry is from each party's territory, and
which territories it enters.

The boundaries come from the active `BoundaryVersion` the commission loaded (`manage.py
load_boundaries`), or, without one, from the committed Natural Earth data in data/ beside this module
(about 1 km accurate; rebuilt by scripts/build-borders). Everything is computed in ETRS89 / LAEA Europe
(EPSG:3035), an equal-area projection in metres whose distance error over the Western Balkans is far
below the data's accuracy, never in degrees.

A caller that records its results takes one set with `active()`, computes with its methods and stores
`boundaries.version`, so all the results of one notification come from the same version. The
module-level functions are the same methods on the active set, for a single question.

Geometries are given in WGS84 longitude/latitude: a shapely geometry, a GeoJSON geometry (dict), a
circle `{"lon": …, "lat": …, "radius_m": …}` (buffered in metres, as drone volumes are drawn), or a
`(lon, lat)` pair.
"""

import hashlib
import json
import math
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shapely
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from hotline.audit.log import record
from hotline.db import lock_commit_order
from hotline.json_input import UnusableJson, loads
from incidents.geojson import OUTSIDE_REGION, in_region
from incidents.notifications.models import BoundaryVersion

COMMITTED_FILE = Path(__file__).resolve().parent / "data" / "borders.geojson"
COMMITTED_LABEL = "natural-earth-10m"

PARTY_CODES = ("AL", "BA", "HR", "XK", "ME", "MK", "RS")
# Neighbours that are not parties (ISO 3166-1 alpha-2): computed with, never made recipients by default.
NEIGHBOUR_CODES = ("AT", "BG", "GR", "HU", "IT", "RO", "SI")
KNOWN_CODES = PARTY_CODES + NEIGHBOUR_CODES

# pyproj transformers are not safe to share between threads: one per thread.
_local = threading.local()


def _to_metres() -> Transformer:
    if not hasattr(_local, "transformer"):
        _local.transformer = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    return _local.transformer


class BoundaryError(ValueError):
    """A boundary file that cannot be used; the message is one line for the person who loads it."""


def project(geometry) -> shapely.Geometry:
    """A WGS84 lon/lat geometry (see the module docstring for the forms) in EPSG:3035 metres."""
    if isinstance(geometry, dict) and "radius_m" in geometry:
        centre = project(Point(geometry["lon"], geometry["lat"]))
        return centre.buffer(float(geometry["radius_m"]), quad_segs=16)
    if isinstance(geometry, dict):
        geometry = shape(geometry)
    elif isinstance(geometry, tuple | list):
        geometry = Point(*geometry[:2])
    minx, miny, maxx, maxy = geometry.bounds
    if not (in_region(minx, miny) and in_region(maxx, maxy)):
        raise ValueError(f"the geometry {OUTSIDE_REGION}")
    projected = shapely.transform(geometry, lambda x, y: _to_metres().transform(x, y), interleaved=False)
    # Within the region the projection is finite; kept so that no infinity ever becomes a distance of 0 m.
    if not all(math.isfinite(bound) for bound in projected.bounds):
        raise ValueError("the geometry has no place in EPSG:3035 metres")
    return projected


def project_exact(geometry) -> tuple[shapely.Geometry, float]:
    """(projected geometry, radius): a circle as its projected centre and its radius, so that distances
    from it are exact (project() draws it as a polygon inside the true circle); anything else as project()
    gives it, with radius 0."""
    if isinstance(geometry, dict) and "radius_m" in geometry:
        return project((geometry["lon"], geometry["lat"])), float(geometry["radius_m"])
    return project(geometry), 0.0


@dataclass(frozen=True)
class Territory:
    code: str
    name: str  # from the file; what users see comes from accounts.Party
    is_party: bool
    area: shapely.Geometry  # projected, prepared


class Boundaries:
    """One boundary set, projected once; all answers in metres."""

    def __init__(self, collection: dict, *, label: str, sha256: str, version_id: int | None = None):
        self.label, self.sha256, self.version_id = label, sha256, version_id
        self.territories: dict[str, Territory] = {}
        for feature in collection["features"]:
            code = feature["properties"]["code"]
            area = project(shape(feature["geometry"]))
            shapely.prepare(area)
            self.territories[code] = Territory(code, feature["properties"].get("name", code), code in PARTY_CODES, area)

    @property
    def version(self) -> str:
        """What a computation records: the label and the start of the file's SHA-256."""
        return f"{self.label}@{self.sha256[:12]}"

    def __repr__(self):
        return f"<Boundaries {self.version}>"

    def _candidates(self, parties_only: bool, exclude=()) -> list[Territory]:
        return [t for t in self.territories.values() if t.code not in exclude and (t.is_party or not parties_only)]

    def party_of(self, point) -> str | None:
        """The code of the territory the point lies in (a party or a neighbour), or None (the sea)."""
        where = project(point)
        for territory in self.territories.values():
            if territory.area.intersects(where):
                return territory.code
        return None

    def distance_to_border(self, geometry, party_code: str) -> float:
        """Metres from the geometry to the party's territory: 0 when it touches or enters it."""
        territory = self.territories.get(party_code)
        if territory is None:
            raise KeyError(f"no boundary for {party_code} in {self.version}")
        projected, grow_m = project_exact(geometry)
        return max(0.0, float(territory.area.distance(projected)) - grow_m)

    def neighbours_within(
        self, geometry, buffer_m: float, exclude: str | None = None, *, parties_only: bool = True
    ) -> list[tuple[str, float]]:
        """(code, metres) of every territory within `buffer_m` of the geometry, nearest first; the
        territory the geometry is in counts with 0 unless it is `exclude` (the notifying party)."""
        projected, grow_m = project_exact(geometry)
        return self.neighbours_within_projected(projected, buffer_m, exclude, parties_only=parties_only, grow_m=grow_m)

    def neighbours_within_projected(
        self, projected, buffer_m: float, exclude: str | None = None, *, parties_only: bool = True, grow_m: float = 0.0
    ) -> list[tuple[str, float]]:
        """neighbours_within() of a geometry already in EPSG:3035 (a caller asking several questions
        projects once). `grow_m`: the geometry is a circle's centre and this its radius, measured exactly
        (a circle drawn as a polygon lies inside the true one and would overstate distances)."""
        found = []
        for territory in self._candidates(parties_only, exclude=(exclude,)):
            # dwithin on a prepared geometry is indexed: most territories are ruled out cheaply.
            if shapely.dwithin(territory.area, projected, buffer_m + grow_m):
                found.append((territory.code, round(max(0.0, float(territory.area.distance(projected)) - grow_m), 1)))
        return sorted(found, key=lambda item: (item[1], item[0]))

    def crosses_into(self, geometry, home_party: str, *, parties_only: bool = True) -> list[str]:
        """Codes of the territories other than `home_party` the geometry enters (touching a line is not
        entering), in code order."""
        projected, grow_m = project_exact(geometry)
        return self.crosses_into_projected(projected, home_party, parties_only=parties_only, grow_m=grow_m)

    def crosses_into_projected(
        self, projected, home_party: str, *, parties_only: bool = True, grow_m: float = 0.0
    ) -> list[str]:
        """crosses_into() of a projected geometry; with `grow_m`, of the circle of that radius around it."""
        entered = []
        for territory in self._candidates(parties_only, exclude=(home_party,)):
            if grow_m:
                inside = float(territory.area.distance(projected)) < grow_m
            else:
                inside = territory.area.intersects(projected) and not territory.area.touches(projected)
            if inside:
                entered.append(territory.code)
        return sorted(entered)


# The projected sets, per version: projecting the committed data takes a few tens of milliseconds.
_cache: dict[tuple, Boundaries] = {}
_cache_lock = threading.Lock()


@cache
def committed() -> Boundaries:
    """The committed Natural Earth data."""
    raw = COMMITTED_FILE.read_bytes()
    return Boundaries(json.loads(raw), label=COMMITTED_LABEL, sha256=hashlib.sha256(raw).hexdigest())


def active() -> Boundaries:
    """The active loaded version, else the committed data. One small query per call, so every process
    follows a load at once; the geometry itself is read and projected once per version."""
    row = BoundaryVersion.objects.filter(active=True).values_list("pk", "label", "sha256").first()
    if row is None:
        return committed()
    with _cache_lock:
        found = _cache.get(row)
    if found is None:
        collection = BoundaryVersion.objects.values_list("geojson", flat=True).get(pk=row[0])
        found = Boundaries(collection, label=row[1], sha256=row[2], version_id=row[0])
        with _cache_lock:
            _cache.clear()  # only the active version is asked for
            _cache[row] = found
    return found


def party_of(point) -> str | None:
    return active().party_of(point)


def distance_to_border(geometry, party_code: str) -> float:
    return active().distance_to_border(geometry, party_code)


def neighbours_within(
    geometry, buffer_m: float, exclude: str | None = None, *, parties_only: bool = True
) -> list[tuple[str, float]]:
    return active().neighbours_within(geometry, buffer_m, exclude, parties_only=parties_only)


def crosses_into(geometry, home_party: str, *, parties_only: bool = True) -> list[str]:
    return active().crosses_into(geometry, home_party, parties_only=parties_only)


# Loading the commission's boundaries ---------------------------------------------------------------


def _check_position(position, where: str) -> None:
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in position)
    ):
        raise BoundaryError(f"{where}: a position is [longitude, latitude]")
    if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
        raise BoundaryError(f"{where}: {position[:2]} is not WGS84 longitude/latitude")
    if not in_region(position[0], position[1]):
        raise BoundaryError(f"{where}: {position[:2]} {OUTSIDE_REGION}")


def _check_polygon(rings, where: str) -> None:
    if not isinstance(rings, list) or not rings:
        raise BoundaryError(f"{where}: a polygon is a list of linear rings")
    for number, ring in enumerate(rings, 1):
        here = f"{where} ring {number}"
        if not isinstance(ring, list) or len(ring) < 4:
            raise BoundaryError(f"{here}: a linear ring has at least four positions")
        for position in ring:
            _check_position(position, here)
        if ring[0] != ring[-1]:
            raise BoundaryError(f"{here}: the last position must repeat the first")


def validate_collection(collection) -> None:
    """Raises BoundaryError, naming the first problem, unless `collection` is a GeoJSON FeatureCollection
    of Polygon/MultiPolygon features, one per known code, with valid rings in WGS84 lon/lat."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryError("the file is not a GeoJSON FeatureCollection")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError("the FeatureCollection has no features")
    seen = set()
    for number, feature in enumerate(features, 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise BoundaryError(f"feature {number}: not a GeoJSON Feature")
        code = (feature.get("properties") or {}).get("code")
        if code not in KNOWN_CODES:
            raise BoundaryError(f"feature {number}: properties.code {code!r} is not one of {', '.join(KNOWN_CODES)}")
        if code in seen:
            raise BoundaryError(f"feature {number}: a second feature for {code}")
        seen.add(code)
        where = f"feature {number} ({code})"
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if kind == "Polygon":
            _check_polygon(coordinates, where)
        elif kind == "MultiPolygon":
            if not isinstance(coordinates, list) or not coordinates:
                raise BoundaryError(f"{where}: a MultiPolygon is a list of polygons")
            for index, polygon in enumerate(coordinates, 1):
                _check_polygon(polygon, f"{where} polygon {index}")
        else:
            raise BoundaryError(f"{where}: the geometry must be a Polygon or MultiPolygon, not {kind}")
        area = shape(geometry)
        if not area.is_valid:
            raise BoundaryError(f"{where}: not a valid polygon ({explain_validity(area)})")


def do_load_boundaries(raw: bytes, *, label: str, source: str, loaded_by: str):
    """Validate a GeoJSON boundary file, store it as a new version, make it the active one and audit
    the load, in one transaction. Raises BoundaryError (nothing written) for a bad file or label."""
    label, source = label.strip(), source.strip()
    if not label or len(label) > 100:
        raise BoundaryError("the label is 1 to 100 characters")
    if not source or len(source) > 300:
        raise BoundaryError("the source is 1 to 300 characters")
    try:
        collection = loads(raw)
    except UnusableJson as error:
        raise BoundaryError(f"the file is not JSON we can use ({error})") from None
    validate_collection(collection)
    with transaction.atomic():
        # Two loads at once: the second waits here, then sees the first's label and active row.
        lock_commit_order()
        if BoundaryVersion.objects.filter(label=label).exists():
            raise BoundaryError(f"a boundary version labelled {label!r} exists already")
        BoundaryVersion.objects.filter(active=True).update(active=False)
        version = BoundaryVersion.objects.create(
            label=label,
            source=source,
            loaded_at=timezone.now(),
            loaded_by_label=loaded_by,
            geojson=collection,
            sha256=hashlib.sha256(raw).hexdigest(),
            active=True,
        )
        record(
            "boundaries.loaded",
            target=version,
            details={
                "label": label,
                "source": source,
                "sha256": version.sha256,
                "loaded_by": loaded_by,
                "codes": sorted(f["properties"]["code"] for f in collection["features"]),
            },
        )
    return version
