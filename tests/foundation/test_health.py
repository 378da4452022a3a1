"""GET /healthz tells monitoring which part of the service is down."""

import time

import pytest
from django.test import override_settings

from hotline.heartbeat import HEARTBEAT_KEY, record_heartbeat, redis_client
from tests.conftest import free_port


@pytest.fixture
def heartbeats():
    client = redis_client()
    yield client
    client.delete(*(HEARTBEAT_KEY.format(component=component) for component in ("worker", "beat", "escalation")))
    client.close()


def every_part_beats(*except_for: str) -> None:
    for component in ("worker", "beat", "escalation"):
        if component not in except_for:
            record_heartbeat(component)


def test_it_is_healthy_when_every_part_answers(client, db, heartbeats):
    every_part_beats()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "worker": True,
        "beat": True,
        "escalation": True,
    }


def test_it_names_a_worker_whose_heartbeat_is_stale(client, db, heartbeats, settings):
    every_part_beats()
    heartbeats.set(HEARTBEAT_KEY.format(component="worker"), time.time() - settings.HEALTH_WORKER_MAX_AGE - 5)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"]["age_s"] > settings.HEALTH_WORKER_MAX_AGE


def test_it_names_a_beat_never_seen(client, db, heartbeats):
    every_part_beats("beat")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


def test_it_names_redis_when_redis_is_unreachable(client, db):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis", "worker", "beat", "escalation"]
    assert response.json()["checks"]["database"]["ok"] is True


def test_it_names_the_escalation_engine_when_a_timer_is_overdue(client, db, heartbeats, settings):
    """Beat and worker alive but a timer left behind (a stuck tick): the engine itself is the alarm."""
    from datetime import timedelta

    from django.utils import timezone

    from hotline.escalation.engine import Watch, start_timers
    from hotline.escalation.policy import Policy
    from tests.accounts.world import build_demo_world, organisation

    build_demo_world()
    every_part_beats()
    late = timezone.now() - timedelta(seconds=settings.HEALTH_ESCALATION_MAX_LAG + 30)
    start_timers(
        [
            Watch(
                subject_kind="test.subject",
                subject_id=1,
                recipient=organisation("HR-MOD"),
                sender=organisation("RS-MOD"),
                severity="critical",
                policy=Policy.default("critical"),
                started_at=late,
            )
        ]
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["escalation"]
    assert response.json()["checks"]["escalation"]["oldest_overdue_s"] > settings.HEALTH_ESCALATION_MAX_LAG
