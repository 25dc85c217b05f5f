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


class SyncRequest(models.Model):
    """A signed push delivery from GitHub, waiting for a sync or covered by one.

    The webhook records it and answers at once; ``sync_worker`` (or any later sync, the CronJob's included)
    claims the waiting ones and imports the repository once for all of them. ``delivery_id`` is GitHub's
    ``X-GitHub-Delivery``: a redelivery of the same id is acknowledged without a second sync. That header is not
    signed, so ``body_digest`` (the SHA-256 of the signed body; a push's body is not secret) also answers a
    replay of a body already queued or synced within the hour as a duplicate. Rows older than 30 days are
    deleted by ``manage.py clean_up``.
    """

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    STATUS_CHOICES = [(QUEUED, "Queued"), (RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]

    delivery_id = models.CharField(max_length=100, unique=True)
    body_digest = models.CharField(max_length=64, blank=True, db_index=True,
                                   help_text="SHA-256 of the delivery's signed body, in hex.")
    ref = models.CharField(max_length=255, blank=True)
    after = models.CharField(max_length=64, blank=True, help_text="The commit the push moved the branch to.")
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=QUEUED)
    # Random token of the sync that took this request: one UPDATE claims a batch, across processes.
    claim = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    detail = models.CharField(max_length=500, blank=True, help_text="What the sync that covered it reported.")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="sync_request_status")]

    def __str__(self):
        return f"Delivery {self.delivery_id} ({self.status})"
