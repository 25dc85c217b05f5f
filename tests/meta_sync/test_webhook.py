"""``POST /v1/webhooks/meta/sync``: GitHub's signed push deliveries trigger a pull and an import."""

import datetime as dt
import hashlib
import hmac
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from elections.models import AuditEvent, Election
from meta_sync.lock import sync_lock
from meta_sync.models import SyncRequest, SyncRun

pytestmark = pytest.mark.django_db

SECRET = "a webhook secret"
URL = "/v1/webhooks/meta/sync"


def _sign(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _push(branch="main", after="0" * 40):
    return json.dumps({"ref": f"refs/heads/{branch}", "after": after}).encode()


@pytest.fixture
def site(settings, irregular_repo):
    settings.META_SECRET = SECRET
    settings.META_REPO = ""
    settings.META_BRANCH = "main"
    settings.META_PATH = irregular_repo.root
    settings.ELECTION_DIR = "elections"
    return settings


def _post(client, body, *, event="push", signature=None, delivery="d-1", **headers):
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    if delivery is not None:
        headers["HTTP_X_GITHUB_DELIVERY"] = delivery
    return client.post(URL, data=body, content_type="application/json", HTTP_X_GITHUB_EVENT=event, **headers)


def _work():
    """What the sync worker Deployment does: drain the queue once."""
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_worker", "--once", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_the_url_is_named():
    assert reverse("meta_sync:webhook_sync") == URL


def test_a_signed_push_is_queued_at_once_and_the_worker_imports_it(client, site):
    body = _push()
    response = _post(client, body, signature=_sign(body), delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")

    assert response.status_code == 202
    assert response.json() == {"queued": "72d3162e-cc78-11e3-81ab-4c9367dc0958"}
    assert not Election.objects.exists()  # nothing ran inside the request
    request = SyncRequest.objects.get()
    assert request.status == "queued" and request.ref == "refs/heads/main" and request.after == "0" * 40

    output = _work()

    assert "2 created" in output
    assert Election.objects.count() == 2
    request.refresh_from_db()
    assert request.status == "done" and request.finished_at and request.detail == ""
    assert request.run == SyncRun.objects.get() and request.run.trigger == "webhook"
    assert AuditEvent.objects.get(action="meta.sync").actor == "system"
    # Nothing waits: the next look at the queue does nothing.
    assert _work() == ""
    assert SyncRun.objects.count() == 1


def test_a_replayed_delivery_is_acknowledged_without_a_second_sync(client, site, irregular_repo):
    body = _push()
    assert _post(client, body, signature=_sign(body), delivery="same").status_code == 202
    _work()
    irregular_repo.edit("club/2025/election.yaml", "no_winners: 2", "no_winners: 3")

    replay = _post(client, body, signature=_sign(body), delivery="same")

    assert replay.status_code == 202
    assert replay.json() == {"duplicate": "same", "status": "done"}
    assert _work() == ""
    assert Election.objects.get(key="club---2025").no_winners == 2
    assert SyncRequest.objects.count() == 1


def test_a_signed_body_replayed_under_fresh_delivery_ids_is_a_duplicate_while_it_waits(client, site):
    body = _push()
    assert _post(client, body, signature=_sign(body), delivery="original").json() == {"queued": "original"}

    replays = [_post(client, body, signature=_sign(body), delivery=f"fresh-{n}") for n in range(300)]

    assert {r.status_code for r in replays} == {202}
    assert {json.dumps(r.json()) for r in replays} == {json.dumps({"duplicate": "original", "status": "queued"})}
    assert SyncRequest.objects.count() == 1
    _work()
    assert SyncRun.objects.count() == 1


def test_a_body_synced_within_the_hour_is_a_duplicate_and_after_it_is_queued_again(client, site):
    body = _push()
    _post(client, body, signature=_sign(body), delivery="original")
    _work()

    replay = _post(client, body, signature=_sign(body), delivery="fresh-1")
    assert replay.json() == {"duplicate": "original", "status": "done"}
    assert _work() == "" and SyncRun.objects.count() == 1

    SyncRequest.objects.update(finished_at=timezone.now() - dt.timedelta(minutes=61))
    later = _post(client, body, signature=_sign(body), delivery="fresh-2")
    assert later.json() == {"queued": "fresh-2"}
    # Another push (another body) is never held back by the first.
    other = _push(after="1" * 40)
    assert _post(client, other, signature=_sign(other), delivery="fresh-3").json() == {"queued": "fresh-3"}
    assert SyncRequest.objects.filter(status="queued").count() == 2


def test_the_body_of_a_failed_delivery_may_be_delivered_again(client, site):
    body = _push()
    _post(client, body, signature=_sign(body), delivery="original")
    SyncRequest.objects.update(status="failed", finished_at=timezone.now())
    assert _post(client, body, signature=_sign(body), delivery="retry").json() == {"queued": "retry"}


def test_the_daily_clean_up_deletes_deliveries_older_than_30_days(client, site):
    from django.contrib.sessions.models import Session

    for n, days in enumerate((31, 45, 29, 0)):
        body = _push(after=str(n) * 40)
        _post(client, body, signature=_sign(body), delivery=f"d-{days}")
    _work()
    for days in (31, 45, 29):
        SyncRequest.objects.filter(delivery_id=f"d-{days}").update(
            received_at=timezone.now() - dt.timedelta(days=days))
    Session.objects.create(session_key="expired-session-key-0123456789", session_data="",
                           expire_date=timezone.now() - dt.timedelta(days=1))

    dry = io.StringIO()
    call_command("clean_up", "--dry-run", stdout=dry)
    assert "would delete 2 webhook deliveries older than 30 days" in dry.getvalue()
    assert SyncRequest.objects.count() == 4 and Session.objects.filter(session_key__startswith="expired").exists()

    out = io.StringIO()
    call_command("clean_up", stdout=out)
    assert "deleted 2 webhook deliveries older than 30 days" in out.getvalue()
    assert set(SyncRequest.objects.values_list("delivery_id", flat=True)) == {"d-29", "d-0"}
    assert not Session.objects.filter(session_key__startswith="expired").exists()
    again = io.StringIO()
    call_command("clean_up", stdout=again)
    assert "deleted 0 webhook deliveries" in again.getvalue()


def test_deliveries_waiting_together_are_covered_by_one_sync(client, site):
    for delivery in ("a", "b", "c"):
        body = _push(after=delivery * 40)
        assert _post(client, body, signature=_sign(body), delivery=delivery).status_code == 202
    _work()
    assert set(SyncRequest.objects.values_list("status", flat=True)) == {"done"}
    assert SyncRun.objects.count() == 1


def test_the_cron_sync_covers_waiting_deliveries_too(client, site):
    body = _push()
    _post(client, body, signature=_sign(body))
    call_command("sync_meta", stdout=io.StringIO())
    assert SyncRequest.objects.get().status == "done"
    assert _work() == ""


def test_a_sync_that_died_leaves_its_deliveries_to_the_next_one(client, site):
    body = _push()
    _post(client, body, signature=_sign(body))
    SyncRequest.objects.update(status="running", claim="dead", started_at=timezone.now() - dt.timedelta(hours=1))
    _work()
    assert SyncRequest.objects.get().status == "done"
    assert Election.objects.count() == 2


def test_a_push_without_a_delivery_id_is_refused(client, site):
    body = _push()
    assert _post(client, body, signature=_sign(body), delivery=None).status_code == 400
    assert not SyncRequest.objects.exists()


def test_a_body_of_github_s_largest_size_is_accepted_here_only(client, site, settings):
    body = json.dumps({"ref": "refs/heads/main", "commits": [{"message": "x" * 1000}] * 24_000}).encode()
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(body) < 25 * 1024 * 1024
    assert _post(client, body, signature=_sign(body)).status_code == 202
    assert SyncRequest.objects.count() == 1
    too_big = b" " * (25 * 1024 * 1024 + 1)
    assert _post(client, too_big, signature=_sign(too_big), delivery="d-2").status_code == 413
    # Elsewhere the site-wide limit stays: a large form post is refused.
    response = client.post("/i18n/setlang/", data=b"language=de&" + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_a_missing_signature_is_refused_and_nothing_is_done(client, site):
    response = _post(client, _push())
    assert response.status_code == 403
    assert not SyncRequest.objects.exists()


def test_a_wrong_signature_is_refused(client, site):
    body = _push()
    assert _post(client, body, signature=_sign(body, "another secret")).status_code == 403
    assert _post(client, body, signature="sha256=").status_code == 403
    assert _post(client, body, signature=_sign(body).replace("sha256=", "sha1=")).status_code == 403
    assert not SyncRequest.objects.exists()


def test_a_replayed_signature_with_an_altered_body_is_refused(client, site):
    original = json.dumps({"ref": "refs/heads/other"}).encode()
    altered = _push()
    assert _post(client, altered, signature=_sign(original)).status_code == 403
    assert not SyncRequest.objects.exists()


def test_without_a_secret_the_webhook_is_unavailable_even_in_debug(client, site):
    site.META_SECRET = ""
    site.DEBUG = True
    body = _push()
    response = _post(client, body, signature=_sign(body, ""))
    assert response.status_code == 503
    assert "META_SECRET" in response.json()["error"]
    assert not SyncRequest.objects.exists()


def test_a_ping_is_answered(client, site):
    body = b'{"zen": "Keep it logically awesome."}'
    assert _post(client, body, event="ping", signature=_sign(body)).status_code == 200
    assert not SyncRequest.objects.exists()


def test_other_branches_and_events_are_accepted_and_ignored(client, site):
    body = _push("feature")
    assert _post(client, body, signature=_sign(body)).status_code == 202
    body = _push()
    assert _post(client, body, event="issues", signature=_sign(body)).status_code == 202
    assert not SyncRequest.objects.exists()


def test_a_body_that_is_not_json_is_a_bad_request(client, site):
    body = b"not json"
    assert _post(client, body, signature=_sign(body)).status_code == 400


def test_only_post_is_allowed(client, site):
    assert client.get(URL).status_code == 405


def test_a_delivery_during_another_sync_waits_for_the_next_look(client, site):
    body = _push()
    with sync_lock():
        response = _post(client, body, signature=_sign(body))
        assert response.status_code == 202
    assert SyncRequest.objects.get().status == "queued"
    _work()
    assert SyncRequest.objects.get().status == "done"


def test_csrf_does_not_apply_the_signature_does(site):
    from django.test import Client

    body = _push()
    response = _post(Client(enforce_csrf_checks=True), body, signature=_sign(body))
    assert response.status_code == 202


def test_a_broken_election_is_recorded_on_the_delivery(client, site, irregular_repo):
    irregular_repo.edit("club/2025/election.yaml", "no_winners: 2", "no_winners: 0")
    body = _push()
    _post(client, body, signature=_sign(body))
    output = _work()
    assert "elections/club/2025/election.yaml: no_winners: must be at least 1" in output
    request = SyncRequest.objects.get()
    assert request.status == "done" and request.detail == "1 election(s) could not be imported"
    assert list(Election.objects.values_list("key", flat=True)) == ["club---no-voters"]


def test_with_a_repository_configured_the_worker_pulls_it_first(client, site, upstream, tmp_path):
    site.META_REPO = str(upstream.bare)
    site.META_PATH = tmp_path / "checkout"
    body = _push()
    _post(client, body, signature=_sign(body), delivery="first")
    _work()
    assert list(Election.objects.values_list("key", flat=True)) == ["e"]

    upstream.write("e/voters.yaml", "eligible_voters: [ann, ben, cat]\n")
    upstream.push("more voters")
    second = _push(after="1" * 40)
    _post(client, second, signature=_sign(second), delivery="second")
    _work()
    assert Election.objects.get(key="e").voters.count() == 3


def test_an_unreachable_repository_fails_the_delivery_with_the_reason(client, site, tmp_path):
    site.META_REPO = str(tmp_path / "missing.git")
    site.META_PATH = tmp_path / "checkout"
    body = _push()
    _post(client, body, signature=_sign(body))
    assert "git clone failed" in _work()
    request = SyncRequest.objects.get()
    assert request.status == "failed" and "git clone failed" in request.detail


def test_the_officer_page_shows_the_state_of_the_last_push_and_this_election_s_errors(client, site,
                                                                                      irregular_repo,
                                                                                      django_user_model):
    body = _push()
    _post(client, body, signature=_sign(body), delivery="first")
    _work()
    election = Election.objects.get(key="club---2025")
    officer = django_user_model.objects.create_user(username=election.officers.first().login)
    client.force_login(officer)
    overview = reverse("officers:overview", args=[election.key])

    second = _push(after="1" * 40)
    _post(client, second, signature=_sign(second), delivery="second")
    page = client.get(overview).content.decode()
    assert "The last push to the meta repository arrived" in page and "waiting for the sync" in page

    irregular_repo.edit("club/2025/election.yaml", "no_winners: 2", "no_winners: 0")
    _work()
    page = client.get(overview).content.decode()
    assert "imported (1 election(s) could not be imported)" in page
    assert "elections/club/2025/election.yaml: no_winners: must be at least 1" in page


def test_a_push_to_a_repository_with_a_nested_election_dir_imports_the_keys_below_it(client, site):
    from tests.meta_sync.test_hostile import NESTED

    site.META_PATH = NESTED
    site.ELECTION_DIR = "steering/elections"
    body = _push()
    _post(client, body, signature=_sign(body))
    _work()
    assert sorted(Election.objects.values_list("key", flat=True)) == ["2022", "tech---2023"]
