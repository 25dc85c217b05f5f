"""Run by tests/upgrade/test_previous_release_refuses_writes.py with the code of the release before this one (the
newest release with the schema guard), against a database that today's code migrated to a newer schema
generation: every kind of write that release's web pods make. Prints, as JSON, how each one was answered.

Usage: previous_release_writes.py PASSPHRASE SETUP_JSON (the output of guarded_database.py setup)
"""

import hashlib
import hmac
import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

PASSPHRASE = sys.argv[1]
SETUP = json.loads(sys.argv[2])
ELECTION = f"/app/elections/{SETUP['election']}"
RANKS = {"rank-alice": "2", "rank-bob": "1", "rank-carol": "no-opinion"}


def client(login=None):
    signed_in = Client(raise_request_exception=False)
    if login:
        signed_in.cookies[settings.SESSION_COOKIE_NAME] = SETUP["sessions"][login]
    return signed_in


def webhook():
    body = json.dumps({"ref": f"refs/heads/{settings.META_BRANCH}", "after": "0" * 40}).encode()
    signature = "sha256=" + hmac.new(settings.META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return client().post("/v1/webhooks/meta/sync", body, content_type="application/json",
                         HTTP_X_GITHUB_EVENT="push", HTTP_X_GITHUB_DELIVERY="replayed-delivery-1",
                         HTTP_X_HUB_SIGNATURE_256=signature)


posts = {
    "voter casts": lambda: client("vic-not-voted").post(
        f"{ELECTION}/vote", {**RANKS, "step": "cast", "mode": "cast", "passphrase": PASSPHRASE,
                             "passphrase_again": PASSPHRASE}),
    "voter changes": lambda: client("vera-voted").post(
        f"{ELECTION}/vote", {**RANKS, "step": "cast", "mode": "change", "passphrase": PASSPHRASE}),
    "voter revokes": lambda: client("vera-voted").post(
        f"{ELECTION}/confirmation", {"action": "revoke", "passphrase": PASSPHRASE}),
    "voter views": lambda: client("vera-voted").post(
        f"{ELECTION}/confirmation", {"action": "view", "passphrase": PASSPHRASE}),
    "exception request": lambda: client("olga-officer").post(
        f"{ELECTION}/exception", {"name": "Olga", "email": "olga@example.org", "contributions": "docs"}),
    "officer opens the box": lambda: client("olga-officer").post(f"{ELECTION}/admin/ballot-box/open",
                                                                 {"confirm": "yes"}),
    "officer reopens": lambda: client("olga-officer").post(f"{ELECTION}/admin/reopen", {"confirm": "yes"}),
    "operator's admin": lambda: client("root-operator").post(
        "/admin/auth/user/add/", {"username": "mallory", "password1": "x" * 20, "password2": "x" * 20}),
    "webhook": webhook,
    "sign out": lambda: client("vera-voted").post("/logout"),
    "language": lambda: client().post("/i18n/setlang/", {"language": "de", "next": "/"}),
}
answers = {label: post().status_code for label, post in posts.items()}
health = client().get("/health")
answers["health"] = [health.status_code, health.json()]
print(json.dumps(answers))
