# The reachability checks now belong to the app `reachability` (its 0001 took over the models' state).
# Their tables and rows stay as they are; here they leave accounts' state, and their content types
# (which the permissions and any admin log entries point to) move to the new app label, both ways.

from django.db import migrations

MODELS = ("reachabilitycheck", "checkresponse")


def _move_content_types(apps, schema_editor, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if content_types.filter(app_label=target, model=model).exists():
            continue  # already there (the stale one, if any, is remove_stale_contenttypes' to remove)
        content_types.filter(app_label=source, model=model).update(app_label=target)


def to_reachability(apps, schema_editor):
    _move_content_types(apps, schema_editor, "accounts", "reachability")


def to_accounts(apps, schema_editor):
    _move_content_types(apps, schema_editor, "reachability", "accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_reachability_checks"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reachability", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CheckResponse"),
                migrations.DeleteModel(name="ReachabilityCheck"),
            ],
        ),
        migrations.RunPython(to_reachability, to_accounts),
    ]
