"""The floor /health is measured against: a bare Django view (no middleware, no database, no templates) served by
the same gunicorn and gunicorn.conf.py as the site. ``gunicorn -c gunicorn.conf.py bench.bare_django:application``.
"""

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

FLOOR = {"DEBUG": False, "ROOT_URLCONF": __name__, "MIDDLEWARE": [], "USE_I18N": False,
         "ALLOWED_HOSTS": ["127.0.0.1", "localhost"]}
if settings.configured:
    # gunicorn.conf.py's master hook has set the site's settings up already (its configuration checks): strip
    # what a request goes through down to the floor.
    for name, value in FLOOR.items():
        setattr(settings, name, value)
else:
    settings.configure(SECRET_KEY="bare-django-benchmark-only", INSTALLED_APPS=[], DATABASES={}, **FLOOR)
django.setup()


def health(request):
    return JsonResponse({"status": "ok", "database": "ok"})


urlpatterns = [path("health", health)]
application = get_wsgi_application()
