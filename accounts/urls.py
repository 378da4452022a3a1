from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/export.csv", views.directory_csv, name="directory-csv"),
    path("directory/export.vcf", views.directory_vcard, name="directory-vcard"),
    path("directory/<str:code>/", views.organisation_detail, name="organisation"),
    path("directory/<str:code>/contact-points/new/", views.contact_point_edit, name="contact-point-new"),
    path("directory/<str:code>/contact-points/<int:pk>/", views.contact_point_edit, name="contact-point-edit"),
    path(
        "directory/<str:code>/contact-points/<int:pk>/delete/", views.contact_point_delete, name="contact-point-delete"
    ),
    path(
        "directory/<str:code>/contact-points/<int:pk>/verify/", views.contact_point_verify, name="contact-point-verify"
    ),
    path("directory/<str:code>/people/<str:username>/unlock/", views.sign_in_unlock, name="sign-in-unlock"),
    path("rosters/", views.rosters, name="rosters"),
    path("rosters/<str:code>/", views.roster_week, name="roster"),
    path("rosters/<str:code>/shifts/new/", views.shift_create, name="shift-new"),
    path("rosters/<str:code>/overrides/new/", views.shift_create, {"override": True}, name="override-new"),
    path("rosters/<str:code>/shifts/<int:pk>/", views.shift_edit, name="shift-edit"),
    path("rosters/<str:code>/shifts/<int:pk>/delete/", views.shift_delete, name="shift-delete"),
    path("rosters/<str:code>/swap/", views.shift_swap, name="shift-swap"),
    path("keys/", views.api_keys, name="api-keys"),
    path("keys/<str:code>/", views.api_keys, name="api-keys-of"),
    path("keys/<str:code>/new/", views.api_key_create, name="api-key-new"),
    path("keys/<str:code>/<str:pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
]
