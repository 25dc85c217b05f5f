"""Voting under release 1.0.0, run by tests/upgrade with that release's code (PYTHONPATH at its tree), against an
empty database: migrate it as 1.0.0 did, then cast, change and revoke ballots through 1.0.0's services in a
running election, and count a completed one. Prints, as JSON, what each voter's ballot is when 1.0.0 stops.

Only 1.0.0's own API is used here: this file must keep working with that release's code, not today's.
"""

import json
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from elections import services  # noqa: E402
from elections.models import Ballot, Candidate, Election, EligibleVoter  # noqa: E402

PASSPHRASE = sys.argv[1]
CANDIDATES = ("alice", "bob", "carol")
# Each voter's story under 1.0.0; tests/upgrade/upgraded_site.py goes on with some of them after the upgrade.
RANKS = {
    "cast": {"alice": 1, "bob": 2, "carol": 3},
    "changed": {"alice": 3, "bob": 1, "carol": 2},
    "revoked": {"alice": 1, "bob": None, "carol": 2},
    "recast": {"alice": 2, "bob": 2, "carol": 1},
}


def election_make(key, *, start, end, voters):
    election = Election.objects.create(key=key, path=key.replace("---", "/"), name=key, start_datetime=start,
                                       end_datetime=end)
    for candidate_id in CANDIDATES:
        Candidate.objects.create(election=election, candidate_id=candidate_id, name=candidate_id.title())
    for login in voters:
        EligibleVoter.objects.create(election=election, login=login)
    return election


def stored(receipt):
    """A cast ballot as 1.0.0 stored it: receipt and ranks."""
    return {"receipt": receipt, "ranks": Ballot.objects.get(receipt=receipt).ranks}


def main():
    call_command("migrate", verbosity=0)
    now = timezone.now()
    voters = {login: get_user_model().objects.create(username=login)
              for login in ("kim-kept", "cai-changed", "rae-revoked", "ren-recast", "tia-changes-today",
                            "rob-revokes-today")}
    running = election_make("club---running", start=now - timedelta(days=1), end=now + timedelta(days=6),
                            voters=voters)
    ballots = {}

    def cast(login, ranks):
        receipt = services.ballot_cast(election=running, voter=voters[login], ranks=ranks, passphrase=PASSPHRASE)
        return stored(receipt.receipt)

    ballots["kim-kept"] = cast("kim-kept", RANKS["cast"])
    cast("cai-changed", RANKS["cast"])
    changed = services.ballot_change(election=running, voter=voters["cai-changed"], passphrase=PASSPHRASE,
                                     ranks=RANKS["changed"])
    ballots["cai-changed"] = stored(changed.receipt)
    cast("rae-revoked", RANKS["revoked"])
    services.ballot_revoke(election=running, voter=voters["rae-revoked"], passphrase=PASSPHRASE)
    ballots["rae-revoked"] = None
    cast("ren-recast", RANKS["cast"])
    services.ballot_revoke(election=running, voter=voters["ren-recast"], passphrase=PASSPHRASE)
    ballots["ren-recast"] = cast("ren-recast", RANKS["recast"])
    ballots["tia-changes-today"] = cast("tia-changes-today", RANKS["changed"])
    ballots["rob-revokes-today"] = cast("rob-revokes-today", RANKS["revoked"])
    readable = Ballot.objects.filter(election=running).count()
    viewed = services.ballot_view(election=running, voter=voters["kim-kept"], passphrase=PASSPHRASE)

    # A completed election: cast while it ran, then closed; its count is kept to compare after the upgrade.
    past = election_make("club---past", start=now - timedelta(days=1), end=now + timedelta(days=1), voters=voters)
    past_receipts = [
        services.ballot_cast(election=past, voter=voters[login], ranks=ranks, passphrase=PASSPHRASE).receipt
        for login, ranks in zip(voters, [RANKS["cast"], RANKS["changed"], RANKS["revoked"], RANKS["recast"],
                                         RANKS["cast"], RANKS["changed"]], strict=True)
    ]
    Election.objects.filter(pk=past.pk).update(start_datetime=now - timedelta(days=9),
                                               end_datetime=now - timedelta(days=2))
    out = []

    class Lines:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("tally", past.key, "--format", "json", stdout=Lines())
    print(json.dumps({"running": running.key, "past": past.key, "ballots": ballots,
                      "viewed": {"receipt": viewed.receipt, "ranks": viewed.ranks},
                      "readable_before_the_upgrade": readable,
                      "past_receipts": past_receipts, "past_tally": json.loads("".join(out))}))


main()
