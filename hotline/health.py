"""GET /healthz: is every part of the service working? 200 when all are, 503 naming those that are not.

A stalled worker or beat is itself an alarm (DESIGN.md), so their heartbeat ages are checked too.
"""

import time

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hotline.escalation.choices import TimerState
from hotline.escalation.models import Timer
from hotline.heartbeat import heartbeat_age, redis_client


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means the same thing to the caller: down
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


def check_heartbeat(component: str, client: redis.Redis, max_age: int) -> dict:
    age = heartbeat_age(component, client)
    if age is None:
        return {"ok": False, "error": "never seen"}
    return {"ok": age <= max_age, "age_s": round(age, 1), "max_age_s": max_age}


def oldest_overdue_timer_s() -> float:
    """How late the most overdue running escalation timer is (0 when none is): a stalled engine is itself an alarm."""
    now = timezone.now()
    oldest = Timer.objects.filter(state=TimerState.RUNNING, next_fire_at__lt=now).aggregate(oldest=Min("next_fire_at"))[
        "oldest"
    ]
    return 0.0 if oldest is None else (now - oldest).total_seconds()


def check_escalation(client: redis.Redis) -> dict:
    """The engine's last tick (written by the worker that ran it) and its oldest overdue timer."""
    tick = check_heartbeat("escalation", client, settings.HEALTH_WORKER_MAX_AGE)
    try:
        overdue = oldest_overdue_timer_s()
    except Exception as exc:  # the database check reports the database itself
        return {"ok": False, "error": type(exc).__name__}
    report = {
        "ok": tick["ok"] and overdue <= settings.HEALTH_ESCALATION_MAX_LAG,
        "last_tick_age_s": tick.get("age_s"),
        "oldest_overdue_s": round(overdue, 1),
        "max_lag_s": settings.HEALTH_ESCALATION_MAX_LAG,
    }
    if "error" in tick:
        report["error"] = f"tick {tick['error']}"
    return report


def health_report() -> dict:
    checks = {"database": check_database()}
    client = redis_client()
    started = time.monotonic()
    try:
        client.ping()
        checks["redis"] = {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}
        checks["worker"] = check_heartbeat("worker", client, settings.HEALTH_WORKER_MAX_AGE)
        checks["beat"] = check_heartbeat("beat", client, settings.HEALTH_BEAT_MAX_AGE)
        checks["escalation"] = check_escalation(client)
    except redis.RedisError as exc:
        checks["redis"] = {"ok": False, "error": type(exc).__name__}
        unknown = {"ok": False, "error": "unknown: heartbeats are kept in Redis, which is down"}
        checks.setdefault("worker", unknown)
        checks.setdefault("beat", unknown)
        checks.setdefault("escalation", unknown)
    finally:
        client.close()
    failing = [name for name, check in checks.items() if not check["ok"]]
    return {"status": "fail" if failing else "ok", "failing": failing, "checks": checks}


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=503 if report["failing"] else 200)
