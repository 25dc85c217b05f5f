from django.contrib import admin

from .models import SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    """A log of imports: written by the sync only, so read-only here."""

    list_display = ["started_at", "trigger", "source", "revision", "ok"]
    list_filter = ["ok", "trigger"]
    search_fields = ["source", "revision"]
    date_hierarchy = "started_at"
    readonly_fields = ["started_at", "finished_at", "trigger", "source", "revision", "ok", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
