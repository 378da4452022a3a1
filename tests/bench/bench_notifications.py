"""Notifications: the recipients of a drone flight, computed per volume against the committed boundaries.

What is timed, one volume at a time as a filing computes it (actions.assess_flight):
- geography: `rules.flight_geography` — every other party whose border lies within the 25 km buffer,
  with its distance, and the parties the volume enters. This is the issue's figure: p99 under 5 ms.
- clean, the baseline measured in the same run: `rules.clean_volumes` for the same volume (parsing,
  validation and projection to EPSG:3035), which every filing pays before any border is asked about.
- as filed: both, one after the other.
Each is timed by the wall clock (what a filing waits) and by the thread's CPU time (what the work
costs, whatever else the shared machine runs meanwhile).

Volumes are random but seeded: polygons (3 to 12 vertices, star-shaped so never self-crossing, 200 m to
15 km from their centre) and circles (100 m to 20 km, log-uniform), half of them centred within 30 km
of a party's border, where the answer takes the most work, the rest anywhere over the region. The
notifying party is the one the centre lies in (a random party for the sea and the non-party neighbours).
"""

import gc
import math
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from pyproj import Transformer
from shapely.geometry import Point

from incidents.notifications import borders, rules

REGION = (13.5, 39.6, 23.0, 46.6)  # west, south, east, north: the parties, their neighbours and the Adriatic
NEAR_BORDER_M = 30_000
BUFFER_M = 25_000
WARM_UP = 200
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, *args):
    """(result, wall-clock seconds, this thread's CPU seconds): on a shared machine the first includes
    the time a neighbour held the CPU; the second is what the computation itself cost."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.thread_time() - cpu


class Region:
    """Random places and shapes over the region, in metres (EPSG:3035), given back in WGS84."""

    def __init__(self, boundaries: borders.Boundaries, rng: random.Random):
        self.rng = rng
        self.boundaries = boundaries
        self.outlines = [boundaries.territories[code].area.boundary for code in borders.PARTY_CODES]
        self.to_degrees = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
        self.to_metres = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)

    def centre(self, near_border: bool) -> tuple[float, float]:
        """(x, y) in metres: near a party's border, or anywhere in the region."""
        if near_border:
            outline = self.rng.choice(self.outlines)
            on_border = outline.interpolate(self.rng.random(), normalized=True)
            angle, distance = self.rng.uniform(0, 2 * math.pi), self.rng.uniform(0, NEAR_BORDER_M)
            return on_border.x + distance * math.cos(angle), on_border.y + distance * math.sin(angle)
        west, south, east, north = REGION
        return self.to_metres.transform(self.rng.uniform(west, east), self.rng.uniform(south, north))

    def area(self, x: float, y: float) -> dict:
        if self.rng.random() < 0.5:
            lon, lat = self.to_degrees.transform(x, y)
            return {
                "circle": {
                    "lon": lon,
                    "lat": lat,
                    "radius_m": math.exp(self.rng.uniform(math.log(100), math.log(20_000))),
                }
            }
        corners = self.rng.randint(3, 12)
        angles = sorted(self.rng.uniform(0, 2 * math.pi) for _ in range(corners))
        ring = []
        for angle in angles:
            reach = self.rng.uniform(200, 15_000)
            lon, lat = self.to_degrees.transform(x + reach * math.cos(angle), y + reach * math.sin(angle))
            ring.append([round(lon, 6), round(lat, 6)])
        return {"polygon": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}}

    def home_party(self, x: float, y: float) -> str:
        lon, lat = self.to_degrees.transform(x, y)
        found = self.boundaries.party_of(Point(lon, lat))
        return found if found in borders.PARTY_CODES else self.rng.choice(borders.PARTY_CODES)


