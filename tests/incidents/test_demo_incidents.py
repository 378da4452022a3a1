"""The demo opens with a few incidents, one of them a drill, each waiting on someone."""

import pytest
from django.test import override_settings

from incidents.demo import load_demo_incidents
from incidents.models import Acknowledgement, Incident
from tests.accounts.world import build_demo_world


@pytest.mark.django_db
def test_the_demo_has_incidents_with_open_acknowledgements_and_a_drill():
    build_demo_world()
    with override_settings(DEMO_MODE=True):
        load_demo_incidents()
    assert Incident.objects.count() == 3
    assert Incident.objects.filter(exercise=True).count() == 1
    assert Acknowledgement.objects.filter(acknowledged_at__isnull=True, organisation__code="HR-MOD").exists()


@pytest.mark.django_db
def test_demo_incidents_refuse_to_load_outside_demo_mode():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        load_demo_incidents()
