from django.urls import path

from hotline.review import report_views

app_name = "review"

urlpatterns = [
    path("review/reports/", report_views.reports, name="reports"),
    path("review/reports/<int:pk>.pdf", report_views.download, name="report-download"),
    path("review/report.pdf", report_views.report_pdf, name="report-pdf"),
]
