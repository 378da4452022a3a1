"""The location of an incident: a GeoJSON Point or Polygon (RFC 7946) in WGS84 longitude/latitude."""

from django.core.exceptions import ValidationError


def _position(value, where: str) -> None:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3) or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in value):
        raise ValidationError(f"{where}: a position is [longitude, latitude].")
    longitude, latitude = value[0], value[1]
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise ValidationError(f"{where}: longitude must lie in [-180, 180] and latitude in [-90, 90].")


def validate_location(value) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or value.get("type") not in ("Point", "Polygon"):
        raise ValidationError('A location is a GeoJSON object of type "Point" or "Polygon".')
    coordinates = value.get("coordinates")
    if value["type"] == "Point":
        _position(coordinates, "Point")
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError("Polygon: coordinates are a list of linear rings.")
    for number, ring in enumerate(coordinates, 1):
        where = f"Polygon ring {number}"
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(f"{where}: a linear ring has at least four positions.")
        for position in ring:
            _position(position, where)
        if list(ring[0]) != list(ring[-1]):
            raise ValidationError(f"{where}: the last position must repeat the first.")
