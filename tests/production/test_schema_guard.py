"""Old code cannot corrupt a newer schema: a process whose release is older than the database's schema generation
refuses every write, with a 503 page and a log line, and /health takes it out of service."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import elekto_site
from elections.models import AuditEvent, BallotBox, Election, SchemaGeneration, SealedBallot, VoteRecord
from elections.voting.services import ballot_cast
from elekto_site import schema
from tests.conftest import EXAMPLE_META
from tests.voting.conftest import PASSPHRASE, cast_data, make_election

RANKS = {"alice": 1, "bob": 2, "carol": None}
RELEASE = elekto_site.__version__
GENERATION = elekto_site.SCHEMA_GENERATION


@pytest.fixture
def fresh_readings(settings):
    """The database's generation read at every write, as a process whose reading just expired would."""
    settings.SCHEMA_GENERATION_CHECK_SECONDS = 0
    schema.forget()
    yield
    schema.forget()
    # Read it again now, so that no later test pays for the reading inside a query count; never keep a reading
    # that the test's rollback is about to undo.
    if schema.schema_ahead() is not None:
        schema.forget()


@pytest.fixture
def election(db, fresh_readings):
    now = timezone.now()
    return make_election("steering---2026", start=now - timedelta(days=1), end=now + timedelta(days=6),
                         voters=["vera-voter"], officers=["olga-officer"])


@pytest.fixture
def voter(db):
    return get_user_model().objects.create(username="vera-voter")


@pytest.fixture
def voter_client(voter):
    client = Client()
    client.force_login(voter)  # signed in before the upgrade
    return client


@pytest.fixture
def previous_release(db, fresh_readings):
    """This process runs the release before the database's: its code writes a lower schema generation."""
    # A database flushed by a transactional test lost the row its migration wrote; the migration writes it again.
    SchemaGeneration.objects.get_or_create(generation=elekto_site.SCHEMA_GENERATION,
                                           defaults={"release": elekto_site.__version__})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(elekto_site, "SCHEMA_GENERATION", elekto_site.SCHEMA_GENERATION - 1)
        patch.setattr(elekto_site, "__version__", "1.0.0")
        schema.forget()
        yield
    # Back to this release before the test database is rolled back or flushed.
    schema.forget()


def database_rows():
    return (VoteRecord.objects.count(), SealedBallot.objects.count(), AuditEvent.objects.count(),
            Election.objects.count(), get_user_model().objects.count())


def test_a_migrated_database_records_the_generation_this_release_writes(transactional_db, fresh_readings):
    # Back one step and forward again: the migration's own row, whatever earlier tests flushed.
    call_command("migrate", "elections", "0008", verbosity=0)
    assert schema.database_generation() == (0, "")
    call_command("migrate", "elections", verbosity=0)

    assert schema.database_generation() == (elekto_site.SCHEMA_GENERATION, elekto_site.__version__)
    assert schema.schema_ahead() is None


def test_a_voters_cast_to_an_older_release_is_refused_with_a_503_page_and_nothing_is_written(
        election, voter_client, previous_release, caplog):
    before = database_rows()

    with caplog.at_level(logging.ERROR, logger="elekto.schema"):
        response = voter_client.post(f"/app/elections/{election.key}/vote", cast_data(RANKS))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "The site is being upgraded" in response.content.decode()
    assert "no ballot was cast, changed or revoked" in response.content.decode()
    assert database_rows() == before
    assert (f"This server runs release 1.0.0 (schema generation {GENERATION - 1}); the database was upgraded to "
            f"release {RELEASE} (schema generation {GENERATION}): finish the rollout") in caplog.text


@pytest.mark.parametrize("path", ["/v1/webhooks/meta/sync", "/admin/elections/election/", "/logout",
                                  "/app/elections/steering---2026/confirmation", "/i18n/setlang/"])
def test_every_post_is_refused_before_its_view_runs(election, previous_release, path):
    before = database_rows()

    response = Client().post(path, {"action": "revoke", "passphrase": PASSPHRASE}, HTTP_X_GITHUB_EVENT="push")

    assert response.status_code == 503
    assert database_rows() == before


