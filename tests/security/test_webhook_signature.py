"""Forged webhook deliveries: every way of getting the signature wrong is refused, and nothing is imported.

(tests/meta_sync/test_webhook.py covers the webhook's normal behaviour; these are an attacker's attempts.)
"""

import hashlib
import hmac
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from elections.models import Election
from meta_sync.models import SyncRun
from tests.conftest import EXAMPLE_META

SECRET = "the-webhook-secret"
BODY = json.dumps({"ref": "refs/heads/main"}).encode()


def sign(body, secret=SECRET, algorithm=hashlib.sha256, prefix="sha256="):
    return prefix + hmac.new(secret.encode(), body, algorithm).hexdigest()


@pytest.fixture
def site(settings, db):
    settings.META_SECRET = SECRET
    settings.META_BRANCH = "main"
    settings.META_REPO = ""
    settings.META_PATH = EXAMPLE_META
    settings.ELECTION_DIR = "elections"


FORGERIES = {
    "no signature": {},
    "GitHub's old SHA-1 header only": {"HTTP_X_HUB_SIGNATURE": sign(BODY, algorithm=hashlib.sha1, prefix="sha1=")},
    "SHA-1 value in the SHA-256 header": {"HTTP_X_HUB_SIGNATURE_256": sign(BODY, algorithm=hashlib.sha1)},
    "another secret": {"HTTP_X_HUB_SIGNATURE_256": sign(BODY, secret="guessed-secret")},
    "the empty secret": {"HTTP_X_HUB_SIGNATURE_256": sign(BODY, secret="")},
    "another body": {"HTTP_X_HUB_SIGNATURE_256": sign(b'{"ref": "refs/heads/other"}')},
    "truncated": {"HTTP_X_HUB_SIGNATURE_256": sign(BODY)[:-8]},
    "no prefix": {"HTTP_X_HUB_SIGNATURE_256": sign(BODY, prefix="")},
    "empty value": {"HTTP_X_HUB_SIGNATURE_256": "sha256="},
    "not hex": {"HTTP_X_HUB_SIGNATURE_256": "sha256=" + "z" * 64},
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_push_is_refused_and_imports_nothing(client, site, forgery):
    response = client.post(reverse("meta_sync:webhook_sync"), BODY, content_type="application/json",
                           HTTP_X_GITHUB_EVENT="push", **FORGERIES[forgery])
    assert response.status_code == 403
    call_command("sync_worker", "--once", stdout=io.StringIO())
    assert not Election.objects.exists()
    assert not SyncRun.objects.exists()


def test_the_same_push_correctly_signed_imports_the_repository(client, site):
    """The control: the refusals above are about the signature, not about the delivery."""
    response = client.post(reverse("meta_sync:webhook_sync"), BODY, content_type="application/json",
                           HTTP_X_GITHUB_EVENT="push", HTTP_X_HUB_SIGNATURE_256=sign(BODY),
                           HTTP_X_GITHUB_DELIVERY="control")
    assert response.status_code == 202
    call_command("sync_worker", "--once", stdout=io.StringIO())
    assert Election.objects.exists()


def test_without_a_configured_secret_even_an_empty_secret_signature_is_refused(client, site, settings):
    settings.META_SECRET = ""
    response = client.post(reverse("meta_sync:webhook_sync"), BODY, content_type="application/json",
                           HTTP_X_GITHUB_EVENT="push", HTTP_X_HUB_SIGNATURE_256=sign(BODY, secret=""))
    assert response.status_code == 503
    assert not Election.objects.exists()
