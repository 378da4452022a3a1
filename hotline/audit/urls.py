from django.urls import path

from hotline.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.index, name="index"),
    path("audit/log/", views.audit_log, name="log"),
    path("audit/checkpoints/", views.checkpoints, name="checkpoints"),
    path("audit/checkpoints/<int:size>.txt", views.checkpoint_note, name="checkpoint-note"),
    path("audit/verifier-key.txt", views.verifier_key_text, name="verifier-key"),
]
