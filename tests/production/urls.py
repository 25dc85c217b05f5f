"""The site's URLs plus a view that fails while handling a ballot, to test what the error log keeps, and a page
that writes while it is read (as a sign-in's session does), to test the schema guard's page for it."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from elections.models import AuditEvent
from elekto_site.urls import handler500  # noqa: F401  (the site's error pages)
from elekto_site.urls import urlpatterns as site_urlpatterns


@csrf_exempt
@require_POST
def failing_ballot(request):
    passphrase = request.POST["passphrase"]
    raise RuntimeError(f"could not seal the ballot {request.POST!r} with {passphrase!r}")


@require_safe
def writing_page(request):
    AuditEvent.objects.create(actor="system", action="test.read")
    return HttpResponse("written")


urlpatterns = [path("test-only/failing-ballot", failing_ballot), path("test-only/writing-page", writing_page),
               *site_urlpatterns]
