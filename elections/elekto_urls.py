"""Elekto's voter and officer paths that differ here, redirected to their pages, so that links communities
published (and bookmarks) keep working. Elekto's other paths are the same here."""

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import path, reverse


def moved(pattern_name, *args):
    """A view redirecting to ``pattern_name`` with the same election key (then ``args``): 301 for GET and HEAD;
    303 (a GET of the new page) for a form posted to Elekto's path, whose fields mean nothing here."""

    def view(request, key, **kwargs):
        target = reverse(pattern_name, args=[key, *args])
        if request.method in ("GET", "HEAD"):
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        response = HttpResponseRedirect(target)
        response.status_code = 303
        return response

    return view


# Mounted under app/elections/<key>/.
urlpatterns = [
    # Elekto showed and deleted a ballot by posting the passcode to these; here the confirmation page does it.
    path("vote/view", moved("elections:confirmation")),
    path("vote/edit", moved("elections:vote")),
    path("results/", moved("elections:results")),
    # Elekto numbered exception requests in its own database: the officers' page lists them here.
    path("admin/exception/<str:request_id>", moved("officers:overview")),
    path("admin/download", moved("officers:export", "ballots.csv")),
]
