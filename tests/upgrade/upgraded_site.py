"""After the upgrade, run by tests/upgrade with today's code against the database that release 1.0.0 voted in and
today's ``migrate`` upgraded: what a copy of the database shows of the running election, the voters' passphrases
at work (view, change, revoke, vote again), then the close, the opening of the box and the count. Prints JSON.

Usage: upgraded_site.py PASSPHRASE STORY_JSON (the output of release_1_0_0_votes.py)
"""

import json
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from elections.ballot_box.box import ballot_box_open  # noqa: E402
from elections.models import Ballot, Election, SealedBallot  # noqa: E402
from elections.voting import services  # noqa: E402

PASSPHRASE = sys.argv[1]
STORY = json.loads(sys.argv[2])
TODAY_RANKS = {"alice": 2, "bob": 3, "carol": 1}


def plaintext_found(needles):
    """Every (table, needle) where a row of any table, read as text, holds one of ``needles`` (receipts)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview)
                                else str(value) for value in row)
                found += [(table, needle) for needle in needles if needle in text]
    return found


def view(election, voter):
    try:
        seen = services.ballot_view(election=election, voter=voter, passphrase=PASSPHRASE)
    except services.Refusal as refusal:
        return {"refused": type(refusal).__name__}
    return {"receipt": seen.receipt, "ranks": seen.ranks}


def tally(key):
    out = []

    class Lines:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("tally", key, "--format", "json", stdout=Lines())
    return json.loads("".join(out))


def main():
    running = Election.objects.get(key=STORY["running"])
    users = {user.username: user for user in get_user_model().objects.all()}
    old_receipts = [ballot["receipt"] for ballot in STORY["ballots"].values() if ballot]
    result = {
        "plaintext_after_migrate": plaintext_found(old_receipts),
        # The completed election's ballots stay readable, as opened: the same search finds them.
        "plaintext_of_the_completed_election": len(plaintext_found(STORY["past_receipts"])),
        "readable_ballots_of_the_running_election": Ballot.objects.filter(election=running).count(),
        "sealed_after_migrate": SealedBallot.objects.filter(election=running).count(),
        "views": {login: view(running, users[login]) for login in STORY["ballots"]},
    }
    wrong = services.WrongPassphrase
    try:
        services.ballot_view(election=running, voter=users["kim-kept"], passphrase=PASSPHRASE + "-wrong")
        result["wrong_passphrase"] = "opened"
    except wrong:
        result["wrong_passphrase"] = "refused"

    # Today's code goes on with the voters' passphrases from 1.0.0.
    changed = services.ballot_change(election=running, voter=users["tia-changes-today"], passphrase=PASSPHRASE,
                                     ranks=TODAY_RANKS)
    services.ballot_revoke(election=running, voter=users["rob-revokes-today"], passphrase=PASSPHRASE)
    recast = services.ballot_cast(election=running, voter=users["rae-revoked"], ranks=TODAY_RANKS,
                                  passphrase=PASSPHRASE)
    result["today"] = {
        "tia-changes-today": view(running, users["tia-changes-today"]) | {"cast": changed.receipt},
        "rob-revokes-today": view(running, users["rob-revokes-today"]),
        "rae-revoked": view(running, users["rae-revoked"]) | {"cast": recast.receipt},
    }
    result["plaintext_while_running"] = plaintext_found(
        old_receipts + [changed.receipt, recast.receipt])
    result["readable_ballots_while_running"] = Ballot.objects.filter(election=running).count()

    # The close, the opening, the count.
    Election.objects.filter(pk=running.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    running.refresh_from_db()
    result["opened"] = ballot_box_open(election=running, actor="upgrade-test").ballots
    result["counted"] = sorted(([ballot.receipt, ballot.ranks] for ballot in Ballot.objects.filter(election=running)),
                               key=str)
    result["running_tally"] = tally(running.key)
    result["past_tally"] = tally(STORY["past"])
    print(json.dumps(result))


main()
