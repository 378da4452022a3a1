"""Structured logging: one JSON object a line in production, readable lines in development.

Every line carries the request id of the request it belongs to (also returned as `X-Request-ID`), so a
duty officer's report can be followed through the logs. Values under names that look like secrets are
replaced before they are written.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Only ids a proxy could sensibly have made are taken from the client; anything else gets a new one.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SECRET_FIELD = re.compile(r"pass|secret|token|api_?key|authori[sz]ation|cookie|otp|session", re.IGNORECASE)
REDACTED = "[redacted]"

# Attributes every LogRecord has; whatever else a record carries came from `extra=` and is logged.
STANDARD_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}

request_logger = logging.getLogger("hotline.request")


def redact(fields: dict) -> dict:
    return {name: (REDACTED if SECRET_FIELD.search(name) else value) for name, value in fields.items()}


def record_fields(record: logging.LogRecord) -> dict:
    extra = {name: value for name, value in vars(record).items() if name not in STANDARD_RECORD_FIELDS}
    return redact(extra)


class ContextFilter(logging.Filter):
    """Stamps each record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            **record_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        fields = " ".join(f"{name}={value}" for name, value in record_fields(record).items())
        line = (
            f"{stamp} {record.levelname:<7} {record.name} [{getattr(record, 'request_id', '-')}] {record.getMessage()}"
        )
        if fields:
            line = f"{line} {fields}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


class RequestIdMiddleware:
    """Gives every request an id, returns it in `X-Request-ID` and logs one line when the response leaves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user": user.username if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id_var.reset(token)
