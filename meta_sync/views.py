"""The GitHub webhook that tells the site to pull the meta repository and import it."""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services import SyncBusy, sync_meta

logger = logging.getLogger(__name__)


def _signature_is_valid(request, secret):
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.encode(), expected.encode())


# Authenticated by the HMAC signature of the body, not by a session, so CSRF tokens do not apply.
@csrf_exempt
@require_POST
def webhook_meta_sync(request):
    secret = settings.META_SECRET
    if not secret:
        return JsonResponse({"error": "META_SECRET is not configured: webhook deliveries are refused"}, status=503)
    if not _signature_is_valid(request, secret):
        return JsonResponse({"error": "missing or wrong X-Hub-Signature-256"}, status=403)

    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return JsonResponse({"ok": True, "event": "ping"})
    if event != "push":
        return JsonResponse({"ignored": f"event {event or '(none)'}"}, status=202)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    ref = payload.get("ref") if isinstance(payload, dict) else None
    if ref != f"refs/heads/{settings.META_BRANCH}":
        return JsonResponse({"ignored": f"push to {ref or '(no ref)'}"}, status=202)

    try:
        summary = sync_meta(trigger="webhook", repo=settings.META_REPO or None, lock_timeout=0)
    except SyncBusy:
        return JsonResponse({"error": "a sync is already running; redeliver later"}, status=409)
    if summary.exit_code:
        logger.warning("meta sync from webhook: %s", summary.errors)
    status = {0: 200, 1: 422}.get(summary.exit_code, 502 if settings.META_REPO else 503)
    return JsonResponse(summary.as_dict(), status=status)
