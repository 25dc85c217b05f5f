import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import last_modified, require_POST, require_safe

from elections import listing
from elections.models import Election


@require_safe
def home(request):
    now = timezone.now()
    running = listing.rows_with_status(listing.listed_elections(listing.content_version()), Election.RUNNING, now)
    return render(request, "home.html", {"running": running})


# When this process last saw the database answer (time.monotonic()).
_database_answered_at = None


@never_cache
@require_safe
def health(request):
    """200 when the database answers, 503 when it does not; for load balancers and Kubernetes probes.

    A success is trusted for ``HEALTH_DATABASE_CHECK_SECONDS`` (a second by default) in each process, so that
    frequent probes do not each wait for the database; a failure is never remembered.
    """
    global _database_answered_at
    now = time.monotonic()
    if _database_answered_at is None or now - _database_answered_at >= settings.HEALTH_DATABASE_CHECK_SECONDS:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:  # any database failure means "not healthy"
            _database_answered_at = None
            return JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
        _database_answered_at = now
    return JsonResponse({"status": "ok", "database": "ok"})


# The language switcher's form sits on every page, public pages included, which are served from a cache shared
# by all signed-out visitors: it carries no CSRF token, which would be one visitor's. A forged post can only
# change the display language (Django's view also checks that ``next`` stays on this site).
set_language = csrf_exempt(require_POST(i18n.set_language))

# The scripts' strings in the page's language (``gettext`` in static/js). Pages ask for it with ``?lang=``, so a
# browser's copy of one language is never served for another; the catalogues change only with a new release.
_STARTED = timezone.now()
javascript_catalog = last_modified(lambda request: _STARTED)(i18n.JavaScriptCatalog.as_view())
