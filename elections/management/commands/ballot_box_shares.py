from django.core.management.base import BaseCommand, CommandError

from elections.ballot_box.box import BallotBoxRefused
from elections.ballot_box.custody import custody_of, key_shares_deal_again
from elections.models import Election


class Command(BaseCommand):
    help = (
        "Show who holds the key shares of a threshold-mode ballot box (ballot_box: {officers_to_open: K, "
        "officer_keys: ...}): the keys each share is encrypted to and who has confirmed they can decrypt theirs "
        "(for a legacy box: who has taken and entered their share). Operators cannot open such a box: its "
        "officers do, on their page. --deal-again deals new shares (and a new key pair) to the current officers' "
        "keys, only before voting opens, when a key or a share was lost."
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
                              "must download their new share from their officers' page and enter its check code; "
                              "the old ones open nothing.")
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
        if not custody.legacy:
            for share in custody.shares:
                confirmed = (f"confirmed {share.confirmed_at:%Y-%m-%d %H:%M UTC}" if share.confirmed_at
                             else "NOT CONFIRMED")
                self.stdout.write(f"  share {share.number}: {share.holder}, encrypted to "
                                  f"{', '.join(share.fingerprints)}; {confirmed}")
            if custody.not_confirmed:
                self.stdout.write(f"Not confirmed yet: {', '.join(custody.not_confirmed)}. Each officer downloads "
                                  "their share from their officers' page, decrypts it with age and enters its "
                                  "check code.")
            if custody.too_few_confirmed:
                self.stdout.write(f"WARNING: only {custody.confirmed} of the {custody.needed} officers needed have "
                                  "shown they can decrypt their share.")
            return
        self.stdout.write("Legacy box: the server holds untaken and entered shares under BALLOT_BOX_KEY.")
        for share in custody.shares:
            taken = f"taken {share.taken_at:%Y-%m-%d %H:%M UTC}" if share.taken_at else "NOT TAKEN"
            entered = f", entered {share.entered_at:%Y-%m-%d %H:%M UTC}" if share.entered_at else ""
            self.stdout.write(f"  share {share.number}: {share.holder}, {taken}{entered}")
        if custody.not_taken:
            self.stdout.write(f"Not taken yet: {', '.join(custody.not_taken)}. Until then the server holds these "
                              "shares, encrypted under BALLOT_BOX_KEY.")
        if election.is_completed:
            self.stdout.write(f"{custody.entered} entered; {custody.still_needed} more needed.")
