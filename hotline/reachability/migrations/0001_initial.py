# The reachability checks leave accounts for an app of their own. Their tables stay as they are
# (accounts_reachabilitycheck, accounts_checkresponse, made by accounts 0003): this migration only tells
# Django's state that the models now belong here. accounts 0004 removes them from accounts' state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_reachability_checks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ReachabilityCheck",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "reference",
                            models.CharField(
                                help_text="CHK-2026-11-24; a second check that day gets -2.", max_length=20, unique=True
                            ),
                        ),
                        ("started_at", models.DateTimeField()),
                        (
                            "started_by_label",
                            models.CharField(help_text="The person's username, or “schedule”.", max_length=150),
                        ),
                        (
                            "scheduled_for",
                            models.DateTimeField(
                                blank=True,
                                help_text="The schedule's slot (UTC); empty when started by hand.",
                                null=True,
                            ),
                        ),
                        (
                            "window_minutes",
                            models.PositiveIntegerField(help_text="How long each organisation has to answer."),
                        ),
                        (
                            "started_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_reachabilitycheck",
                        "ordering": ["-started_at", "-pk"],
                        "indexes": [models.Index(fields=["started_at"], name="reachability_check_started")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scheduled_for",),
                                name="reachability_check_once_per_slot",
                                violation_error_message="A check was already started for this slot of the schedule.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("window_minutes__gte", 5), ("window_minutes__lte", 1440)),
                                name="reachability_check_window_range",
                                violation_error_message="The window is 5 to 1440 minutes.",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CheckResponse",
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
                                related_name="check_responses",
                                to="accounts.organisation",
                            ),
                        ),
                        (
                            "reachability_check",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="responses",
                                to="reachability.reachabilitycheck",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_checkresponse",
                        "ordering": ["organisation__party__position", "organisation__code"],
                        "indexes": [
                            models.Index(
                                fields=["organisation", "acknowledged_at"], name="check_response_by_organisation"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("reachability_check", "organisation"),
                                name="check_response_once_per_organisation",
                                violation_error_message="This organisation already has a response to this check.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("acknowledged_at__isnull", True), ("method", "")),
                                    models.Q(
                                        ("acknowledged_at__isnull", False), models.Q(("method", ""), _negated=True)
                                    ),
                                    _connector="OR",
                                ),
                                name="check_response_has_method_once_given",
                                violation_error_message="An answer given says how it was given.",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
