from django.urls import path

from hotline.escalation import views

app_name = "escalation"

urlpatterns = [
    path("ack/<str:token>/", views.acknowledgement_link, name="link"),
    path("waiting/", views.waiting_page, name="waiting"),
    path("waiting/panel/", views.waiting_panel, name="waiting-panel"),
    path("escalation/timers/<int:pk>/timeline/", views.timeline_fragment, name="timeline"),
    path("escalation/timers/<int:pk>/acknowledge/", views.acknowledge_timer, name="acknowledge"),
    path(
        "escalation/timers/<int:pk>/phone-acknowledgement/",
        views.record_phone_acknowledgement,
        name="phone-acknowledgement",
    ),
    path("escalation/policies/", views.policy_list, name="policies"),
    path("escalation/policies/override/", views.override_new, name="override"),
    path("escalation/policies/<str:severity>/", views.policy_edit, name="policy"),
    path("escalation/policies/<str:severity>/<str:pair>/", views.policy_edit, name="policy-pair"),
    path("escalation/policies/<str:severity>/<str:pair>/remove/", views.policy_remove, name="policy-remove"),
]
