"""Today's code, run by tests/upgrade/test_previous_release_refuses_writes.py against a database it migrated.

``setup``: a running election with an officer, a voter who cast a ballot, one who did not, an operator, and a
signed-in session for each (as they were before the upgrade); prints their session keys as JSON.
``snapshot``: every row of every table, as JSON text, so that the test can tell that nothing changed.
"""

import json
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from elections.models import Candidate, Election, EligibleVoter, Officer  # noqa: E402
from elections.voting.services import ballot_cast  # noqa: E402


def setup(passphrase):
    now = timezone.now()
    election = Election.objects.create(key="club---running", path="club/running", name="Club",
                                       start_datetime=now - timedelta(days=1), end_datetime=now + timedelta(days=6))
    for candidate_id in ("alice", "bob", "carol"):
        Candidate.objects.create(election=election, candidate_id=candidate_id, name=candidate_id.title())
    users = {login: get_user_model().objects.create(username=login)
             for login in ("vera-voted", "vic-not-voted", "olga-officer")}
    users["root-operator"] = get_user_model().objects.create(username="root-operator", is_staff=True,
                                                             is_superuser=True)
    for login in ("vera-voted", "vic-not-voted"):
        EligibleVoter.objects.create(election=election, login=login)
    Officer.objects.create(election=election, login="olga-officer")
    ballot_cast(election=election, voter=users["vera-voted"], ranks={"alice": 1, "bob": 2, "carol": 3},
                passphrase=passphrase)
    sessions = {}
    for login, user in users.items():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[login] = session.session_key
    return {"election": election.key, "sessions": sessions}


def snapshot():
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = sorted(repr(tuple(bytes(value) if isinstance(value, memoryview) else value
                                              for value in row)) for row in cursor.fetchall())
    return tables


if sys.argv[1] == "setup":
    print(json.dumps(setup(sys.argv[2])))
else:
    print(json.dumps(snapshot()))
