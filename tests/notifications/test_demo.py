"""The demo opens with notifications on the map and in the calendar, loaded after the demo incidents."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from incidents.demo import load_demo_incidents
from incidents.notifications.demo import load_demo_notifications
from incidents.notifications.models import DroneFlight, ExerciseNotification
from tests.accounts.world import build_demo_world


@pytest.mark.django_db
def test_the_demo_has_notifications_on_the_map_and_in_the_calendar():
    build_demo_world()
    with override_settings(DEMO_MODE=True):
        load_demo_incidents()
        load_demo_notifications()
    skadar, velebit = ExerciseNotification.objects.order_by("pk")
    assert skadar.latest.number == 2 and skadar.latest.notifiable_reasons  # amended; troops near Albania's border
    assert velebit.latest.late_by_s is not None and velebit.invitations.count() == 1  # notified late, observers invited
    danube, kacanik = DroneFlight.objects.order_by("pk")
    assert danube.crosses_into == ["HR"]
    assert "XK" in [neighbour["party"] for neighbour in kacanik.neighbours]
    assert kacanik.late_by_s is not None  # two days' notice of the 72 hours


@pytest.mark.django_db
def test_demo_notifications_refuse_to_load_outside_demo_mode():
    with pytest.raises(ImproperlyConfigured):
        load_demo_notifications()
