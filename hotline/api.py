"""What every API error looks like: JSON with a stable `code`, a human `detail` and field errors.

Clients branch on `code`; `detail` is for people and may be reworded.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.views import exception_handler as drf_exception_handler

from hotline.db import LARGEST_ID
from hotline.idempotency.replay import HEADER as IDEMPOTENCY_HEADER


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def exception_handler(exc, context):
    """DRF's handler, reshaped: validation errors keep their per-field messages under `fields`.
    Django's own Http404 and PermissionDenied (raised by the access functions) get their codes too."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handler answers in JSON for /api/
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", "The request has invalid fields.", fields)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code, str(exc.detail))
    return response


def json_error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(error_body(code, detail), status=status)


def field_errors(error: DjangoValidationError) -> dict:
    """A Django ValidationError as the API's `fields`: per field, `non_field_errors` for the rest."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): messages
            for name, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


@contextmanager
def validation_errors_as_400():
    """Actions refuse with Django's ValidationError; the API answers 400 `invalid` with the fields."""
    try:
        yield
    except DjangoValidationError as error:
        raise exceptions.ValidationError(field_errors(error)) from None


class ApiErrorSerializer(serializers.Serializer):
    """Every error of the API (hotline/api.py): branch on `code`; `detail` is for people."""

    code = serializers.CharField(help_text="Stable: invalid, not_found, permission_denied, missing_scope, …")
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.JSONField(), help_text="For `invalid`: the messages of each field that was refused."
    )


class IdCursorPagination(CursorPagination):
    """Newest first by id, in pages: a cursor names an id, and one edited by hand is refused with 400
    rather than reaching the database as text or as too large a number."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        refused = exceptions.ValidationError(
            {self.cursor_query_param: ["Not a cursor this API gave out: follow the `next` and `previous` links."]}
        )
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise refused from None
        if (
            cursor is not None
            and cursor.position is not None
            and not (cursor.position.isdigit() and int(cursor.position) <= LARGEST_ID)
        ):
            raise refused
        return cursor


# What every endpoint may answer; each API adds what its 404 and 409 mean (`documented_errors`).
COMMON_ERRORS = {
    400: "Invalid input: `code` is `invalid` and `fields` names each refused field.",
    401: "No credentials, or an API key that is malformed, unknown, revoked or expired.",
    403: "The key lacks the scope (`missing_scope`), or the caller may not do this (`permission_denied`).",
    422: "The Idempotency-Key was used for another request (`idempotency_key_reused`).",
}


def documented_errors(specific: dict[int, str], *statuses: int) -> dict:
    """The OpenAPI responses of `statuses`, described by `specific` where given, else COMMON_ERRORS."""
    described = {**COMMON_ERRORS, **specific}
    return {code: OpenApiResponse(ApiErrorSerializer, description=described[code]) for code in statuses}


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Up to 200 printable characters. A retry with the same key and body gets the first answer "
    "again (header Idempotent-Replayed: true) and changes nothing; the same key with another body gets 422.",
)
