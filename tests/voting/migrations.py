"""Running the elections' migrations to a point in their history, for tests of what a migration does to data."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def latest():
    """Every app's last migration: the migrations under test run on the way, and the current models fit."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate(targets):
    """Migrate to ``targets`` (a list of (app, migration) pairs); returns the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@contextmanager
def migrated_back_to(targets):
    """The historical apps at ``targets``; every app's last migration again afterwards, whatever happened."""
    try:
        yield migrate(targets)
    finally:
        migrate(latest())
