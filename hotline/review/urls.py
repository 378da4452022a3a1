from django.urls import path

from hotline.review import timeline_views

app_name = "review"

urlpatterns = [
    path("review/incidents/<str:reference>/timeline/", timeline_views.incident_timeline, name="incident-timeline"),
]
