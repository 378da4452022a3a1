from django.urls import path

from hotline.audit import api

urlpatterns = [
    path("audit/verify/", api.AuditVerifyView.as_view(), name="audit-verify"),
    path("audit/checkpoints/", api.CheckpointList.as_view(), name="audit-checkpoints"),
    path("audit/consistency/", api.ConsistencyProof.as_view(), name="audit-consistency"),
]
