from django.db import models
from django.utils import timezone


class SyncRun(models.Model):
    """One import of the meta repository (by command, webhook or cron), with its summary."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=20, help_text="command, webhook or demo")
    source = models.CharField(max_length=500, help_text="Path or repository URL that was read.")
    revision = models.CharField(max_length=64, blank=True, help_text="Git commit, when known.")
    ok = models.BooleanField(default=False)
    # {"elections": [...], "errors": [{"path", "message"}]} as printed by sync_meta --format json.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Sync {self.started_at:%Y-%m-%d %H:%M:%S} ({self.trigger})"
