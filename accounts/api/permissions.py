from rest_framework import exceptions, permissions

from accounts.api.authentication import ApiClient
from hotline.audit.log import record


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing_scope"


class HasRequiredScope(permissions.BasePermission):
    """An API key needs the view's `required_scope`; people are judged by their role elsewhere."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if isinstance(request.user, ApiClient):
            scope = getattr(view, "required_scope", None)
            if scope is None or not request.user.has_scope(scope):
                record("access.refused", actor=request.user, details={"what": request.path, "missing_scope": scope})
                # The scope as clients write it (`notifications:write`), not the enumeration's name.
                raise MissingScope(f"This API key lacks the scope '{scope}'.")
        return True
