from django.urls import path

from hotline.review import report_views, timeline_views

app_name = "review"

urlpatterns = [
    path("review/incidents/<str:reference>/timeline/", timeline_views.incident_timeline, name="incident-timeline"),
    path("review/reports/", report_views.reports, name="reports"),
    path("review/reports/<int:pk>.pdf", report_views.download, name="report-download"),
    path("review/report.pdf", report_views.report_pdf, name="report-pdf"),
]
