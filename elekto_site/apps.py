from django.apps import AppConfig


class ElektoSiteConfig(AppConfig):
    name = "elekto_site"
    verbose_name = "Elekto site"

    def ready(self):
        from . import checks  # noqa: F401  (registers the configuration checks)
