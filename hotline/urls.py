import sys

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from hotline.api import json_error, request_refusal, storage_refusal
from hotline.console import views as console_views
from hotline.health import healthz

# The admin signs in through the console's login, so it gets the same second factor.
admin.site.login = login_required(admin.site.login)

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("hotline.reachability.api.urls")),
    path("", include("hotline.audit.api_urls")),
    path("", include("incidents.api.urls")),
    path("", include("incidents.notifications.api.urls")),
    path("", include("hotline.escalation.api.urls")),
    path("", include("hotline.review.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="console/redoc.html"),
        name="api-redoc",
    ),
    path("", include("accounts.urls")),
    path("", include("hotline.reachability.urls")),
    path("", include("hotline.audit.urls")),
    path("", include("incidents.urls")),
    path("", include("incidents.notifications.urls")),
    path("", include("hotline.escalation.urls")),
    path("", include("hotline.review.urls")),
    path("", include("hotline.console.urls")),
]


def handler400(request, exception=None):
    """Django refuses a request before any view runs: a body over the upload limit, too many fields or
    files, a malformed one. Under /api/ the answer is JSON with its code, like every other API error."""
    status, code, detail = request_refusal(exception)
    if request.path.startswith("/api/"):
        return json_error(status, code, detail)
    return console_views.bad_request(request, status, detail)


def handler403(request, exception=None):
    """A console page the person may not open (PermissionDenied): the console's own page, not Django's
    bare one. The API answers its refusals itself (JSON with a code), before this is reached."""
    if request.path.startswith("/api/"):
        return json_error(403, "permission_denied", "You may not do this.")
    return console_views.permission_denied(request, exception)


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return json_error(404, "not_found", "There is no such resource.")
    return console_views.page_not_found(request, exception)


def handler500(request):
    refusal = storage_refusal(sys.exc_info()[1])
    if refusal:
        status, code, detail = refusal
        if request.path.startswith("/api/"):
            return json_error(status, code, detail)
        return console_views.service_unavailable(request, status, detail)
    if request.path.startswith("/api/"):
        return json_error(500, "server_error", "Unexpected error; it was logged with the request id.")
    return console_views.server_error(request)
