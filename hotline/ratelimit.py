"""Rate limits, counted in Redis so that every web process shares one count: the API's throttle (below)
and its guard against addresses whose requests fail to authenticate (hotline.api).

A fixed window per (scope, who): INCR and EXPIRE in one transaction, so concurrent processes never lose a
count (DRF's own throttles read a history list, then write it back: not atomic across processes). A fixed
window lets up to twice the limit through around a window's turn; for a limit against runaway scripts,
not for billing, that is the trade for one round trip per request.

Without Redis the limiter lets everything through: refusing a crisis's traffic because the limiter is down
would do more harm than a flood it cannot count. It says so in the log, at most once a minute.
"""

import functools
import logging
import math
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from rest_framework import exceptions

from hotline.audit.log import record

log = logging.getLogger("hotline.ratelimit")
RATE_KEY_PREFIX = "hotline:rate:"
_OUTAGE_LOG_EVERY_S = 60.0
_last_outage_log = 0.0


@dataclass(frozen=True)
class Count:
    """Where `who` stands in the current window: how many so far (this one included), and the limit."""

    seen: int
    limit: int
    retry_after: int  # whole seconds until the window turns

    @property
    def over(self) -> bool:
        return self.seen > self.limit

    @property
    def first_refused(self) -> bool:
        return self.seen == self.limit + 1


@functools.cache
def _redis(url: str) -> redis.Redis:
    # One client (and connection pool) per process; short timeouts: the limiter must never hold a request.
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _window(window_s: int) -> tuple[int, int]:
    now = time.time()
    start = int(now // window_s) * window_s
    return start, max(1, math.ceil(start + window_s - now))


def _key(scope: str, who: str, start: int) -> str:
    return f"{RATE_KEY_PREFIX}{scope}:{who}:{start}"


def count(scope: str, who: str, limit: int, window_s: int) -> Count | None:
    """Count one request of `who` in `scope`; None when Redis cannot be asked (then: let it through)."""
    start, retry_after = _window(window_s)
    key = _key(scope, who, start)
    try:
        seen, _ = _redis(settings.REDIS_URL).pipeline(transaction=True).incr(key).expire(key, window_s + 1).execute()
    except redis.RedisError as error:
        _log_outage(error)
        return None
    return Count(int(seen), limit, retry_after)


def peek(scope: str, who: str, limit: int, window_s: int) -> Count | None:
    """Where `who` stands without counting a request; None when Redis cannot be asked."""
    start, retry_after = _window(window_s)
    try:
        seen = _redis(settings.REDIS_URL).get(_key(scope, who, start))
    except redis.RedisError as error:
        _log_outage(error)
        return None
    return Count(int(seen or 0), limit, retry_after)


def _log_outage(error: Exception) -> None:
    global _last_outage_log
    if time.monotonic() - _last_outage_log >= _OUTAGE_LOG_EVERY_S:
        _last_outage_log = time.monotonic()
        log.warning(
            "rate limits not counted: Redis is unreachable; letting requests through", extra={"error": repr(error)}
        )


# --- the API's throttle (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES) ---------------------------------
# Here, not in hotline.api: DRF reads its throttle classes while defining APIView, which hotline.api imports.


class RateLimited(exceptions.Throttled):
    default_code = "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(wait=retry_after, detail=f"Too many requests; try again in {retry_after} s.")


class CallerRateThrottle:
    """DRF throttle (DEFAULT_THROTTLE_CLASSES): API_RATE_PER_CALLER requests per API_RATE_WINDOW_SECONDS for
    each API key, each person calling with their console session, and each address on open routes. The
    first refusal of a window is recorded (`api.rate_limited`); the others are only counted, so a runaway
    script cannot grow the log."""

    def allow_request(self, request, view) -> bool:
        caller = request.user
        api_key = getattr(caller, "api_key", None)
        if api_key is not None:
            who = f"key:{api_key.prefix}"
        elif caller.is_authenticated:
            who = f"person:{caller.pk}"
        else:  # an open route (the schema): per address
            who = f"address:{request.META.get('REMOTE_ADDR', '')}"
        counted = count("caller", who, settings.API_RATE_PER_CALLER, settings.API_RATE_WINDOW_SECONDS)
        if counted is None or not counted.over:
            return True
        if counted.first_refused:
            record(
                "api.rate_limited",
                actor=caller,
                details={"limit": counted.limit, "window_s": settings.API_RATE_WINDOW_SECONDS},
            )
        raise RateLimited(counted.retry_after)

    def wait(self):  # DRF asks only when allow_request answers False, which this one never does
        return None
