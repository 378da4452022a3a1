"""STIX 2.1 in and out (included under /api/v1/ before incidents/<id>/: import-stix/ is not an id)."""

from django.urls import path

from incidents.api.stix_views import IncidentStixExport, IncidentStixImport

urlpatterns = [
    path("incidents/import-stix/", IncidentStixImport.as_view(), name="incident-import-stix"),
    path("incidents/<int:pk>/stix/", IncidentStixExport.as_view(), name="incident-stix"),
]
