"""`Authorization: Api-Key <key>` for machine clients (SIEM, MISP, ticketing).

A key authenticates as an `ApiClient` of its organisation; the key's scopes limit what it may call.
Every refusal is a 401 with a stable code, so a client can tell a typo from a revoked key. Refusals are
recorded (`api_key.refused`) at most once per key prefix and client address per window (record_bounded):
the sender is not authenticated, and must not be able to grow the log without limit.
"""

from dataclasses import dataclass

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.auth_audit import client_address
from accounts.models import ApiKey, Organisation
from hotline.audit.refusals import record_bounded

KEYWORD = "Api-Key"


@dataclass(frozen=True)
class ApiClient:
    """The caller behind an API key; stands where `request.user` stands for a person."""

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False
    is_superuser = False

    @property
    def organisation(self) -> Organisation:
        return self.api_key.organisation

    @property
    def organisation_id(self) -> int:
        return self.api_key.organisation_id

    @property
    def username(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def has_scope(self, scope: str) -> bool:
        return self.api_key.has_scope(scope)


class KeyRefused(exceptions.AuthenticationFailed):
    pass


def key_refusal(request, code: str, message: str, prefix: str = "", organisation: str = "") -> KeyRefused:
    """Record the refused key (`api_key.refused`, bounded) and return the 401 to raise."""
    prefix, address = prefix[:8], client_address(request)
    record_bounded(
        "api_key.refused",
        key=f"{prefix}:{address}",
        organisation=organisation,
        details={"code": code, "prefix": prefix, "ip": address},
    )
    return KeyRefused(message, code=code)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            return None  # another scheme: not ours to judge
        secret = secret.strip()
        prefix, dot, _ = secret.partition(".")
        if not dot or not prefix or " " in secret:
            raise key_refusal(
                request, "api_key_malformed", "The API key is malformed: expected `Api-Key <prefix>.<secret>`."
            )
        key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
        if key is None or not key.is_valid(secret):
            raise key_refusal(request, "api_key_invalid", "The API key is not known.", prefix)
        if key.revoked:
            raise key_refusal(request, "api_key_revoked", "The API key was revoked.", prefix, key.organisation.code)
        if key.expiry_date is not None and key.expiry_date <= timezone.now():
            raise key_refusal(request, "api_key_expired", "The API key has expired.", prefix, key.organisation.code)
        return ApiClient(key), key

    def authenticate_header(self, request):
        return KEYWORD