def random_volumes(region: Region, count: int) -> list[tuple[dict, str, bool]]:
    """(raw volume, notifying party, near a border?) for `count` volumes."""
    volumes = []
    start = NOW + timedelta(days=4)
    while len(volumes) < count:
        near_border = len(volumes) % 2 == 0
        x, y = region.centre(near_border)
        raw = {
            **region.area(x, y),
            "altitude_lower": {"value": 0, "unit": "m", "reference": "AGL"},
            "altitude_upper": {"value": 120, "unit": "m", "reference": "AGL"},
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
        }
        try:
            rules.clean_volumes([raw], NOW)
        except ValidationError:  # a random shape the rules refuse: draw another
            continue
        volumes.append((raw, region.home_party(x, y), near_border))
    return volumes


def line(label: str, seconds: list[float]) -> str:
    ordered = sorted(s * 1000 for s in seconds)
    return (
        f"  {label:<34} p50 {percentile(ordered, 0.50):6.3f} ms   p95 {percentile(ordered, 0.95):6.3f} ms   "
        f"p99 {percentile(ordered, 0.99):6.3f} ms   max {ordered[-1]:7.3f} ms"
    )


def run(volumes: int, seed: int) -> None:
    print(
        f"notifications benchmark: recipients of {volumes:,} drone-flight volumes (seed {seed}), buffer {BUFFER_M:,} m"
    )
    boundaries, load_s, _ = timed(borders.committed)
    print(
        f"  committed boundaries {boundaries.version}: read and projected in {load_s * 1000:.0f} ms (once per version)"
    )
    sample = random_volumes(Region(boundaries, random.Random(seed)), volumes + WARM_UP)

    clean, geography, filed, found, clean_cpu, geography_cpu = [], [], [], [], [], []
    gc.collect()
    for index, (raw, home, near_border) in enumerate(sample):
        checked, clean_s, clean_cpu_s = timed(rules.clean_volumes, [raw], NOW)
        result, geography_s, geography_cpu_s = timed(rules.flight_geography, checked, home, BUFFER_M, boundaries)
        if index < WARM_UP:
            continue
        clean.append(clean_s)
        geography.append(geography_s)
        filed.append(clean_s + geography_s)
        clean_cpu.append(clean_cpu_s)
        geography_cpu.append(geography_cpu_s)
        found.append((near_border, "circle" in raw, result))

    near = [s for s, (near_border, _, _) in zip(geography, found, strict=True) if near_border]
    elsewhere = [s for s, (near_border, _, _) in zip(geography, found, strict=True) if not near_border]
    circles = [s for s, (_, is_circle, _) in zip(geography, found, strict=True) if is_circle]
    polygons = [s for s, (_, is_circle, _) in zip(geography, found, strict=True) if not is_circle]
    print(line("clean_volumes (baseline)", clean))
    print(line("flight_geography", geography))
    print(line("  volumes near a border", near))
    print(line("  volumes elsewhere", elsewhere))
    print(line("  circles", circles))
    print(line("  polygons", polygons))
    print(line("as filed (clean + geography)", filed))
    print("  CPU time of this thread (what a neighbour on the shared machine cannot add to):")
    print(line("clean_volumes (baseline)", clean_cpu))
    print(line("flight_geography", geography_cpu))
    with_neighbours = sum(1 for _, _, result in found if result.neighbours)
    entering = sum(1 for _, _, result in found if result.crosses_into)
    print(
        f"  volumes with a party within the buffer: {with_neighbours:,} of {len(found):,}; "
        f"entering another party: {entering:,}"
    )
    ratio = statistics.median(geography) / statistics.median(clean)
    print(f"  flight_geography / clean_volumes at p50: {ratio:.2f}×")
    p99, p99_cpu = percentile(sorted(geography), 0.99) * 1000, percentile(sorted(geography_cpu), 0.99) * 1000
    print(
        f"  target p99 < 5 ms per volume (wall clock): {'met' if p99 < 5 else 'NOT MET'} "
        f"({p99:.3f} ms; CPU {p99_cpu:.3f} ms)"
    )
