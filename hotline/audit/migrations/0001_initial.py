from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE TABLE audit_entry (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        recorded_at timestamp with time zone NOT NULL,
        actor varchar(150) NOT NULL,
        organisation varchar(12) NOT NULL,
        action varchar(64) NOT NULL,
        body text NOT NULL,
        prev_hash bytea NOT NULL,
        leaf_hash bytea NOT NULL
    )
    """,
    # The reviewer page filters by these.
    "CREATE INDEX audit_entry_organisation ON audit_entry (organisation, seq)",
    "CREATE INDEX audit_entry_action ON audit_entry (action, seq)",
    "CREATE INDEX audit_entry_recorded_at ON audit_entry (recorded_at)",
    """
    CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP;
    END
    $$
    """,
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()""",
]

SQLITE = [
    """
    CREATE TABLE audit_entry (
        seq integer PRIMARY KEY CHECK (seq > 0),
        recorded_at datetime NOT NULL,
        actor varchar(150) NOT NULL,
        organisation varchar(12) NOT NULL,
        action varchar(64) NOT NULL,
        body text NOT NULL,
        prev_hash blob NOT NULL,
        leaf_hash blob NOT NULL
    )
    """,
    "CREATE INDEX audit_entry_organisation ON audit_entry (organisation, seq)",
    "CREATE INDEX audit_entry_action ON audit_entry (action, seq)",
    "CREATE INDEX audit_entry_recorded_at ON audit_entry (recorded_at)",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE refused'); END""",
]


def create_append_only_table(apps, schema_editor):
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"the audit log has no table definition for {schema_editor.connection.vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)  # no parameters: "%" in the PL/pgSQL is literal


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunPython(create_append_only_table, migrations.RunPython.noop),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False)),
                ("recorded_at", models.DateTimeField()),
                ("actor", models.CharField(max_length=150)),
                ("organisation", models.CharField(max_length=12)),
                ("action", models.CharField(max_length=64)),
                ("body", models.TextField()),
                ("prev_hash", models.BinaryField()),
                ("leaf_hash", models.BinaryField()),
            ],
            options={
                "verbose_name_plural": "audit entries",
                "db_table": "audit_entry",
                "ordering": ["-seq"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tree_size", models.BigIntegerField()),
                ("root_hash", models.BinaryField()),
                ("note", models.TextField(help_text="The C2SP signed note, exactly as published.")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["-tree_size", "-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tree_size",),
                        name="audit_checkpoint_one_per_size",
                        violation_error_message="A checkpoint of this size exists already.",
                    )
                ],
            },
        ),
    ]
