from django.contrib import admin

from .models import ElectionAlias, SyncRequest, SyncRun


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncRequest)
class SyncRequestAdmin(_ReadOnly):
    """Webhook deliveries and the sync that covered each: written by the webhook and the sync only."""

    list_display = ["received_at", "delivery_id", "status", "after", "finished_at", "detail"]
    list_filter = ["status"]
    search_fields = ["delivery_id", "after"]
    list_select_related = ["run"]
    readonly_fields = ["delivery_id", "body_digest", "ref", "after", "received_at", "status", "claim", "started_at",
                       "finished_at", "run", "detail"]


@admin.register(ElectionAlias)
class ElectionAliasAdmin(_ReadOnly):
    """Former keys of renamed elections (old links redirect): written by the sync only."""

    list_display = ["key", "election", "path", "renamed_at"]
    search_fields = ["key", "election__key", "election__name"]
    list_select_related = ["election"]
    readonly_fields = ["key", "election", "path", "renamed_at"]


@admin.register(SyncRun)
class SyncRunAdmin(_ReadOnly):
    """A log of imports: written by the sync only, so read-only here."""

    list_display = ["started_at", "trigger", "source", "revision", "ok"]
    list_filter = ["ok", "trigger"]
    search_fields = ["source", "revision"]
    date_hierarchy = "started_at"
    readonly_fields = ["started_at", "finished_at", "trigger", "source", "revision", "ok", "summary"]
