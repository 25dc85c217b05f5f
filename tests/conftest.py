"""Shared test fixtures: personas, cheap key derivation, and paths to the real meta repositories."""

import os
from pathlib import Path

import pytest
from django.utils import translation

REPO_ROOT = Path(__file__).resolve().parent.parent
# Real communities' data, copied unchanged from their repositories: tests/data/NOTICE names each source.
REAL_DATA = REPO_ROOT / "tests" / "data"
EXAMPLE_META = REPO_ROOT / "examples" / "meta"
# Published, so worthless outside the tests.
TEST_BALLOT_BOX_KEY = "dGVzdC1vbmx5IGJhbGxvdCBib3gga2V5OiBwdWJsaWM="
TEST_PASSPHRASE_PEPPER = "test-only-passphrase-pepper-not-a-secret-at-all"


def skip_unless_possible(reason):
    """Skip the test, saying ``reason``; under CI (``CI=true``) fail instead: a proof that cannot run there, for
    missing data or a missing server, proves nothing."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI runs every proof)")
    pytest.skip(reason)


def shared_fixture(*parts):
    """Path to a file of the real communities' data under tests/data."""
    path = REAL_DATA.joinpath(*parts)
    if not path.exists():
        skip_unless_possible(f"{path} is absent")
    return path


def review_fields(ranks):
    """What the review form adds to a cast beside the ranks: for a ballot that prefers no one (every candidate
    with a rank tied, "" counting as the lowest rank), that the voter was shown the note saying so."""
    tied = {str(len(ranks)) if rank == "" else str(rank) for rank in ranks.values() if rank is not None}
    return {"prefers_no_one": "yes"} if len(tied) <= 1 else {}


def canonical_key_order(keys):
    """The one order in which the database keeps a ballot's keys: sorted as the site writes them, except that
    PostgreSQL's jsonb keeps object keys in its own order (shorter keys first, then bytewise)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return sorted(keys, key=lambda key: (len(key.encode()), key.encode()))
    return sorted(keys)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, a test database in a file rather than in memory.

    An in-memory database has one connection, which Django's live server shares between all its threads; in a
    file, each thread has its own connection, so the concurrency and browser tests meet SQLite's real locking
    (its busy timeout and IMMEDIATE transactions), as a site on SQLite would.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Argon2id at production cost takes ~0.2 s a derivation; tests that are not about the cost use a cheap one.
    settings.ARGON2_MEMORY_KIB = 1024
    settings.ARGON2_TIME_COST = 1
    # Test-only secrets for the ballot box and the passphrase pepper (production reads them from the environment).
    settings.BALLOT_BOX_KEY = TEST_BALLOT_BOX_KEY
    settings.PASSPHRASE_PEPPER = TEST_PASSPHRASE_PEPPER
    # The test client and live server speak plain HTTP; tests/production covers the HTTPS redirect and cookies.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # /health checks the database on every request in tests (each test may make it fail).
    settings.HEALTH_DATABASE_CHECK_SECONDS = 0
    # The schema generation read while the test database was migrated holds for the whole run, so that no write
    # anywhere pays for a reading (tests that count queries stay exact); tests/production/test_schema_guard.py
    # reads it afresh.
    settings.SCHEMA_GENERATION_CHECK_SECONDS = 10**9
    # The hashed-name manifest exists only after collectstatic; tests serve static files by their plain names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_page_parts():
    # Rendered page parts are kept per content version, which the meta sync raises; tests also write elections
    # directly, and each test's rollback takes the version back, so each test starts with nothing kept.
    from elections.voting import listing

    listing.forget()
    yield
    listing.forget()


def box_open_now(election, *, actor="test-operator"):
    """Close ``election`` now and open its ballot box, as an officer would after the close; returns the ballots."""
    from datetime import timedelta

    from django.utils import timezone

    from elections.ballot_box.box import ballot_box_open
    from elections.models import Ballot, Election

    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(end_datetime=now - timedelta(seconds=1),
                                                   start_datetime=min(election.start_datetime,
                                                                      now - timedelta(seconds=2)))
    election.refresh_from_db()
    ballot_box_open(election=election, actor=actor)
    return list(Ballot.objects.filter(election=election))


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the site's default language.

    LocaleMiddleware activates the language of each request in the serving thread and nothing deactivates it, so
    a page served in German would otherwise leave German active for code a later test calls outside a request.
    """
    translation.deactivate()
    yield
    translation.deactivate()
