from django.urls import path

from accounts.api import views

urlpatterns = [
    path("parties/", views.PartyList.as_view(), name="party-list"),
    path("organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path("me/", views.Me.as_view(), name="me"),
    path("organisations/<str:code>/on-duty/", views.OrganisationOnDuty.as_view(), name="organisation-on-duty"),
    path("contact-points/", views.ContactPointList.as_view(), name="contactpoint-list"),
]
