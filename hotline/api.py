"""What every API error looks like (JSON with a stable `code`, a human `detail` and field errors), and
`ActionView`, the one base of the endpoints that call an action.

Clients branch on `code`; `detail` is for people and may be reworded. This module sits low: it imports
the leaves (idempotency, db), never an app; what an app's actions raise is declared by its endpoints.
"""

import logging
import shutil
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from hotline import ratelimit
from hotline.db import LARGEST_ID
from hotline.idempotency.replay import HEADER as IDEMPOTENCY_HEADER
from hotline.idempotency.replay import idempotent
from hotline.query import WholeNumber

log = logging.getLogger("hotline.api")


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
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response.data["retry_after"] = int(response["Retry-After"])
    return response


# --- rate limits ------------------------------------------------------------------------------------


def rate_limited_answer(retry_after: int) -> JsonResponse:
    """The 429 answered outside DRF (by the middleware below), shaped as the exception handler shapes it."""
    detail = str(ratelimit.RateLimited(retry_after).detail)
    response = JsonResponse({**error_body("rate_limited", detail), "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RefusedAddressLimitMiddleware:
    """Per client address, for API requests that fail to authenticate (401): once an address has had
    API_RATE_PER_ADDRESS of them in a window, its API requests are answered 429 before any key is looked
    up, so guessing keys costs the database nothing. Only 401s count: a CERT's tooling behind one address
    is limited per key, never per address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        address, limit, window_s = (
            request.META.get("REMOTE_ADDR", ""),
            settings.API_RATE_PER_ADDRESS,
            settings.API_RATE_WINDOW_SECONDS,
        )
        standing = ratelimit.peek("refused-address", address, limit, window_s)
        if standing is not None and standing.seen >= limit:
            return rate_limited_answer(standing.retry_after)
        response = self.get_response(request)
        if response.status_code == 401:
            counted = ratelimit.count("refused-address", address, limit, window_s)
            if counted is not None and counted.seen == limit:
                log.warning("address limited after refused API requests", extra={"ip": address, "limit": limit})
        return response


def request_refusal(exception) -> tuple[int, str, str]:
    """What Django's refusal of a whole request (handler400) means, as (status, code, detail)."""
    if isinstance(exception, RequestDataTooBig):
        return (
            413,
            "request_too_large",
            (f"The request body is larger than the service accepts ({settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes)."),
        )
    if isinstance(exception, TooManyFieldsSent):
        return 400, "too_many_fields", f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields."
    if isinstance(exception, TooManyFilesSent):
        return 400, "too_many_files", f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files."
    return 400, "bad_request", "The request could not be read."


def storage_refusal(exception) -> tuple[int, str, str] | None:
    """What an error of the database itself means to the caller, as (status, code, detail), or None.

    The one place that reads database errors: Django's handler500 asks it, so an outage met by a DRF
    view, by a middleware (sessions, auth, axes) or by an API-key lookup answers alike. 503, as the
    request may be retried once the database is back (an Idempotency-Key makes that safe)."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    text = str(exception).lower()
    # SQLite: "database or disk is full"; PostgreSQL: "No space left on device".
    if "full" in text or "no space" in text or _sqlite_found_no_room(exception):
        return 503, "storage_full", "The service's storage is full; nothing was saved. Try again later."
    return 503, "database_unavailable", "The database is unavailable; nothing was saved. Try again shortly."


SQLITE_IOERR = 10
ROOM_SQLITE_NEEDS = 1024 * 1024  # less free than this where the database lies: full, for SQLite's purposes


def _sqlite_found_no_room(exception) -> bool:
    """SQLite says SQLITE_FULL only when the database or its log cannot grow; when its WAL index (the
    -shm file) cannot, it says SQLITE_IOERR_SHMSIZE, "disk I/O error". An I/O error where the database's
    file system has no room left is a full data folder, not a database that is gone."""
    cause = exception.__cause__
    if connection.vendor != "sqlite" or getattr(cause, "sqlite_errorcode", 0) & 0xFF != SQLITE_IOERR:
        return False
    try:
        return shutil.disk_usage(Path(connection.settings_dict["NAME"]).parent).free < ROOM_SQLITE_NEEDS
    except OSError:
        return False


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


def _messages(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, DjangoValidationError) else str(error)


@contextmanager
def action_errors(conflicts: dict | None = None, fields=field_errors):
    """Actions refuse with Django's ValidationError: the API answers 400 `invalid` with the fields (as
    `fields(error)` names them). `conflicts` maps an action's own errors to the API's (e.g. a 409 with
    its code), looked at first and in order: they are often ValidationErrors too."""
    try:
        yield
    except Exception as error:
        answered = next((mapped for raised, mapped in (conflicts or {}).items() if isinstance(error, raised)), None)
        if answered is not None:
            raise answered(_messages(error)) from None
        if isinstance(error, DjangoValidationError):
            raise exceptions.ValidationError(fields(error)) from None
        raise


def validation_errors_as_400():
    """Actions refuse with Django's ValidationError; the API answers 400 `invalid` with the fields."""
    return action_errors()


class ApiErrorSerializer(serializers.Serializer):
    """Every error of the API (hotline/api.py): branch on `code`; `detail` is for people."""

    code = serializers.CharField(help_text="Stable: invalid, not_found, permission_denied, missing_scope, …")
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.JSONField(), help_text="For `invalid`: the messages of each field that was refused."
    )


