"""`Idempotency-Key` on POST: the same key and body give the first answer again and change nothing;
the same key with another body is refused with 422 `idempotency_key_reused`.

A view calls `idempotent(request, perform)` after it has checked access and validated the input, with
`perform` doing the action and returning the Response. perform() and the storing of its answer run in
one transaction: if two retries race, the second one's insert of the answer collides on the unique key
(on PostgreSQL it waits for the first to commit), its own action rolls back with it, and it answers
with the first one's response. Only successful answers are kept: a refused request may be corrected
and sent again under the same key.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework import status as http
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from hotline.idempotency.models import IdempotentResponse

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
REPLAYED_HEADER = "Idempotent-Replayed"


class KeyReused(APIException):
    status_code = http.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used for another request; use a new key for a new request."


class KeyInvalid(APIException):
    status_code = http.HTTP_400_BAD_REQUEST
    default_code = "idempotency_key_invalid"
    default_detail = f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable characters."


def caller_label(user) -> str:
    api_key = getattr(user, "api_key", None)
    # The key's prefix identifies it (its primary key would carry its hash into another table).
    return f"key:{api_key.prefix}" if api_key is not None else f"user:{user.pk}"


def fingerprint(request) -> str:
    """What makes two requests the same: method, path and body. A JSON body counts by its content
    (key order and spacing do not matter); a form by its fields and its files' content."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if not request.content_type.startswith("multipart/form-data"):
        # The body as parsed (DRF has read the stream already): JSON of any media type, or a form.
        data = dict(request.data.lists()) if hasattr(request.data, "lists") else request.data
        digest.update(json.dumps(data, sort_keys=True, separators=(",", ":"), cls=JSONEncoder).encode())
    else:
        for name in sorted(request.data.keys()):
            if name in request.FILES:
                continue
            digest.update(f"{name}={request.data.getlist(name)}\n".encode())
        for name in sorted(request.FILES.keys()):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    return digest.hexdigest()


def _replay(stored: IdempotentResponse, request_fingerprint: str) -> Response:
    if stored.fingerprint != request_fingerprint:
        raise KeyReused()
    return Response(stored.body, status=stored.status, headers={REPLAYED_HEADER: "true"})


def idempotent(request, perform) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return perform()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise KeyInvalid()
    caller, request_fingerprint = caller_label(request.user), fingerprint(request)
    stored = IdempotentResponse.objects.filter(caller=caller, key=key).first()
    if stored is not None:
        return _replay(stored, request_fingerprint)
    try:
        with transaction.atomic():
            response = perform()
            if 200 <= response.status_code < 300:
                body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                IdempotentResponse.objects.create(
                    caller=caller, key=key, fingerprint=request_fingerprint, status=response.status_code, body=body
                )
    except IntegrityError:
        stored = IdempotentResponse.objects.filter(caller=caller, key=key).first()
        if stored is None:
            raise  # another constraint failed: not a race on the key
        return _replay(stored, request_fingerprint)
    return response
