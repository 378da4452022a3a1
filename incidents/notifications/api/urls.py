from django.urls import path

from incidents.notifications.api import views

urlpatterns = [
    # assess/ before <id>/: it is not an id (and only POST reaches it).
    path("exercise-notifications/", views.ExerciseList.as_view(), name="exercise-notification-list"),
    path("exercise-notifications/assess/", views.ExerciseAssess.as_view(), name="exercise-notification-assess"),
    path("exercise-notifications/<int:pk>/", views.ExerciseDetail.as_view(), name="exercise-notification-detail"),
    path("exercise-notifications/<int:pk>/amend/", views.ExerciseAmend.as_view(), name="exercise-notification-amend"),
    path(
        "exercise-notifications/<int:pk>/cancel/", views.ExerciseCancel.as_view(), name="exercise-notification-cancel"
    ),
    path(
        "exercise-notifications/<int:pk>/acknowledge/",
        views.ExerciseAcknowledge.as_view(),
        name="exercise-notification-acknowledge",
    ),
    path(
        "exercise-notifications/<int:pk>/invitations/",
        views.ExerciseInvitations.as_view(),
        name="exercise-notification-invitations",
    ),
    path("exercise-invitations/<int:pk>/reply/", views.InvitationReply.as_view(), name="exercise-invitation-reply"),
    path("drone-flights/", views.FlightList.as_view(), name="drone-flight-list"),
    path("drone-flights/assess/", views.FlightAssess.as_view(), name="drone-flight-assess"),
    path("drone-flights/<int:pk>/", views.FlightDetail.as_view(), name="drone-flight-detail"),
    path("drone-flights/<int:pk>/acknowledge/", views.FlightAcknowledge.as_view(), name="drone-flight-acknowledge"),
    path("drone-flights/<int:pk>/state/", views.FlightStateChange.as_view(), name="drone-flight-state"),
    path("calendar-feeds/<str:code>/revoke/", views.CalendarFeedRevoke.as_view(), name="calendar-feed-revoke"),
    path("notification-policy/", views.Policy.as_view(), name="notification-policy"),
]
