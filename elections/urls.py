from django.urls import path

from elections.voting import election_views, views

app_name = "elections"

# Elekto's URLs, kept so that links communities already published keep working.
# app/elections/<key>/admin/... is reserved for the officers' pages.
urlpatterns = [
    path("elections", election_views.public_list, name="public_list"),
    path("elections/<str:key>", election_views.public_detail, name="public_detail"),
    path("app", election_views.dashboard, name="dashboard"),
    path("app/elections", election_views.election_list, name="list"),
    path("app/elections/<str:key>", election_views.election_detail, name="detail"),
    path("app/elections/<str:key>/candidates/<path:candidate_id>", election_views.candidate_detail, name="candidate"),
    path("app/elections/<str:key>/vote", views.vote, name="vote"),
    path("app/elections/<str:key>/vote/review", views.vote_review, name="vote_review"),
    path("app/elections/<str:key>/vote/receipt", views.vote_receipt, name="vote_receipt"),
    path("app/elections/<str:key>/confirmation", views.confirmation, name="confirmation"),
    path("app/elections/<str:key>/results", election_views.results, name="results"),
    path("app/elections/<str:key>/exception", views.exception_request, name="exception"),
]
