import sys

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views import defaults, i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import last_modified, require_POST, require_safe

from elections.models import Election
from elections.voting import listing
from elekto_site import schema
from elekto_site.health import database_health
from elekto_site.middleware import schema_ahead_response


@require_safe
def home(request):
    now = timezone.now()
    running = listing.rows_with_status(listing.listed_elections(listing.content_version()), Election.RUNNING, now)
    return render(request, "home.html", {"running": running})


@never_cache
@require_safe
def health(request):
    """200 when the database answers, 503 when it does not (see elekto_site.health, which also answers probes
    before Django does)."""
    status, body = database_health()
    return JsonResponse(body, status=status)


# The language switcher's form sits on every page, public pages included, which are served from a cache shared
# by all signed-out visitors: it carries no CSRF token, which would be one visitor's. A forged post can only
# change the display language (Django's view also checks that ``next`` stays on this site).
set_language = csrf_exempt(require_POST(i18n.set_language))

# The scripts' strings in the page's language (``gettext`` in static/js). Pages ask for it with ``?lang=``, so a
# browser's copy of one language is never served for another; the catalogues change only with a new release.
_STARTED = timezone.now()
javascript_catalog = last_modified(lambda request: _STARTED)(i18n.JavaScriptCatalog.as_view())


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the site's icon."""
    return redirect(static("favicon.svg"))


def server_error(request):
    """The 500 page; a write refused because the database was upgraded past this process's release gets the 503
    page that says so (elekto_site.schema), wherever the write was made: a view, a session saved on the way out."""
    if isinstance(sys.exc_info()[1], schema.SchemaAhead):
        return schema_ahead_response(request, sys.exc_info()[1])
    return defaults.server_error(request)
