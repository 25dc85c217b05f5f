"""The queue of webhook deliveries: recorded by the webhook, claimed and closed by whichever sync runs next.

Every function is a short transaction on ``SyncRequest``; the import itself is ``meta_sync.services.sync_meta``,
which claims the waiting requests when it starts and closes them when it ends, so a sync from the worker, the
CronJob or an operator's command covers every delivery received before it started.
"""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SyncRequest

# A claimed request still running after this long belonged to a sync that died (its pod was killed): it is
# queued again. A sync takes seconds; git has 120 s per command.
STALE_AFTER = timedelta(minutes=15)


# A body already queued, or synced within this long, is a replay whatever its delivery id.
REPLAY_WINDOW = timedelta(hours=1)
# Deliveries are kept this long (for the admin's history), then deleted by ``manage.py clean_up``.
KEEP_DELIVERIES = timedelta(days=30)


def _replayed(body_digest, now):
    """The delivery that already carried the body with ``body_digest``: waiting, or synced within the hour."""
    if not body_digest:
        return None
    same_body = SyncRequest.objects.filter(body_digest=body_digest)
    return (same_body.filter(status__in=[SyncRequest.QUEUED, SyncRequest.RUNNING]).first()
            or same_body.filter(status=SyncRequest.DONE, finished_at__gte=now - REPLAY_WINDOW).first())


def sync_request_enqueue(*, delivery_id, ref="", after="", body_digest="", now=None):
    """Record a delivery; returns ``(request, created)``. A delivery id seen before, or a body (by
    ``body_digest``) already waiting or synced within ``REPLAY_WINDOW``, returns the earlier delivery as it is."""
    now = now or timezone.now()
    replayed = _replayed(body_digest, now)
    if replayed is not None:
        return replayed, False
    try:
        with transaction.atomic():
            return SyncRequest.objects.create(delivery_id=delivery_id, ref=ref[:255], after=after[:64],
                                              body_digest=body_digest, received_at=now), True
    except IntegrityError:
        return SyncRequest.objects.get(delivery_id=delivery_id), False


def sync_requests_delete_old(*, now=None, dry_run=False):
    """Delete the deliveries received more than ``KEEP_DELIVERIES`` ago; returns how many (would be) deleted.

    One still claimed by a running sync is left for the next day."""
    old = SyncRequest.objects.filter(received_at__lt=(now or timezone.now()) - KEEP_DELIVERIES).exclude(
        status=SyncRequest.RUNNING)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted


def sync_requests_waiting(*, now=None):
    """Whether a delivery waits for a sync (claims of a dead sync are queued again first)."""
    now = now or timezone.now()
    SyncRequest.objects.filter(status=SyncRequest.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=SyncRequest.QUEUED, claim="")
    return SyncRequest.objects.filter(status=SyncRequest.QUEUED).exists()


def sync_requests_claim(*, now=None):
    """Claim every queued delivery for the sync about to run; returns the claim token, or "" for none.

    One UPDATE, so two syncs on two pods never claim the same delivery.
    """
    if not SyncRequest.objects.filter(status=SyncRequest.QUEUED).exists():
        return ""  # the usual case for the CronJob: a read, no write
    token = secrets.token_hex(16)
    claimed = SyncRequest.objects.filter(status=SyncRequest.QUEUED).update(
        status=SyncRequest.RUNNING, claim=token, started_at=now or timezone.now())
    return token if claimed else ""


def sync_requests_finish(token, *, ok, detail="", run=None):
    """Close the deliveries claimed with ``token``: done when the sync went through, else failed."""
    if not token:
        return
    SyncRequest.objects.filter(claim=token, status=SyncRequest.RUNNING).update(
        status=SyncRequest.DONE if ok else SyncRequest.FAILED, finished_at=timezone.now(), detail=detail[:500],
        run=run)


def sync_requests_release(token):
    """Put the deliveries claimed with ``token`` back in the queue (the sync could not run)."""
    if token:
        SyncRequest.objects.filter(claim=token, status=SyncRequest.RUNNING).update(
            status=SyncRequest.QUEUED, claim="", started_at=None)
