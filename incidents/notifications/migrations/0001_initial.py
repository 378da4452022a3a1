"""The notification models, taken over from the incidents app with their tables (nothing is created)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import incidents.geojson


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_reachability_checks"),
        ("incidents", "0003_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist: incidents' 0002 and 0003 made them, and the models keep their names
            # (Meta.db_table). Only Django's idea of which app owns them changes.
            state_operations=[
                migrations.CreateModel(
                    name="NotificationPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "troops",
                            models.PositiveIntegerField(
                                default=1500,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "battle_tanks",
                            models.PositiveIntegerField(
                                default=25,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "armoured_combat_vehicles",
                            models.PositiveIntegerField(
                                default=50,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "artillery",
                            models.PositiveIntegerField(
                                default=25,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                                verbose_name="artillery pieces (100 mm and above)",
                            ),
                        ),
                        (
                            "combat_aircraft_sorties",
                            models.PositiveIntegerField(
                                default=20,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "armed_drone_live_fire",
                            models.BooleanField(default=True, verbose_name="any live firing with armed drones"),
                        ),
                        (
                            "border_troops",
                            models.PositiveIntegerField(
                                default=300,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                                verbose_name="troops near a border",
                            ),
                        ),
                        (
                            "border_distance_m",
                            models.PositiveIntegerField(
                                default=15000,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(200000),
                                ],
                                verbose_name="“near a border”: within (m)",
                            ),
                        ),
                        (
                            "exercise_notice_days",
                            models.PositiveIntegerField(
                                default=42, validators=[django.core.validators.MaxValueValidator(365)]
                            ),
                        ),
                        (
                            "drone_notice_hours",
                            models.PositiveIntegerField(
                                default=72, validators=[django.core.validators.MaxValueValidator(1440)]
                            ),
                        ),
                        (
                            "drone_buffer_m",
                            models.PositiveIntegerField(
                                default=25000,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(200000),
                                ],
                                verbose_name="drone buffer (m)",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, null=True)),
                        ("updated_by_label", models.CharField(blank=True, max_length=150)),
                    ],
                    options={
                        "verbose_name_plural": "notification policy",
                        "db_table": "incidents_notificationpolicy",
                    },
                ),
                migrations.CreateModel(
                    name="BoundaryVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "label",
                            models.CharField(
                                help_text="The version's name, recorded on every computation.",
                                max_length=100,
                                unique=True,
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                help_text="Where the boundaries come from (agreement, survey, data set).",
                                max_length=300,
                            ),
                        ),
                        ("loaded_at", models.DateTimeField()),
                        ("loaded_by_label", models.CharField(max_length=150)),
                        (
                            "geojson",
                            models.JSONField(
                                help_text="A GeoJSON FeatureCollection: one feature per party code, WGS84 lon/lat."
                            ),
                        ),
                        ("sha256", models.CharField(help_text="Of the file as loaded.", max_length=64)),
                        ("active", models.BooleanField(default=False)),
                    ],
                    options={
                        "db_table": "incidents_boundaryversion",
                        "ordering": ["-loaded_at", "-pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("active", True)),
                                fields=("active",),
                                name="boundary_version_one_active",
                                violation_error_message="Only one boundary version is active at a time.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DroneFlight",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(editable=False)),
                        ("number", models.PositiveIntegerField(editable=False)),
                        ("aircraft_type", models.CharField(max_length=100)),
                        (
                            "aircraft_category",
                            models.CharField(
                                choices=[
                                    ("micro", "Class I micro (< 2 kg)"),
                                    ("mini", "Class I mini (2–20 kg)"),
                                    ("small", "Class I small (20–150 kg)"),
                                    ("tactical", "Class II tactical (150–600 kg)"),
                                    ("male", "Class III MALE"),
                                    ("hale", "Class III HALE"),
                                    ("combat", "Class III strike/combat"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("armed", models.BooleanField(default=False)),
                        (
                            "mtom_kg",
                            models.DecimalField(
                                decimal_places=1,
                                max_digits=8,
                                validators=[django.core.validators.MinValueValidator(0)],
                                verbose_name="maximum take-off mass (kg)",
                            ),
                        ),
                        ("remote_id", models.CharField(blank=True, max_length=40, verbose_name="Remote ID serial")),
                        ("purpose", models.CharField(max_length=500)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("activated", "Activated"),
                                    ("completed", "Completed"),
                                    ("cancelled", "Cancelled"),
                                    ("non_conforming", "Non-conforming"),
                                ],
                                default="planned",
                                max_length=16,
                            ),
                        ),
                        ("deviation_report", models.TextField(blank=True, max_length=4000)),
                        ("starts_at", models.DateTimeField(help_text="The earliest volume's start.")),
                        ("ends_at", models.DateTimeField(help_text="The latest volume's end.")),
                        ("filed_at", models.DateTimeField()),
                        ("filed_by_label", models.CharField(max_length=150)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("late_by_s", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "neighbours",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="[{party, distance_m}] within the buffer, nearest first.",
                            ),
                        ),
                        (
                            "crosses_into",
                            models.JSONField(
                                blank=True, default=list, help_text="Codes of the parties a volume enters."
                            ),
                        ),
                        ("boundary_version", models.CharField(max_length=120)),
                        ("policy", models.JSONField(blank=True, default=dict)),
                        (
                            "filed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                help_text="The operator.",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="drone_flights",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_droneflight",
                        "ordering": ["-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="DroneFlightAcknowledgement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("due_at", models.DateTimeField()),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        ("acknowledged_by_label", models.CharField(blank=True, max_length=150)),
                        (
                            "method",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("console", "Console"),
                                    ("api", "API"),
                                    ("link", "Link in a page"),
                                    ("phone", "Phoned in"),
                                ],
                                max_length=8,
                            ),
                        ),
                        ("distance_m", models.FloatField(blank=True, help_text="Null for the commission.", null=True)),
                        (
                            "cross_border",
                            models.BooleanField(
                                default=False,
                                help_text="A volume enters this party: its acknowledgement is needed before activation.",
                            ),
                        ),
                        (
                            "acknowledged_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "flight",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="acknowledgements",
                                to="notifications.droneflight",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_droneflightacknowledgement",
                        "ordering": ["flight", "organisation__code"],
                    },
                ),
                migrations.CreateModel(
                    name="DroneVolume",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField()),
                        (
                            "polygon",
                            models.JSONField(blank=True, null=True, validators=[incidents.geojson.validate_polygon]),
                        ),
                        (
                            "circle",
                            models.JSONField(
                                blank=True,
                                help_text='{"lon", "lat", "radius_m"}',
                                null=True,
                                validators=[incidents.geojson.validate_circle],
                            ),
                        ),
                        ("lower_value", models.FloatField()),
                        ("lower_unit", models.CharField(choices=[("m", "metres"), ("ft", "feet")], max_length=2)),
                        (
                            "lower_reference",
                            models.CharField(
                                choices=[
                                    ("AGL", "above ground level"),
                                    ("AMSL", "above mean sea level"),
                                    ("WGS84", "above the WGS84 ellipsoid"),
                                ],
                                max_length=5,
                            ),
                        ),
                        ("upper_value", models.FloatField()),
                        ("upper_unit", models.CharField(choices=[("m", "metres"), ("ft", "feet")], max_length=2)),
                        (
                            "upper_reference",
                            models.CharField(
                                choices=[
                                    ("AGL", "above ground level"),
                                    ("AMSL", "above mean sea level"),
                                    ("WGS84", "above the WGS84 ellipsoid"),
                                ],
                                max_length=5,
                            ),
                        ),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        ("west", models.FloatField()),
                        ("south", models.FloatField()),
                        ("east", models.FloatField()),
                        ("north", models.FloatField()),
                        (
                            "flight",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="volumes",
                                to="notifications.droneflight",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_dronevolume",
                        "ordering": ["flight", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="DroneConflict",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("found_at", models.DateTimeField()),
                        (
                            "first",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="notifications.dronevolume",
                            ),
                        ),
                        (
                            "second",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="notifications.dronevolume",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_droneconflict",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ExerciseNotification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(editable=False)),
                        ("number", models.PositiveIntegerField(editable=False)),
                        ("cancelled", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="exercise_notifications",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_exercisenotification",
                        "ordering": ["-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ExerciseVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("notice", "Notification"),
                                    ("amendment", "Amendment"),
                                    ("cancellation", "Cancellation"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "reason",
                            models.TextField(blank=True, help_text="Why it was amended or cancelled.", max_length=2000),
                        ),
                        ("designation", models.CharField(max_length=200)),
                        (
                            "exercise_type",
                            models.CharField(
                                choices=[
                                    ("field_training", "Field training"),
                                    ("live_firing", "Live firing"),
                                    ("command_post", "Command post"),
                                    ("air", "Air"),
                                    ("naval", "Naval"),
                                    ("cyber", "Cyber"),
                                    ("drone_live_fire", "Drone live fire"),
                                ],
                                max_length=20,
                                verbose_name="type",
                            ),
                        ),
                        ("purpose", models.TextField(max_length=4000)),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        (
                            "area",
                            models.JSONField(
                                help_text="GeoJSON Polygon, WGS84 lon/lat.",
                                validators=[incidents.geojson.validate_polygon],
                            ),
                        ),
                        ("place_names", models.CharField(blank=True, max_length=500)),
                        (
                            "command_level",
                            models.CharField(
                                choices=[
                                    ("company", "Company"),
                                    ("battalion", "Battalion"),
                                    ("brigade", "Brigade or regiment"),
                                    ("division", "Division"),
                                    ("corps", "Corps"),
                                    ("general_staff", "General staff or joint command"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "troops",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "airborne_or_amphibious_troops",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "battle_tanks",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "armoured_combat_vehicles",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "artillery",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                                verbose_name="artillery (100 mm and above)",
                            ),
                        ),
                        (
                            "combat_aircraft_sorties",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "helicopters",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "uncrewed_aircraft",
                            models.PositiveIntegerField(
                                default=0,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000000),
                                ],
                            ),
                        ),
                        (
                            "uncrewed_types",
                            models.CharField(blank=True, max_length=300, verbose_name="uncrewed aircraft types"),
                        ),
                        ("uncrewed_armed", models.BooleanField(default=False, verbose_name="uncrewed aircraft armed")),
                        ("live_fire", models.BooleanField(default=False)),
                        (
                            "foreign_forces",
                            models.TextField(
                                blank=True, max_length=2000, verbose_name="participation of other states' forces"
                            ),
                        ),
                        ("filed_at", models.DateTimeField()),
                        ("filed_by_label", models.CharField(max_length=150)),
                        ("notifiable_reasons", models.JSONField(blank=True, default=list)),
                        (
                            "late_by_s",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Seconds after the notice period's start; null if on time.",
                                null=True,
                            ),
                        ),
                        (
                            "near_borders",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="[{party, distance_m}] within the policy's border distance.",
                            ),
                        ),
                        ("boundary_version", models.CharField(max_length=120)),
                        (
                            "policy",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="The policy applied (NotificationPolicy.snapshot()).",
                            ),
                        ),
                        (
                            "filed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "notification",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="versions",
                                to="notifications.exercisenotification",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_exerciseversion",
                        "ordering": ["notification", "number"],
                    },
                ),
                migrations.AddField(
                    model_name="exercisenotification",
                    name="latest",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="notifications.exerciseversion",
                    ),
                ),
                migrations.CreateModel(
                    name="ExerciseAcknowledgement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("due_at", models.DateTimeField()),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        ("acknowledged_by_label", models.CharField(blank=True, max_length=150)),
                        (
                            "method",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("console", "Console"),
                                    ("api", "API"),
                                    ("link", "Link in a page"),
                                    ("phone", "Phoned in"),
                                ],
                                max_length=8,
                            ),
                        ),
                        (
                            "acknowledged_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="acknowledgements",
                                to="notifications.exerciseversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_exerciseacknowledgement",
                        "ordering": ["version", "organisation__code"],
                    },
                ),
                migrations.CreateModel(
                    name="ObservationInvitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("starts_at", models.DateTimeField(verbose_name="observation from")),
                        ("ends_at", models.DateTimeField(verbose_name="observation until")),
                        (
                            "reporting_point",
                            models.CharField(help_text="Where and when observers report.", max_length=300),
                        ),
                        (
                            "observers_per_party",
                            models.PositiveSmallIntegerField(
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(20),
                                ]
                            ),
                        ),
                        ("reply_by", models.DateTimeField()),
                        ("details", models.TextField(blank=True, max_length=4000)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by_label", models.CharField(max_length=150)),
                        (
                            "notification",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="notifications.exercisenotification",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_observationinvitation",
                        "ordering": ["notification", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ObservationReply",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "answer",
                            models.CharField(
                                choices=[("accepted", "Accepted"), ("declined", "Declined")], max_length=10
                            ),
                        ),
                        ("observers", models.JSONField(blank=True, default=list, help_text="The observers' names.")),
                        ("replied_at", models.DateTimeField()),
                        ("replied_by_label", models.CharField(max_length=150)),
                        (
                            "invitation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="replies",
                                to="notifications.observationinvitation",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "incidents_observationreply",
                        "ordering": ["invitation", "organisation__code"],
                    },
                ),
                migrations.AddIndex(
                    model_name="droneflight",
                    index=models.Index(fields=["state", "ends_at"], name="drone_flight_live"),
                ),
                migrations.AddConstraint(
                    model_name="droneflight",
                    constraint=models.UniqueConstraint(fields=("year", "number"), name="drone_flight_reference_unique"),
                ),
                migrations.AddConstraint(
                    model_name="droneflight",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "non_conforming"), _negated=True),
                            models.Q(("deviation_report", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="non_conforming_has_report",
                        violation_error_message="A non-conforming flight has a deviation report.",
                    ),
                ),
                migrations.AddIndex(
                    model_name="droneflightacknowledgement",
                    index=models.Index(fields=["organisation", "acknowledged_at"], name="drone_ack_pending"),
                ),
                migrations.AddConstraint(
                    model_name="droneflightacknowledgement",
                    constraint=models.UniqueConstraint(fields=("flight", "organisation"), name="drone_ack_once"),
                ),
                migrations.AddIndex(
                    model_name="dronevolume",
                    index=models.Index(fields=["starts_at", "ends_at"], name="drone_volume_window"),
                ),
                migrations.AddConstraint(
                    model_name="dronevolume",
                    constraint=models.UniqueConstraint(fields=("flight", "number"), name="drone_volume_unique"),
                ),
                migrations.AddConstraint(
                    model_name="dronevolume",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("circle__isnull", True), ("polygon__isnull", False)),
                            models.Q(("circle__isnull", False), ("polygon__isnull", True)),
                            _connector="OR",
                        ),
                        name="drone_volume_one_area",
                        violation_error_message="A volume is a polygon or a circle.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="dronevolume",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="drone_volume_ends_after_start",
                        violation_error_message="A volume must end after it starts.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="droneconflict",
                    constraint=models.UniqueConstraint(fields=("first", "second"), name="drone_conflict_once"),
                ),
                migrations.AddConstraint(
                    model_name="droneconflict",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("first__lt", models.F("second"))), name="drone_conflict_ordered"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exerciseversion",
                    constraint=models.UniqueConstraint(
                        fields=("notification", "number"), name="exercise_version_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exerciseversion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="exercise_ends_after_start",
                        violation_error_message="The exercise must end after it starts.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="exercisenotification",
                    constraint=models.UniqueConstraint(fields=("year", "number"), name="exercise_reference_unique"),
                ),
                migrations.AddIndex(
                    model_name="exerciseacknowledgement",
                    index=models.Index(fields=["organisation", "acknowledged_at"], name="exercise_ack_pending"),
                ),
                migrations.AddConstraint(
                    model_name="exerciseacknowledgement",
                    constraint=models.UniqueConstraint(fields=("version", "organisation"), name="exercise_ack_once"),
                ),
                migrations.AddConstraint(
                    model_name="observationinvitation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="observation_ends_after_start",
                        violation_error_message="The observation must end after it starts.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="observationinvitation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("reply_by__lte", models.F("starts_at"))),
                        name="observation_reply_before_start",
                        violation_error_message="Replies are due before the observation starts.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="observationreply",
                    constraint=models.UniqueConstraint(
                        fields=("invitation", "organisation"), name="observation_reply_once"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
