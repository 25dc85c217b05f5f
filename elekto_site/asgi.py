"""ASGI entry point."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elekto_site.settings")

application = get_asgi_application()

from elekto_site.checks import fail_on_configuration_errors  # noqa: E402

fail_on_configuration_errors()
