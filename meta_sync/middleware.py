"""Old links to a renamed election lead to it: a 404 for a former key becomes a redirect to the current key."""

from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from .models import ElectionAlias


class ElectionAliasRedirectMiddleware:
    """Redirect a page of a former election key (see ``ElectionAlias``) to the same page under the current key.

    Only answers that would be 404 are looked at, so current keys cost nothing. GET and HEAD are redirected
    with 302, other methods with 307 (the form is sent again, to the new address).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        match = getattr(request, "resolver_match", None)
        key = match.kwargs.get("key") if match is not None else None
        if not key:
            return response
        alias = ElectionAlias.objects.filter(key=key).select_related("election").only("election__key").first()
        if alias is None or alias.election.key == key:
            return response
        try:
            target = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "key": alias.election.key})
        except NoReverseMatch:
            return response
        query = request.META.get("QUERY_STRING", "")
        redirect = HttpResponseRedirect(f"{target}?{query}" if query else target)
        if request.method not in ("GET", "HEAD"):
            redirect.status_code = 307
        return redirect
