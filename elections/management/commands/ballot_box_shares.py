from django.core.management.base import BaseCommand, CommandError

from elections.box import BallotBoxRefused
from elections.custody import custody_of, key_shares_deal_again
from elections.models import Election


class Command(BaseCommand):
    help = (
        "Show who holds the key shares of a threshold-mode ballot box (ballot_box: {officers_to_open: K}): who "
        "has taken their share, who has entered it after the close, how many more are needed. Operators cannot "
        "open such a box: its officers do, on their page. --deal-again deals new shares (and a new key pair) to "
        "the current officers, only before voting opens, when a share was lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("election_key")
        parser.add_argument("--deal-again", action="store_true",
                            help="Deal new shares before voting opens; every officer must take a new one.")

    def handle(self, *args, election_key, deal_again=False, **options):
        election = Election.objects.filter(key=election_key).first()
        if election is None:
            raise CommandError(f"There is no election {election_key!r}.")
        if deal_again:
            try:
                custody = key_shares_deal_again(election=election, actor="system")
            except BallotBoxRefused as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"Dealt new shares to {', '.join(s.holder for s in custody.shares)}. Every officer "
                              "must take their new share from their officers' page; the old ones open nothing.")
        custody = custody_of(election)
        if not custody.threshold:
            self.stdout.write(f"{election.key}: default mode (the box key is wrapped under BALLOT_BOX_KEY); "
                              "no shares. Open it with manage.py open_ballot_box after the close.")
            return
        self.stdout.write(f"{election.key}: {custody.needed} of {custody.holders} officers open the ballot box "
                          f"({custody.may_be_lost} share(s) may be lost).")
        if custody.opened_at:
            self.stdout.write(f"Opened {custody.opened_at:%Y-%m-%d %H:%M UTC}; the shares are no longer needed.")
            return
        for share in custody.shares:
            taken = f"taken {share.taken_at:%Y-%m-%d %H:%M UTC}" if share.taken_at else "NOT TAKEN"
            entered = f", entered {share.entered_at:%Y-%m-%d %H:%M UTC}" if share.entered_at else ""
            self.stdout.write(f"  share {share.number}: {share.holder}, {taken}{entered}")
        if custody.not_taken:
            self.stdout.write(f"Not taken yet: {', '.join(custody.not_taken)}. Until then the server holds these "
                              "shares, encrypted under BALLOT_BOX_KEY.")
        if election.is_completed:
            self.stdout.write(f"{custody.entered} entered; {custody.still_needed} more needed.")
