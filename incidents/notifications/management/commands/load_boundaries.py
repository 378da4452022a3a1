"""Loads the commission's agreed boundaries: a GeoJSON FeatureCollection, one feature per party code."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.notifications.borders import BoundaryError, do_load_boundaries


class Command(BaseCommand):
    help = "Validate a GeoJSON boundary file, store it as a new boundary version and make it the active one."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="GeoJSON FeatureCollection in WGS84 lon/lat; properties.code per feature"
        )
        parser.add_argument("--label", required=True, help="the version's name, recorded on every computation")
        parser.add_argument("--source", required=True, help="where the boundaries come from")
        parser.add_argument("--by", default=None, help="who loads it (default: the operating-system user)")

    def handle(self, *args, file: Path, label: str, source: str, by: str | None, **options):
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        try:
            version = do_load_boundaries(raw, label=label, source=source, loaded_by=by or getpass.getuser())
        except BoundaryError as error:
            raise CommandError(f"{file}: {error}; nothing was loaded") from None
        codes = ", ".join(sorted(f["properties"]["code"] for f in version.geojson["features"]))
        self.stdout.write(
            f"loaded boundary version {version.label} ({codes}), sha256 {version.sha256[:12]}; it is now active"
        )
