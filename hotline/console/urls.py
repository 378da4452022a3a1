from django.contrib.auth import views as auth_views
from django.urls import path

from hotline.console import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("activity/", views.activity_panel, name="activity"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/verify/", views.otp_verify, name="otp-verify"),
    path("otp/enrol/", views.otp_enrol, name="otp-enrol"),
    path("preferences/theme/", views.set_theme, name="theme"),
]
