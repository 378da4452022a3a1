from django.urls import path

from hotline.review import report_views, timeline_views, views

app_name = "review"

# The console's pages (hotline/review/views.py) first; the other pages of the review below.
urlpatterns = [
    path("review/", views.dashboard, name="dashboard"),
    path("review/parties/<str:code>/", views.party, name="party"),
    path("review/items/", views.item_list, name="items"),
    path("review/incidents/<str:reference>/timeline/", timeline_views.incident_timeline, name="incident-timeline"),
    path("review/reports/", report_views.reports, name="reports"),
    path("review/reports/<int:pk>.pdf", report_views.download, name="report-download"),
    path("review/report.pdf", report_views.report_pdf, name="report-pdf"),
]
