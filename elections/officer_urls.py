from django.urls import path

from elections.ballot_box import views as custody_views
from elections.officers import decision_views, views

app_name = "officers"

# Mounted under app/elections/<key>/admin/.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("exceptions/<int:pk>/review", views.review_exception, name="review_exception"),
    path("ballot-box/open", views.open_ballot_box, name="open_ballot_box"),
    path("results", views.results, name="results"),
    path("export/<str:kind>", views.export, name="export"),
    path("ballot-box/key-share", custody_views.key_share, name="key_share"),
    path("ballot-box/key-share/download", custody_views.key_share_download, name="key_share_download"),
    path("ballot-box/key-share/enter", custody_views.key_share_submit, name="key_share_enter"),
    path("ballot-box/key-shares/open", custody_views.key_shares_open, name="key_shares_open"),
    path("report", decision_views.report, name="report"),
    path("disqualify", decision_views.disqualify, name="disqualify"),
    path("reinstate", decision_views.reinstate, name="reinstate"),
    path("reopen", decision_views.reopen, name="reopen"),
    path("roll/rebind", decision_views.rebind, name="rebind"),
    path("recount", decision_views.recount, name="recount"),
]
