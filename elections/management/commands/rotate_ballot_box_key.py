"""Rotate the ballot box key in one step: every unopened box moves under a new key, printed once."""

from django.core.management.base import BaseCommand, CommandError

from elections.ballot_box.box import BallotBoxRefused, ballot_box_key_rotate


class Command(BaseCommand):
    help = (
        "Make a new ballot box key, re-wrap every unopened ballot box under it and print it once. Then set "
        "BALLOT_BOX_KEY to it, remove the old key everywhere (BALLOT_BOX_KEY, BALLOT_BOX_OLD_KEYS, your secret "
        "manager) and roll out: no copy of the database made before opens a box with the old key any more. Until "
        "then no new ballot box is made. See docs/production.md."
    )

    def handle(self, *args, **options):
        try:
            key, key_id, moved = ballot_box_key_rotate()
        except BallotBoxRefused as refusal:
            raise CommandError(refusal.message) from None
        for election_key in moved:
            self.stdout.write(f"Re-wrapped the ballot box of {election_key}.")
        self.stdout.write(f"New BALLOT_BOX_KEY (fingerprint {key_id}), shown once and stored nowhere:")
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING(
            "Set BALLOT_BOX_KEY to it now and discard the old key. Until BALLOT_BOX_KEY is this key, no ballot box "
            "is made or opened; a box is lost if this key is lost."))
