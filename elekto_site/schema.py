"""Upgrades lose nothing: old code cannot write to a newer schema, and rollbacks refuse before they unapply.

**Schema generation.** The database records the generation of its schema (``elections.SchemaGeneration``: one
row per generation, the highest counts), raised by any migration that changes what a write means
(``schema_generation_raise`` in that migration). The code knows the generation it writes
(``elekto_site.SCHEMA_GENERATION``). During a rolling update, pods of the previous release keep running against
the migrated database; a process whose generation is lower than the database's must not write, or it writes
in the old meaning (a plaintext ballot in a sealed box's election, a revoke that leaves the sealed ballot).

Every statement that writes (``INSERT``, ``UPDATE``, ``DELETE``, ``REPLACE``) goes through ``guard_writes``,
installed on each database connection as it opens, whatever path made it: a voter's or an officer's page, the
admin, the webhook, the sync, a management command. It compares the generations, reading the database's at most
once every ``SCHEMA_GENERATION_CHECK_SECONDS`` (5 s) per process, and raises ``SchemaAhead`` when the database
is ahead: the write never reaches the database, its transaction rolls back. ``SchemaGuardMiddleware`` refuses a
POST before the view starts; the site's error handler turns a refusal raised later into the same 503 page;
``/health`` answers 503 so that Kubernetes takes the pod out of service; a management command stops with the
message.

**Rollbacks.** A migration whose reverse would lose data in some states names a check (``reverse_check``, a
function of the migration state's ``apps``). ``migrate`` to an earlier migration runs the checks of every
migration it would unapply before it unapplies any, and refuses with their message (``rollback_refuse``).
"""

import logging
import time

from django.core.management.base import CommandError
from django.db import connections, migrations

import elekto_site

logger = logging.getLogger("elekto.schema")

# SQL statements that change rows. DDL is left alone: an older release's ``migrate`` has nothing to apply to a newer
# schema, and the django_migrations row it would write is an INSERT.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_TABLE = "elections_schemageneration"


class SchemaAhead(CommandError):
    """A write refused because the database was upgraded past this code's schema generation.

    A ``CommandError``, so that any management command stops with the message rather than a traceback.
    """

    def __init__(self, *, database_generation, database_release):
        self.database_generation = database_generation
        self.database_release = database_release
        super().__init__(
            f"This server runs release {elekto_site.__version__} (schema generation {elekto_site.SCHEMA_GENERATION}); "
            f"the database was upgraded to release {database_release} (schema generation {database_generation}): "
            "finish the rollout. Nothing was written."
        )


# Per process and database alias: (time.monotonic() of the reading, generation, release).
_readings = {}


def forget():
    """Read the database's generation again at the next write (tests; after a migration in the same process)."""
    _readings.clear()


def database_generation(alias="default"):
    """(generation, release) the database's migrations reached: (0, "") before the guard's migration."""
    from django.conf import settings

    now = time.monotonic()
    reading = _readings.get(alias)
    if reading is not None and now - reading[0] < settings.SCHEMA_GENERATION_CHECK_SECONDS:
        return reading[1], reading[2]
    connection = connections[alias]
    # The table is missing before the guard's migration; a query that fails would abort the transaction it runs in
    # (PostgreSQL), so ask the catalogue first.
    with connection.cursor() as cursor:
        if _TABLE not in connection.introspection.table_names(cursor):
            row = None
        else:
            cursor.execute(f"SELECT generation, {connection.ops.quote_name('release')} FROM {_TABLE} "
                           "ORDER BY generation DESC")
            row = cursor.fetchone()
    generation, release = (row[0], row[1]) if row else (0, "")
    _readings[alias] = (now, generation, release)
    return generation, release


def schema_ahead(alias="default"):
    """``SchemaAhead`` when the database's generation is higher than this code's, else None."""
    generation, release = database_generation(alias)
    if generation > elekto_site.SCHEMA_GENERATION:
        return SchemaAhead(database_generation=generation, database_release=release)
    return None


def guard_writes(execute, sql, params, many, context):
    """Execute wrapper of every connection: refuse a write while the database is ahead of this code."""
    if sql.lstrip(" \t\r\n(").upper().startswith(_WRITES):
        refusal = schema_ahead(context["connection"].alias)
        if refusal is not None:
            logger.error("%s", refusal, extra={"schema_database": refusal.database_generation,
                                              "schema_code": elekto_site.SCHEMA_GENERATION})
            raise refusal
    return execute(sql, params, many, context)


def guard_install(sender, connection, **kwargs):
    """``connection_created`` receiver: put ``guard_writes`` on the connection once (it outlives reconnections)."""
    if guard_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(guard_writes)


def schema_generation_raise(generation):
    """The migration operation that raises the database's schema generation to ``generation``.

    Put it in a migration that changes what a write means, and set ``elekto_site.SCHEMA_GENERATION`` to the same
    number: from then on, code of a lower generation refuses to write to that database. Unapplying the migration
    takes the generation back. Two migrations of one release may both raise to the same number.

    Processes read the generation at most every ``SCHEMA_GENERATION_CHECK_SECONDS``, so an older process may still
    write for that long after the raise is committed. When that matters (a migration that then rewrites data), raise
    the generation in a migration of its own, with ``atomic = False``, that the rewriting migration depends on:
    outside a transaction the raise is committed at once, and the operation then waits out that interval, so that
    every older process refuses to write before the data changes.
    """

    def forward(apps, schema_editor):
        from django.conf import settings

        SchemaGeneration = apps.get_model("elections", "SchemaGeneration")
        SchemaGeneration.objects.using(schema_editor.connection.alias).get_or_create(
            generation=generation, defaults={"release": elekto_site.__version__})
        forget()
        if not schema_editor.connection.in_atomic_block:
            time.sleep(settings.SCHEMA_GENERATION_CHECK_SECONDS)

    def backward(apps, schema_editor):
        SchemaGeneration = apps.get_model("elections", "SchemaGeneration")
        SchemaGeneration.objects.using(schema_editor.connection.alias).filter(generation=generation).delete()
        forget()

    return migrations.RunPython(forward, backward)


# --- rollbacks ---------------------------------------------------------------------------------------------------


def rollback_refuse(sender, *, plan=None, apps=None, **kwargs):
    """``pre_migrate`` receiver: refuse a ``migrate`` whose plan unapplies a migration whose ``reverse_check``
    objects, before any migration is unapplied. Each check raises with its reason; the command stops with all of
    them, so that one reading says everything that stands in the way."""
    objections = []
    for migration, backwards in plan or ():
        check = getattr(migration, "reverse_check", None)
        if backwards and check is not None:
            try:
                check(apps, None)
            except RuntimeError as exc:
                objections.append(f"Cannot unapply {migration.app_label}.{migration.name}: {exc}")
    if objections:
        raise CommandError(" ".join(objections) + " Nothing was unapplied.")
