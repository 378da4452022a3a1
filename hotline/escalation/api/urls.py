from django.urls import path

from hotline.escalation.api import views

urlpatterns = [
    path("escalation-policies/", views.PolicyList.as_view(), name="escalation-policies"),
    path("escalation-policies/<str:severity>/", views.PolicyDetail.as_view(), name="escalation-policy"),
    path(
        "escalation-policies/<str:severity>/<str:pair>/",
        views.PairPolicyDetail.as_view(),
        name="escalation-policy-pair",
    ),
    path("escalation/timers/<int:pk>/acknowledge/", views.TimerAcknowledge.as_view(), name="timer-acknowledge"),
    path(
        "escalation/timers/<int:pk>/phone-acknowledgement/",
        views.TimerPhoneAcknowledgement.as_view(),
        name="timer-phone-acknowledgement",
    ),
    path("escalation/waiting/", views.Waiting.as_view(), name="escalation-waiting"),
]
