from django.urls import path

from hotline.escalation import views

app_name = "escalation"

urlpatterns = [
    path("ack/<str:token>/", views.acknowledgement_link, name="link"),
]
