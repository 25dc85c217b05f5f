from django.apps import AppConfig


class ElektoSiteConfig(AppConfig):
    name = "elekto_site"
    verbose_name = "Elekto site"

    def ready(self):
        from django.apps import apps
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_migrate

        from . import checks, schema  # noqa: F401  (checks: registers the configuration checks)

        # Infrastructure, not domain logic: every connection gets the write guard as it opens, and every migrate
        # checks the migrations it would unapply before it unapplies any (see elekto_site.schema).
        connection_created.connect(schema.guard_install, dispatch_uid="elekto_schema_guard")
        # pre_migrate is sent once per app with models: once, for the app that holds the migrations it checks.
        pre_migrate.connect(schema.rollback_refuse, sender=apps.get_app_config("elections"),
                            dispatch_uid="elekto_rollback_refuse")
