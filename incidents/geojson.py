"""Geometries as people and clients give them: GeoJSON (RFC 7946) in WGS84 longitude/latitude — an
incident's location, an exercise's area, a drone volume's polygon or circle, a boundary file's outlines.

Two rules hold for every one of them, here and nowhere else:
- `parse_geojson`: the text of a console field is read by hotline.json_input (nothing typed can make a
  500: too deep, a 5,000-digit number, a NUL), refused in a sentence the form shows beside the field;
- `in_region`: every position lies in the parties' region (REGION, generous: the neighbours' territories
  fit in it). Farther away, EPSG:3035 (incidents/notifications/borders.py) stops being a faithful map
  of metres — at its antipode (−170°, −52°) every coordinate is infinite and every distance came out 0 m.
"""

from django.core.exceptions import ValidationError

from hotline.json_input import UnusableJson, loads

# An optional third number (an altitude, which we do not use) is bounded so no arithmetic on it overflows.
LARGEST_ALTITUDE = 100_000

# The Western Balkans with a wide margin: the committed boundaries (parties and neighbours, Sicily to
# Rhodes) span 13.4°–29.7° E and 34.8°–48.6° N.
REGION = {"west": 0.0, "east": 35.0, "south": 30.0, "north": 55.0}
OUTSIDE_REGION = (
    f"lies outside the region (longitude {REGION['west']:g}° to {REGION['east']:g}° E, latitude "
    f"{REGION['south']:g}° to {REGION['north']:g}° N). Positions are [longitude, latitude]: were they swapped?"
)


def in_region(longitude: float, latitude: float) -> bool:
    return REGION["west"] <= longitude <= REGION["east"] and REGION["south"] <= latitude <= REGION["north"]


# The JSON parser's words for what it stumbled on (json.JSONDecodeError.msg), in a reader's words.
SYNTAX_WORDS = {
    "Extra data": "something after the end of the geometry",
    "Expecting value": "a number, a list or text in double quotes was expected",
    "Expecting ',' delimiter": "a comma is missing",
    "Expecting ':' delimiter": "a colon is missing after a name",
    "Expecting property name enclosed in double quotes": "a name in double quotes was expected (is a comma extra?)",
    "Unterminated string starting at": "a text in quotes is not closed",
    "Invalid control character at": "a line break or tab inside quotes",
    "Invalid \\escape": "a backslash that starts no escape",
}
GEOMETRY_EXPECTED = 'This must be one GeoJSON geometry, e.g. {"type": "Point", "coordinates": [19.1, 45.8]}'


def syntax_words(message: str) -> str:
    for start, words in SYNTAX_WORDS.items():
        if message.startswith(start):
            return words
    return message[:1].lower() + message[1:]


def parse_geojson(text: str, expected: str = GEOMETRY_EXPECTED):
    """The JSON typed into a console field, or ValidationError with a sentence for the person: text that
    is not JSON at all is answered with `expected` (what the field takes, with an example) and where
    the reading stopped."""
    try:
        return loads(text)
    except UnusableJson as error:
        if error.syntax is None:
            raise ValidationError(str(error)) from None
        message, line, column = error.syntax
        raise ValidationError(f"{expected} ({syntax_words(message)}, line {line}, column {column}).") from None


def _position_problem(value, where: str) -> str | None:
    """What is wrong with one position, or None."""
    if (
        not isinstance(value, list | tuple)
        or len(value) not in (2, 3)
        or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in value)
    ):
        return f"{where}: a position is [longitude, latitude]."
    if len(value) == 3 and not -LARGEST_ALTITUDE <= value[2] <= LARGEST_ALTITUDE:
        return f"{where}: a position's altitude lies within ±{LARGEST_ALTITUDE:,} m."
    longitude, latitude = value[0], value[1]
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        return f"{where}: longitude must lie in [-180, 180] and latitude in [-90, 90]."
    if not in_region(longitude, latitude):
        return f"{where}: [{longitude:g}, {latitude:g}] {OUTSIDE_REGION}"
    return None


def _position(value, where: str) -> None:
    problem = _position_problem(value, where)
    if problem:
        raise ValidationError(problem)


def validate_location(value) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or value.get("type") not in ("Point", "Polygon"):
        raise ValidationError('A location is a GeoJSON object of type "Point" or "Polygon".')
    coordinates = value.get("coordinates")
    if value["type"] == "Point":
        _position(coordinates, "Point")
        return
    _rings(coordinates)


# An area drawn or pasted by an officer: a 100,000-position one took 5 s to file and made every list that
# shows it megabytes long. The committed and loaded borders (notifications.borders) are not held to it.
MAX_POLYGON_VERTICES = 1_000


# Positions named per ring: a pasted area with every position swapped says so three times, not 1,000.
POSITIONS_NAMED = 3


def _rings(coordinates) -> None:
    """Every problem of every ring at once (one ValidationError listing them), so that one correction
    does not merely reveal the next."""
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError("Polygon: coordinates are a list of linear rings.")
    positions = sum(len(ring) for ring in coordinates if isinstance(ring, list))
    if positions > MAX_POLYGON_VERTICES:
        raise ValidationError(
            f"Polygon: at most {MAX_POLYGON_VERTICES:,} positions in all its rings; this one has {positions:,}. "
            "Simplify the area."
        )
    problems = []
    for number, ring in enumerate(coordinates, 1):
        where = f"Polygon ring {number}"
        if not isinstance(ring, list) or len(ring) < 4:
            problems.append(f"{where}: a linear ring has at least four positions.")
        if not isinstance(ring, list):
            continue
        found = [problem for problem in (_position_problem(position, where) for position in ring) if problem]
        problems += found[:POSITIONS_NAMED]
        if len(found) > POSITIONS_NAMED:
            problems.append(f"{where}: {len(found) - POSITIONS_NAMED} more positions like these.")
        if ring and not found and list(ring[0]) != list(ring[-1]):
            problems.append(f"{where}: the last position must repeat the first.")
    if problems:
        raise ValidationError(problems)


def validate_polygon(value) -> None:
    """A GeoJSON Polygon (RFC 7946) in WGS84 longitude/latitude."""
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        raise ValidationError('An area is a GeoJSON object of type "Polygon".')
    _rings(value.get("coordinates"))


MAX_RADIUS_M = 200_000


def validate_circle(value) -> None:
    """A circle as {"lon": …, "lat": …, "radius_m": …}: WGS84 centre, radius in metres."""
    if not isinstance(value, dict) or set(value) != {"lon", "lat", "radius_m"}:
        raise ValidationError('A circle is {"lon": …, "lat": …, "radius_m": …}.')
    _position([value["lon"], value["lat"]], "Circle centre")
    radius = value["radius_m"]
    if not isinstance(radius, int | float) or isinstance(radius, bool) or not 0 < radius <= MAX_RADIUS_M:
        raise ValidationError(f"Circle: radius_m is a number of metres above 0 and at most {MAX_RADIUS_M:,}.")
