"""`Authorization: Api-Key <key>` for machine clients (SIEM, MISP, ticketing).

A key authenticates as an `ApiClient` of its organisation; the key's scopes limit what it may call.
Every refusal is a 401 with a stable code, so a client can tell a typo from a revoked key.
"""

from dataclasses import dataclass

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiKey, Organisation

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
            raise KeyRefused("The API key is malformed: expected `Api-Key <prefix>.<secret>`.", code="api_key_malformed")
        key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
        if key is None or not key.is_valid(secret):
            raise KeyRefused("The API key is not known.", code="api_key_invalid")
        if key.revoked:
            raise KeyRefused("The API key was revoked.", code="api_key_revoked")
        if key.expiry_date is not None and key.expiry_date <= timezone.now():
            raise KeyRefused("The API key has expired.", code="api_key_expired")
        return ApiClient(key), key

    def authenticate_header(self, request):
        return KEYWORD
