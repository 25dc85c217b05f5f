from django.apps import AppConfig


class MetaSyncConfig(AppConfig):
    name = "meta_sync"
    verbose_name = "Meta repository sync"
    default_auto_field = "django.db.models.BigAutoField"
