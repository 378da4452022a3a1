from django.urls import path

from accounts.api import views

urlpatterns = [
    path("parties/", views.PartyList.as_view(), name="party-list"),
    path("organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path("contact-points/", views.ContactPointList.as_view(), name="contactpoint-list"),
    path("reachability-checks/", views.ReachabilityCheckList.as_view(), name="reachability-check-list"),
    path("reachability-checks/<int:pk>/", views.ReachabilityCheckDetail.as_view(), name="reachability-check-detail"),
    path(
        "reachability-checks/<int:pk>/answer/",
        views.ReachabilityCheckAnswer.as_view(),
        name="reachability-check-answer",
    ),
    path("reachability-figures/", views.ReachabilityFigures.as_view(), name="reachability-figures"),
]