class IdCursorPagination(CursorPagination):
    """Newest first by id, in pages: a cursor names an id, and one edited by hand is refused with 400
    rather than reaching the database as text or as too large a number. So is a `page_size` that is not
    a whole number from 1 to 200 (DRF would quietly fall back to 50)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        return WholeNumber(self.page_size_query_param, 1, self.max_page_size, default=self.page_size).read(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters

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
    400: "Invalid input: `code` is `invalid` and `fields` names each refused field; a body that is not usable JSON "
    "(malformed, nested over 64 deep, a number over 1,000 characters, a NUL or a lone surrogate) is `parse_error`.",
    401: "No credentials, or an API key that is malformed, unknown, revoked or expired.",
    403: "The key lacks the scope (`missing_scope`), or the caller may not do this (`permission_denied`).",
    422: "The Idempotency-Key was used for another request (`idempotency_key_reused`).",
}


def documented_errors(specific: dict[int, str], *statuses: int) -> dict:
    """The OpenAPI responses of `statuses`, described by `specific` where given, else COMMON_ERRORS."""
    described = {**COMMON_ERRORS, **specific}
    return {code: OpenApiResponse(ApiErrorSerializer, description=described[code]) for code in statuses}


# What any request may meet before or around its view, whatever the endpoint: added to every operation
# of the schema by `document_common_answers` (a drf-spectacular postprocessing hook), so that no client
# meets an answer the schema does not name.
ANSWERS_OF_EVERY_REQUEST = {
    "401": COMMON_ERRORS[401],
    "403": COMMON_ERRORS[403],
    "429": "Too many requests (`rate_limited`): wait `Retry-After` seconds (also `retry_after` in the body). "
    "The request had no effect.",
    "503": "The database is unavailable (`database_unavailable`) or the service's storage is full "
    "(`storage_full`): nothing was saved; retry later (with the same Idempotency-Key, safely).",
}
RETRY_AFTER_HEADER = {
    "Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait."}
}
# No text the API keeps may hold a NUL (refused as `parse_error` on both databases): said by a pattern
# on every string of a request body that has no stricter shape (format, enum, pattern) of its own.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def document_common_answers(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation names the answers any request may get
    (ANSWERS_OF_EVERY_REQUEST; 400 where it takes input, 404 where its path names an object, 413 where
    it takes a body); list filters say that they may be sent empty; request bodies' strings say that they
    hold no NUL."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    bodies = set()
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                if _filter_given_empty_means_none(parameter):
                    parameter["allowEmptyValue"] = True
            answers = dict(ANSWERS_OF_EVERY_REQUEST)
            if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
                answers["400"] = COMMON_ERRORS[400]
            if "{" in path:
                answers["404"] = "Not found, or not visible to the caller (the same answer for both)."
            if "requestBody" in operation:
                answers["413"] = "The body is larger than the service accepts (`request_too_large`)."
                bodies.update(_schema_refs(operation["requestBody"]))
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                responses.setdefault(status, {"description": description, "content": error})
            if "429" in responses:
                responses["429"] = {**responses["429"], "headers": RETRY_AFTER_HEADER}
    components = result.get("components", {}).get("schemas", {})
    seen = set()
    while bodies:
        name = bodies.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        _forbid_nul(components[name])
        bodies.update(_schema_refs(components[name]))
    return result


def _filter_given_empty_means_none(parameter: dict) -> bool:
    """A list filter (django-filter) sent empty (`?party=`) filters nothing, as an HTML form's "any";
    whole numbers (hotline.query) and cursors refuse an empty value, and a string with a minLength says so."""
    schema = parameter.get("schema", {})
    return (
        parameter["in"] == "query"
        and parameter["name"] != "cursor"
        and schema.get("type", "string") == "string"
        and "minLength" not in schema
    )


def _schema_refs(node) -> set[str]:
    """The names of the component schemas `node` refers to, at any depth."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_schema_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_schema_refs(value) for value in node))
    return set()