@pytest.mark.urls("tests.production.urls")
def test_a_write_made_by_a_page_that_is_read_is_refused_with_the_same_page(transactional_db, previous_release):
    # Transactional: a request outside any test transaction, in autocommit as in production.
    before = database_rows()

    response = Client(raise_request_exception=False).get("/test-only/writing-page")

    assert response.status_code == 503
    assert database_rows() == before
    assert "The site is being upgraded" in response.content.decode()


def test_pages_that_only_read_still_answer(election, previous_release):
    assert Client().get("/elections").status_code == 200
    assert Client().get(f"/elections/{election.key}").status_code == 200


def test_a_service_call_is_refused_and_its_transaction_rolls_back(election, voter, previous_release):
    before = database_rows()

    with pytest.raises(schema.SchemaAhead, match="finish the rollout"):
        ballot_cast(election=election, voter=voter, ranks=RANKS, passphrase=PASSPHRASE)

    assert database_rows() == before
    assert not BallotBox.objects.filter(election=election).exists()


def test_a_management_command_stops_with_the_message(db, previous_release):
    before = database_rows()

    with pytest.raises(schema.SchemaAhead, match="the database was upgraded to release"):
        call_command("sync_meta", "--path", str(EXAMPLE_META), verbosity=0)

    assert database_rows() == before


def test_health_takes_a_process_of_the_previous_release_out_of_service(previous_release):
    response = Client().get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "outdated", "database": "ok", "release": "1.0.0",
                               "schema_generation": GENERATION - 1, "database_schema_generation": GENERATION,
                               "database_release": RELEASE}


def test_health_and_writes_are_fine_for_the_release_that_migrated_the_database(election, voter):
    assert Client().get("/health").json() == {"status": "ok", "database": "ok"}

    ballot_cast(election=election, voter=voter, ranks=RANKS, passphrase=PASSPHRASE)

    assert SealedBallot.objects.filter(election=election).count() == 1


def test_the_reading_is_kept_a_few_seconds_per_process(election, voter, settings, django_assert_num_queries):
    settings.SCHEMA_GENERATION_CHECK_SECONDS = 5
    schema.database_generation()

    with django_assert_num_queries(0):
        for _ in range(3):
            assert schema.schema_ahead() is None




@pytest.fixture
def release_of_generation_7(monkeypatch):
    """The code of a release whose migration raises the generation to 7, and a migration run's schema editor (what
    RunPython hands its functions; only its connection is used)."""
    from types import SimpleNamespace

    from django.db import connection

    monkeypatch.setattr(elekto_site, "SCHEMA_GENERATION", 7)
    return SimpleNamespace(connection=connection)


def test_a_migration_raises_the_generation_and_unapplying_it_takes_it_back(db, fresh_readings,
                                                                           release_of_generation_7):
    from django.apps import apps

    raise_to_7 = schema.schema_generation_raise(7)

    raise_to_7.code(apps, release_of_generation_7)
    assert schema.database_generation() == (7, elekto_site.__version__)
    assert schema.schema_ahead() is None

    raise_to_7.reverse_code(apps, release_of_generation_7)
    assert schema.database_generation()[0] < 7  # and the reading kept for later tests is this code's


def test_a_raise_outside_a_transaction_waits_until_every_process_has_read_it(transactional_db, fresh_readings,
                                                                              release_of_generation_7, settings):
    import time

    from django.apps import apps

    settings.SCHEMA_GENERATION_CHECK_SECONDS = 0.3
    raise_to_7 = schema.schema_generation_raise(7)
    started = time.monotonic()
    raise_to_7.code(apps, release_of_generation_7)
    waited = time.monotonic() - started
    raise_to_7.reverse_code(apps, release_of_generation_7)

    assert waited >= 0.3


def test_a_raise_inside_the_migrations_transaction_does_not_wait(db, fresh_readings, release_of_generation_7,
                                                                 settings):
    import time

    from django.apps import apps

    settings.SCHEMA_GENERATION_CHECK_SECONDS = 30
    raise_to_7 = schema.schema_generation_raise(7)
    started = time.monotonic()
    raise_to_7.code(apps, release_of_generation_7)
    waited = time.monotonic() - started
    raise_to_7.reverse_code(apps, release_of_generation_7)  # the reading kept for later tests is this code's

    assert waited < 5
