"""Export a closed election's sealed ballot box for officers to open on their own machine."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from elections.ballot_box.box import BallotBoxRefused
from elections.ballot_box.custody import sealed_box_export
from elections.models import Election


class Command(BaseCommand):
    help = (
        "After the close of an election whose box opens with its officers' keys, write its sealed ballots alone "
        "(shuffled, no voter, no time), with the box's public key and its key wrapped so that only K officers' "
        "shares open it, to a file. K officers open that file on their own machine with "
        "python -m elections.ballot_box.open_sealed_box FILE --share ... --share ...; "
        "manage.py load_ballots KEY ballots.csv then stores the ballots as the opened box. Recorded in the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("election_key", help="The election's key, e.g. steering---2024.")
        parser.add_argument("--output", "-o", help="The file to write (default: <key>-sealed-box.json).")
        parser.add_argument("--actor", default="system", help="The name recorded in the audit trail.")

    def handle(self, *args, election_key, output, actor, **options):
        election = Election.objects.filter(key=election_key).first()
        if election is None:
            raise CommandError(f"No election with key {election_key!r}. Keys look like 'steering---2024' "
                               "(the folder path with '/' replaced by '---').")
        try:
            document = sealed_box_export(election=election, actor=actor)
        except BallotBoxRefused as exc:
            raise CommandError(exc.message) from None
        path = Path(output or f"{election.key}-sealed-box.json")
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote the {len(document['sealed'])} sealed ballots of {election.key} to {path}. "
                          f"{document['officers_to_open']} officers open it with: "
                          f"python -m elections.ballot_box.open_sealed_box {path} "
                          "--share SHARE --share SHARE --output ballots.csv")
