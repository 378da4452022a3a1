from django.urls import path

from hotline.reachability import views

app_name = "reachability"

urlpatterns = [
    path("checks/", views.checks, name="checks"),
    path("checks/start/", views.check_start, name="check-start"),
    path("checks/<str:reference>/", views.check_detail, name="check"),
    path("checks/<str:reference>/answer/", views.check_answer, name="check-answer"),
]
