"""The floor /health is measured against: a bare Django view (no middleware, no database, no templates) served by
the same gunicorn and gunicorn.conf.py as the site. ``gunicorn -c gunicorn.conf.py bench.bare_django:application``.
"""

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-django-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
)
django.setup()


def health(request):
    return JsonResponse({"status": "ok", "database": "ok"})


urlpatterns = [path("health", health)]
application = get_wsgi_application()
