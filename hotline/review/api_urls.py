from django.urls import path

from hotline.review import api

urlpatterns = [
    path("compliance/", api.ComplianceFigures.as_view(), name="compliance"),
    path("compliance/items/", api.ComplianceItems.as_view(), name="compliance-items"),
    path("compliance/trend/", api.ComplianceTrend.as_view(), name="compliance-trend"),
]
