from django.urls import path

from . import officer_views

app_name = "officers"

# Mounted under app/elections/<key>/admin/.
urlpatterns = [
    path("", officer_views.overview, name="overview"),
    path("exceptions/<int:pk>/review", officer_views.review_exception, name="review_exception"),
    path("ballot-box/open", officer_views.open_ballot_box, name="open_ballot_box"),
    path("results", officer_views.results, name="results"),
    path("export/<str:kind>", officer_views.export, name="export"),
]
