"""The site's URLs plus a view that fails while handling a ballot, to test what the error log keeps."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from elekto_site.urls import urlpatterns as site_urlpatterns


@csrf_exempt
@require_POST
def failing_ballot(request):
    passphrase = request.POST["passphrase"]
    raise RuntimeError(f"could not seal the ballot {request.POST!r} with {passphrase!r}")


urlpatterns = [path("test-only/failing-ballot", failing_ballot), *site_urlpatterns]
