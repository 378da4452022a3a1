"""The content types of the moved models follow them from app label "incidents" to "notifications", so
that permissions granted on them (and anything else that names a content type) keep pointing at them.

Where a "notifications" content type already exists for a model (created by an earlier run), it is
left as it is and the old one too. Reversible: backwards moves them home again, under the same rule.
"""

from django.db import migrations

MODELS = [
    "boundaryversion",
    "droneconflict",
    "droneflight",
    "droneflightacknowledgement",
    "dronevolume",
    "exerciseacknowledgement",
    "exercisenotification",
    "exerciseversion",
    "notificationpolicy",
    "observationinvitation",
    "observationreply",
]


def _move(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    using = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(using).filter(app_label=target, model__in=MODELS).values_list("model", flat=True)
    )
    ContentType.objects.using(using).filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, schema_editor, "incidents", "notifications")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, "notifications", "incidents")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0004_notifications_moved"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
