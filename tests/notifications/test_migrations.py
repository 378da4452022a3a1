"""Notifications became an app of their own without touching a row: the models keep their tables, the
content types (which permissions point at) follow the models to the new app label, and the audit log
keeps naming them as it did."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from hotline.audit.models import AuditEntry
from incidents.notifications import borders

content_types = importlib.import_module("incidents.notifications.migrations.0002_content_types")


class Editor:
    connection = connection


@pytest.fixture(autouse=True)
def fresh_content_type_cache():
    yield
    ContentType.objects.clear_cache()  # these tests change content types behind the cache's back


def test_every_notification_model_keeps_the_table_it_had_in_the_incidents_app():
    # Models added since the move (the calendar feeds' generations) have tables of their own name.
    config = apps.get_app_config("notifications")
    moved = {model._meta.model_name: model._meta.db_table for model in config.get_models()}
    assert {name: moved.get(name) for name in content_types.MODELS} == {
        name: f"incidents_{name}" for name in content_types.MODELS
    }


@pytest.mark.django_db
def test_the_content_types_move_to_notifications_unless_one_is_there_already():
    ContentType.objects.filter(app_label="notifications", model="droneflight").delete()
    ContentType.objects.create(app_label="incidents", model="droneflight")
    ContentType.objects.create(app_label="incidents", model="boundaryversion")  # notifications has its own
    content_types.forwards(apps, Editor)
    assert ContentType.objects.filter(app_label="notifications", model="droneflight").count() == 1
    assert not ContentType.objects.filter(app_label="incidents", model="droneflight").exists()
    assert ContentType.objects.filter(app_label="incidents", model="boundaryversion").exists()
    assert ContentType.objects.filter(app_label="notifications", model="boundaryversion").count() == 1


@pytest.mark.django_db
def test_moving_the_content_types_back_restores_the_incidents_labels():
    content_types.backwards(apps, Editor)
    assert set(ContentType.objects.filter(model__in=content_types.MODELS).values_list("app_label", flat=True)) == {
        "incidents"
    }
    content_types.forwards(apps, Editor)
    assert set(ContentType.objects.filter(model__in=content_types.MODELS).values_list("app_label", flat=True)) == {
        "notifications"
    }


@pytest.mark.django_db
def test_the_audit_log_names_a_moved_model_as_it_did_inside_the_incidents_app():
    version = borders.do_load_boundaries(
        borders.COMMITTED_FILE.read_bytes(), label="commission-2027", source="a copy", loaded_by="tester"
    )
    entry = AuditEntry.objects.get(action="boundaries.loaded")
    assert entry.content["object"] == f"incidents.boundaryversion:{version.pk}"
