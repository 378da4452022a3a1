from django.urls import path

from hotline.reachability.api import views

urlpatterns = [
    path("reachability-checks/", views.ReachabilityCheckList.as_view(), name="reachability-check-list"),
    path("reachability-checks/<int:pk>/", views.ReachabilityCheckDetail.as_view(), name="reachability-check-detail"),
    path(
        "reachability-checks/<int:pk>/answer/",
        views.ReachabilityCheckAnswer.as_view(),
        name="reachability-check-answer",
    ),
    path("reachability-figures/", views.ReachabilityFigures.as_view(), name="reachability-figures"),
]
