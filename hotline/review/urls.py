from django.urls import path

from hotline.review import views

app_name = "review"

# The console's pages (hotline/review/views.py). The other pages of the review add their lines below.
urlpatterns = [
    path("review/", views.dashboard, name="dashboard"),
    path("review/parties/<str:code>/", views.party, name="party"),
    path("review/items/", views.item_list, name="items"),
]
