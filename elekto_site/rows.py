"""Model instances from hand-written SELECTs, for the two queries of this kind that Django's ORM makes too dear.

The ORM builds and compiles each query again on every request, which costs several times a simple query itself.
For the user behind each signed-in request (``accounts.backends.active_user``) and the ballot pages' election
with the voter's access to it (``elections.voting.standing.election_access``) that cost was measured as more than the
pages can afford (docs/performance.md), so those two read fixed SQL. These helpers keep it in step with the
models: the columns of a model, and an instance built from a row with the database's converters applied, as the
ORM would build it. Fields left out are deferred: the instance loads them from the database if they are ever
read.
"""

from django.db import connections, router


def connection_for(model):
    return connections[router.db_for_read(model)]


def fields(model, *, leave_out=()):
    """The model's concrete fields in order, without the names in ``leave_out``."""
    return [field for field in model._meta.concrete_fields if field.name not in leave_out]


def columns(model, connection, alias="", *, leave_out=()):
    """The quoted columns of ``fields(model, leave_out=...)``, prefixed with ``alias.`` when given."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + connection.ops.quote_name(field.column) for field in fields(model, leave_out=leave_out))


def instance(model, connection, row, *, leave_out=()):
    """The ``model`` instance for ``row`` (the columns of ``columns(..., leave_out=...)``, in that order)."""
    chosen = fields(model, leave_out=leave_out)
    values = []
    for value, field in zip(row, chosen, strict=True):
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, [field.attname for field in chosen], values)
