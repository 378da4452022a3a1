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
    client.delete(HEARTBEAT_KEY.format(component="worker"), HEARTBEAT_KEY.format(component="beat"))
    client.close()


def test_it_is_healthy_when_every_part_answers(client, db, heartbeats):
    record_heartbeat("worker")
    record_heartbeat("beat")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "redis": True, "worker": True, "beat": True,
    }  # fmt: skip


def test_it_names_a_worker_whose_heartbeat_is_stale(client, db, heartbeats, settings):
    heartbeats.set(HEARTBEAT_KEY.format(component="worker"), time.time() - settings.HEALTH_WORKER_MAX_AGE - 5)
    record_heartbeat("beat")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"]["age_s"] > settings.HEALTH_WORKER_MAX_AGE


def test_it_names_a_beat_never_seen(client, db, heartbeats):
    record_heartbeat("worker")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


def test_it_names_redis_when_redis_is_unreachable(client, db):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis", "worker", "beat"]
    assert response.json()["checks"]["database"]["ok"] is True
