"""The GitHub webhook that tells the site to pull the meta repository and import it.

The view only verifies and records: a signed push to ``META_BRANCH`` becomes a ``SyncRequest`` and is answered
202 at once; ``manage.py sync_worker`` (or the sync CronJob) imports the repository outside any request.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .queue import sync_request_enqueue

logger = logging.getLogger(__name__)

# GitHub caps webhook payloads at 25 MB. This view reads its body itself, up to this size, so the site-wide
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) still applies to every other view.
MAX_BODY_BYTES = 25 * 1024 * 1024


def _signature_is_valid(body, signature, secret):
    if not signature.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.encode(), expected.encode())


def _read_body(request):
    """The body, or None when it is larger than ``MAX_BODY_BYTES`` (by its header or by what arrives)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


# Authenticated by the HMAC signature of the body, not by a session, so CSRF tokens do not apply.
@csrf_exempt
@require_POST
def webhook_meta_sync(request):
    secret = settings.META_SECRET
    if not secret:
        return JsonResponse({"error": "META_SECRET is not configured: webhook deliveries are refused"}, status=503)
    body = _read_body(request)
    if body is None:
        return JsonResponse({"error": f"the body is larger than {MAX_BODY_BYTES} bytes"}, status=413)
    if not _signature_is_valid(body, request.headers.get("X-Hub-Signature-256", ""), secret):
        return JsonResponse({"error": "missing or wrong X-Hub-Signature-256"}, status=403)

    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return JsonResponse({"ok": True, "event": "ping"})
    if event != "push":
        return JsonResponse({"ignored": f"event {event or '(none)'}"}, status=202)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    ref = payload.get("ref") if isinstance(payload, dict) else None
    if ref != f"refs/heads/{settings.META_BRANCH}":
        return JsonResponse({"ignored": f"push to {ref or '(no ref)'}"}, status=202)
    delivery_id = request.headers.get("X-GitHub-Delivery", "").strip()
    if not delivery_id or len(delivery_id) > 100:
        return JsonResponse({"error": "missing or malformed X-GitHub-Delivery"}, status=400)

    after = payload.get("after") if isinstance(payload.get("after"), str) else ""
    sync_request, created = sync_request_enqueue(delivery_id=delivery_id, ref=ref, after=after,
                                                 body_digest=hashlib.sha256(body).hexdigest())
    if not created:
        # A redelivery of the same id, or a replay of a body already waiting or just synced under a fresh id.
        return JsonResponse({"duplicate": sync_request.delivery_id, "status": sync_request.status}, status=202)
    logger.info("meta sync queued for delivery %s", delivery_id)
    return JsonResponse({"queued": delivery_id}, status=202)
