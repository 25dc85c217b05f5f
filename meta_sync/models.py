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


class ElectionAlias(models.Model):
    """A key an election had before its folder was renamed in the meta repository.

    Old links (``/elections/<old key>``, the voter and officer pages) redirect to the election's current key,
    and voters' sealed ballot links made under an old key keep opening. A key stays an alias for good: no
    other folder may take it.
    """

    key = models.CharField(max_length=255, unique=True)
    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="former_keys")
    path = models.CharField(max_length=500, blank=True, help_text="The folder the election had under this key.")
    renamed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-renamed_at", "-id"]
        verbose_name_plural = "election aliases"

    def __str__(self):
        return f"{self.key} -> {self.election_id}"
