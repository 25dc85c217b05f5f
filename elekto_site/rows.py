"""Model instances from hand-written SELECTs, for the few queries every request makes.

Django's ORM builds each query anew, which costs several times a simple query itself. The pages every voter
loads (and the session and user behind each signed-in request) read their rows with fixed SQL instead; these
helpers keep that SQL in step with the models: the columns of a model, and an instance built from a row with
the database's converters applied, as the ORM would build it.
"""

from django.db import connections, router


def connection_for(model):
    return connections[router.db_for_read(model)]


def columns(model, connection, alias=""):
    """The model's concrete columns, quoted (and prefixed with ``alias.``), in field order."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + connection.ops.quote_name(field.column) for field in model._meta.concrete_fields)


def instance(model, connection, row):
    """The ``model`` instance for ``row`` (its concrete columns in field order), loaded from ``connection``."""
    fields = model._meta.concrete_fields
    values = []
    for value, field in zip(row, fields, strict=False):
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], values)
