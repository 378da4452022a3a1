from django.urls import path

from incidents.api import views

urlpatterns = [
    path("incidents/", views.IncidentList.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", views.IncidentDetail.as_view(), name="incident-detail"),
    path("incidents/<int:pk>/messages/", views.IncidentMessages.as_view(), name="incident-messages"),
    path("incidents/<int:pk>/acknowledge/", views.IncidentAcknowledge.as_view(), name="incident-acknowledge"),
    path("incidents/<int:pk>/timeline/", views.IncidentTimeline.as_view(), name="incident-timeline"),
    path("incidents/<int:pk>/attachments/", views.IncidentAttachments.as_view(), name="incident-attachments"),
    path(
        "incidents/<int:pk>/attachments/<int:attachment_id>/",
        views.AttachmentDownload.as_view(),
        name="incident-attachment",
    ),
    path("events/", views.EventFeed.as_view(), name="event-feed"),
]
