"""Django's database sessions, read with one plain query.

Every signed-in request reads its session. Django's database backend builds that query with the ORM each time,
which costs several times the query itself; this one is written once. Everything else (writes, expiry, keys,
``clearsessions``) is Django's own, in the same ``django_session`` table.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The unexpired session row of ``session_key`` (its key and data only), or None."""
        row = None
        if self.session_key is not None:
            model = self.model
            connection = connections[router.db_for_read(model)]
            quote = connection.ops.quote_name
            key, data, expiry = (model._meta.get_field(name).column
                                 for name in ("session_key", "session_data", "expire_date"))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(key)}, {quote(data)} FROM {quote(model._meta.db_table)} "
                    f"WHERE {quote(key)} = %s AND {quote(expiry)} > %s",
                    [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
                )
                row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model.from_db(connection.alias, ["session_key", "session_data"], list(row))
