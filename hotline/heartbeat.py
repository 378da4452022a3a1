"""Heartbeats of the worker and of beat, kept in Redis and read by /healthz.

- beat writes its own heartbeat each time its scheduler wakes (at least once a second);
- the worker's heartbeat is written by a task that beat sends every 5 s, so it proves the whole path
  beat → broker → worker, not merely that a worker process exists.
"""

import time

import redis
from celery import shared_task
from celery.beat import PersistentScheduler
from django.conf import settings

HEARTBEAT_KEY = "hotline:heartbeat:{component}"
# Kept a while after the component stops, so /healthz can say how long ago it was last seen.
HEARTBEAT_TTL_SECONDS = 24 * 3600


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def record_heartbeat(component: str, client: redis.Redis | None = None) -> None:
    (client or redis_client()).set(HEARTBEAT_KEY.format(component=component), time.time(), ex=HEARTBEAT_TTL_SECONDS)


def heartbeat_age(component: str, client: redis.Redis) -> float | None:
    """Seconds since the component's last heartbeat, or None if it was never seen."""
    value = client.get(HEARTBEAT_KEY.format(component=component))
    return None if value is None else max(0.0, time.time() - float(value))


@shared_task(name="hotline.heartbeat.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    record_heartbeat("worker")


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's file-backed scheduler that also records beat's heartbeat on every tick."""

    def tick(self, *args, **kwargs):
        try:
            record_heartbeat("beat")
        except redis.RedisError:
            pass  # Redis down: /healthz reports Redis itself; beat keeps scheduling once it is back
        return super().tick(*args, **kwargs)