def _forbid_nul(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not ({"format", "enum", "pattern"} & node.keys()):
            node["pattern"] = NO_NUL_PATTERN
        for value in node.values():
            _forbid_nul(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_nul(value)


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Up to 200 printable characters. A retry with the same key and body gets the first answer "
    "again (header Idempotent-Replayed: true) and changes nothing; the same key with another body gets 422.",
)


class ActionView(APIView):
    """The base of an endpoint that calls one action: it declares its parts, `run_action` does the ritual.

    1. access: `find(caller, *url_args)`, the app's `access_…` function (404 for what the caller may
       not know of); none for an endpoint without an object (the object is then None);
    2. permission: `permit(caller, obj)` raises the app's refusal (403, recorded);
    3. validation: `input_serializer` on `input_data(request)`, then `clean(caller, obj, data)` for the
       lookups a serializer cannot make (recipients by code, a person by name);
    4. idempotency (`idempotent`, on by default): `act(caller, obj, data)` calls ONE action and
       `answer(caller, obj, result)` builds the Response, both inside `hotline.idempotency.replay.idempotent`;
    5. errors raised by `clean` and `act`: each class of `conflicts` becomes its API error (a 409 with its
       code), any other ValidationError 400 `invalid` with `invalid_fields(error)`.

    The schema stays with the endpoint (`extend_schema` on its method, which only runs the action):

        class ExerciseAcknowledge(NotificationsApiView, ActionView):
            find = staticmethod(access_exercise)
            input_serializer = ExerciseAcknowledgeSerializer
            conflicts = {NotAwaited: NotAwaitingAcknowledgement}

            def permit(self, caller, notification):
                require(may_acknowledge(caller), caller, "acknowledge notifications", notification)

            def act(self, caller, notification, data):
                return do_acknowledge_exercise(caller, notification, version_number=data["version"], method=…)

            def answer(self, caller, notification, result):
                return Response(_exercise(notification.pk))

            @extend_schema(summary=…, request=ExerciseAcknowledgeSerializer, responses=…)
            def post(self, request, pk):
                return self.run_action(request, pk)
    """

    find = None  # staticmethod(access_…): (caller, *url_args) → the object
    input_serializer = None  # validates the body; without one, `data` is {}
    conflicts: dict = {}  # {an action's error class: the APIException to answer}, e.g. {NotAwaited: …}
    idempotent = True  # honour Idempotency-Key (every POST that writes)

    def permit(self, caller, obj) -> None:
        """Raise the app's refusal unless the caller may act (e.g. `require(may_…(caller, obj), …)`)."""

    def input_data(self, request):
        return request.data

    def clean(self, caller, obj, data: dict) -> dict:
        return data

    def act(self, caller, obj, data: dict):
        raise NotImplementedError

    def answer(self, caller, obj, result) -> Response:
        raise NotImplementedError

    def invalid_fields(self, error: DjangoValidationError) -> dict:
        return field_errors(error)

    def run_action(self, request, *url_args) -> Response:
        """`url_args`: what `find` needs of the URL, in its order (e.g. the incident's id)."""
        caller = request.user
        obj = self.find(caller, *url_args) if self.find is not None else None
        self.permit(caller, obj)
        data = {}
        if self.input_serializer is not None:
            serializer = self.input_serializer(data=self.input_data(request))
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        with action_errors(self.conflicts, self.invalid_fields):
            data = self.clean(caller, obj, data)

        def perform() -> Response:
            with action_errors(self.conflicts, self.invalid_fields):
                result = self.act(caller, obj, data)
            return self.answer(caller, obj, result)

        return idempotent(request, perform) if self.idempotent else perform()
