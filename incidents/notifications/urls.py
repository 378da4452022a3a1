"""The console's notification pages: exercises (exercise_views), drone flights (flight_views), the
calendar and its iCalendar feeds, the commission's policy, and the border geometry the maps draw."""

from django.urls import path

from incidents.notifications import exercise_views, flight_views

app_name = "notifications"

urlpatterns = [
    path("notifications/exercises/", exercise_views.exercise_list, name="exercises"),
    path("notifications/exercises/new/", exercise_views.exercise_new, name="exercise-new"),
    path("notifications/exercises/preview/", exercise_views.exercise_preview, name="exercise-preview"),
    path("notifications/exercises/<str:reference>/", exercise_views.exercise_detail, name="exercise"),
    path("notifications/exercises/<str:reference>/amend/", exercise_views.exercise_amend, name="exercise-amend"),
    path("notifications/exercises/<str:reference>/cancel/", exercise_views.exercise_cancel, name="exercise-cancel"),
    path(
        "notifications/exercises/<str:reference>/acknowledge/",
        exercise_views.exercise_acknowledge,
        name="exercise-acknowledge",
    ),
    path("notifications/exercises/<str:reference>/invitations/", exercise_views.invitation_new, name="invitation-new"),
    path("notifications/invitations/<int:pk>/reply/", exercise_views.invitation_reply, name="invitation-reply"),
    path("notifications/calendar/", exercise_views.calendar, name="calendar"),
    path("notifications/calendar/revoke/", exercise_views.revoke_calendar_feed, name="calendar-feed-revoke"),
    path("notifications/calendar/<str:token>.ics", exercise_views.calendar_feed, name="calendar-feed"),
    path("notifications/policy/", exercise_views.policy, name="policy"),
    path("notifications/drone-flights/", flight_views.flight_list, name="flights"),
    path("notifications/drone-flights/new/", flight_views.flight_new, name="flight-new"),
    path("notifications/drone-flights/preview/", flight_views.flight_preview, name="flight-preview"),
    path("notifications/drone-flights/<str:reference>/", flight_views.flight_detail, name="flight"),
    path(
        "notifications/drone-flights/<str:reference>/acknowledge/",
        flight_views.flight_acknowledge,
        name="flight-acknowledge",
    ),
    path("notifications/drone-flights/<str:reference>/state/", flight_views.flight_state, name="flight-state"),
    path("notifications/borders.geojson", flight_views.borders_geojson, name="borders"),
]
