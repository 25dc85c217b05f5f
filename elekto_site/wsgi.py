"""WSGI entry point, used by gunicorn: ``gunicorn elekto_site.wsgi``."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elekto_site.settings")

from elekto_site.health import HealthFastPath  # noqa: E402

# Probes of /health are answered before Django's request handling (see elekto_site/health.py).
application = HealthFastPath(get_wsgi_application())

from elekto_site.checks import fail_on_configuration_errors  # noqa: E402

fail_on_configuration_errors()
