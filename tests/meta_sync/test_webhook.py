"""``POST /v1/webhooks/meta/sync``: GitHub's signed push deliveries trigger a pull and an import."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from elections.models import Election
from meta_sync.services import sync_lock

pytestmark = pytest.mark.django_db

SECRET = "a webhook secret"
URL = "/v1/webhooks/meta/sync"


def _sign(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _push(branch="main"):
    return json.dumps({"ref": f"refs/heads/{branch}", "after": "0" * 40}).encode()


@pytest.fixture
def site(settings, irregular_repo):
    settings.META_SECRET = SECRET
    settings.META_REPO = ""
    settings.META_BRANCH = "main"
    settings.META_PATH = irregular_repo.root
    settings.ELECTION_DIR = "elections"
    return settings


def _post(client, body, *, event="push", signature=None, **headers):
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post(URL, data=body, content_type="application/json", HTTP_X_GITHUB_EVENT=event, **headers)


def test_the_url_is_named():
    assert reverse("meta_sync:webhook_sync") == URL


def test_a_signed_push_to_the_branch_imports_and_answers_the_summary(client, site):
    body = _push()
    response = _post(client, body, signature=_sign(body))
    assert response.status_code == 200
    data = response.json()
    assert [(e["key"], e["action"]) for e in data["elections"]] == [("club---2025", "created"),
                                                                   ("club---no-voters", "created")]
    assert data["errors"] == []
    assert Election.objects.count() == 2
    from elections.models import AuditEvent
    from meta_sync.models import SyncRun

    assert SyncRun.objects.get().trigger == "webhook"
    assert AuditEvent.objects.get(action="meta.sync").actor == "system"


def test_a_missing_signature_is_refused_and_nothing_is_done(client, site):
    response = _post(client, _push())
    assert response.status_code == 403
    assert not Election.objects.exists()


def test_a_wrong_signature_is_refused(client, site):
    body = _push()
    assert _post(client, body, signature=_sign(body, "another secret")).status_code == 403
    assert _post(client, body, signature="sha256=").status_code == 403
    assert _post(client, body, signature=_sign(body).replace("sha256=", "sha1=")).status_code == 403
    assert not Election.objects.exists()


def test_a_replayed_signature_with_an_altered_body_is_refused(client, site):
    original = json.dumps({"ref": "refs/heads/other"}).encode()
    altered = _push()
    assert _post(client, altered, signature=_sign(original)).status_code == 403
    assert not Election.objects.exists()


def test_without_a_secret_the_webhook_is_unavailable_even_in_debug(client, site):
    site.META_SECRET = ""
    site.DEBUG = True
    body = _push()
    response = _post(client, body, signature=_sign(body, ""))
    assert response.status_code == 503
    assert "META_SECRET" in response.json()["error"]
    assert not Election.objects.exists()


def test_a_ping_is_answered(client, site):
    body = b'{"zen": "Keep it logically awesome."}'
    assert _post(client, body, event="ping", signature=_sign(body)).status_code == 200
    assert not Election.objects.exists()


def test_other_branches_and_events_are_accepted_and_ignored(client, site):
    body = _push("feature")
    assert _post(client, body, signature=_sign(body)).status_code == 202
    body = _push()
    assert _post(client, body, event="issues", signature=_sign(body)).status_code == 202
    assert not Election.objects.exists()


def test_a_body_that_is_not_json_is_a_bad_request(client, site):
    body = b"not json"
    assert _post(client, body, signature=_sign(body)).status_code == 400


def test_only_post_is_allowed(client, site):
    assert client.get(URL).status_code == 405


def test_a_delivery_during_another_sync_is_answered_409(client, site):
    body = _push()
    with sync_lock():
        response = _post(client, body, signature=_sign(body))
    assert response.status_code == 409
    assert not Election.objects.exists()
    assert _post(client, body, signature=_sign(body)).status_code == 200


def test_csrf_does_not_apply_the_signature_does(site):
    from django.test import Client

    body = _push()
    response = _post(Client(enforce_csrf_checks=True), body, signature=_sign(body))
    assert response.status_code == 200


def test_a_broken_election_is_reported_with_422(client, site, irregular_repo):
    irregular_repo.edit("club/2025/election.yaml", "no_winners: 2", "no_winners: 0")
    body = _push()
    response = _post(client, body, signature=_sign(body))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "elections/club/2025/election.yaml", "message": "no_winners: must be at least 1"}]
    assert list(Election.objects.values_list("key", flat=True)) == ["club---no-voters"]


def test_with_a_repository_configured_a_push_pulls_it_first(client, site, upstream, tmp_path):
    site.META_REPO = str(upstream.bare)
    site.META_PATH = tmp_path / "checkout"
    body = _push()
    response = _post(client, body, signature=_sign(body))
    assert response.status_code == 200
    assert [e["key"] for e in response.json()["elections"]] == ["e"]

    upstream.write("e/voters.yaml", "eligible_voters: [ann, ben, cat]\n")
    upstream.push("more voters")
    response = _post(client, body, signature=_sign(body))
    assert response.json()["elections"][0]["voters"] == 3


def test_an_unreachable_repository_is_a_bad_gateway(client, site, tmp_path):
    site.META_REPO = str(tmp_path / "missing.git")
    site.META_PATH = tmp_path / "checkout"
    body = _push()
    response = _post(client, body, signature=_sign(body))
    assert response.status_code == 502
    assert "git clone failed" in response.json()["errors"][0]["message"]
