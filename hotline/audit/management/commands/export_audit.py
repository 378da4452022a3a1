from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from hotline.audit.export import export_lines
from hotline.audit.log import record


def moment(text: str) -> datetime:
    value = parse_datetime(text)
    if value is None or value.tzinfo is None:
        raise CommandError(f"{text!r} is not a date-time with a zone, e.g. 2026-11-01T00:00:00Z")
    return value


class Command(BaseCommand):
    help = "Export the audit log of a period as JSON lines with inclusion proofs (see scripts/verify_audit_export.py)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=moment)
        parser.add_argument("--until", type=moment)

    def handle(self, *args, since, until, **options):
        record(
            "audit.exported",
            details={
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "via": "command",
            },
        )
        for line in export_lines(since, until):
            self.stdout.write(line)
