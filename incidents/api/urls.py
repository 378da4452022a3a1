from django.urls import include, path

urlpatterns = [
    path("", include("incidents.api.stix_urls")),  # before incidents/<id>/: import-stix/ is not an id
    path("", include("incidents.api.incident_urls")),
]
