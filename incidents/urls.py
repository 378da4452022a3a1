from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("incidents/", views.incident_list, name="list"),
    path("incidents/new/", views.incident_new, name="new"),
    path("incidents/<str:reference>/", views.incident_detail, name="detail"),
    path("incidents/<str:reference>/messages/", views.message_post, name="post-message"),
    path("incidents/<str:reference>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("incidents/<str:reference>/status/", views.change_status, name="change-status"),
    path("incidents/<str:reference>/tlp/", views.change_tlp, name="change-tlp"),
    path("incidents/<str:reference>/attachments/", views.attachment_add, name="attachment-add"),
    path("incidents/<str:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
