"""Re-wrap every unopened ballot box's private key under the current BALLOT_BOX_KEY (key rotation)."""

from django.core.management.base import BaseCommand, CommandError

from elections.ballot_box.box import BallotBoxRefused, ballot_boxes_rewrap


class Command(BaseCommand):
    help = (
        "Rotate the ballot box key: with the new key in BALLOT_BOX_KEY and the previous one(s) in "
        "BALLOT_BOX_OLD_KEYS, re-wrap the private key of every unopened ballot box under the new key. Idempotent; "
        "afterwards the old keys can be removed. See docs/production.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Check that every box unwraps and say which would be re-wrapped; change nothing.")

    def handle(self, *args, dry_run, **options):
        try:
            done = ballot_boxes_rewrap(dry_run=dry_run)
        except BallotBoxRefused as refusal:
            raise CommandError(refusal.message) from None
        verb = "Would re-wrap" if dry_run else "Re-wrapped"
        for key in done:
            self.stdout.write(f"{verb} the ballot box of {key}.")
        if not done:
            self.stdout.write("Every unopened ballot box is already under the current BALLOT_BOX_KEY.")
        elif not dry_run:
            self.stdout.write(self.style.SUCCESS("Done: BALLOT_BOX_OLD_KEYS may now be emptied."))
