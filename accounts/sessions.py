"""Django's database sessions, reading only what a request needs of its session row.

Every signed-in request reads its session: its key and data, without the expiry date (the query asks for an
unexpired row). Everything else (writes, expiry, keys, ``clearsessions``) is Django's own, in the same
``django_session`` table.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The unexpired session row of ``session_key`` (its key and data only), or None."""
        session = None
        if self.session_key is not None:
            session = next(iter(self.model.objects.only("session_key", "session_data").filter(
                session_key=self.session_key, expire_date__gt=timezone.now())), None)
        if session is None:
            self._session_key = None
        return session
