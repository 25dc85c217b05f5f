"""Shares held by the server: the way threshold boxes were kept before officers named their own keys.

A box dealt in ``BallotBox.THRESHOLD`` custody keeps each officer's share wrapped under BALLOT_BOX_KEY until the
officer takes it (``key_share_take``: shown once, the server's copy deleted); at the close K officers enter
their shares (``key_share_enter``) and the K-th opens the box (``threshold_box_open``). New elections name
their officers' keys instead (``elections.ballot_box.custody``); this module stays for boxes dealt this way.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from elections.audit import SHARE_ENTER, SHARE_TAKE, SHARES_COMBINE, audit_record
from elections.ballot_box import key_shares
from elections.ballot_box.box import ballot_box_open
from elections.ballot_box.custody import ShareRefused, holder_share, server_key, server_keys, share_error_message
from elections.models import BallotBox, Election, KeyShare


def _threshold_box(election, *, lock):
    boxes = BallotBox.objects.filter(election=election)
    box = (boxes.select_for_update() if lock else boxes).first()
    if box is None or box.custody != BallotBox.THRESHOLD:
        raise ShareRefused(_("%(election)s is not in threshold mode: its box opens without officers' shares.")
                           % {"election": election.name}, status=404)
    if box.opened_at is not None:
        raise ShareRefused(_("The ballot box of %(election)s is already open: shares are no longer needed.")
                           % {"election": election.name}, status=410)
    return box


@sensitive_variables()
def key_share_take(*, election, officer):
    """``officer``'s share as text, once: the server then deletes its copy. Raises ``ShareRefused``."""
    with transaction.atomic():
        box = _threshold_box(election, lock=True)
        row = holder_share(box, officer.username, lock=True)
        if row.held is None:
            raise ShareRefused(_("You took your share (number %(number)s) on %(when)s; the server kept no copy of "
                                 "it.") % {"number": row.number, "when": f"{row.taken_at:%Y-%m-%d %H:%M UTC}"},
                               status=410)
        try:
            share = key_shares.share_release(row.held, wrapping_keys=server_keys(), binding=box.public_key)
        except key_shares.ShareError as exc:
            raise ShareRefused(share_error_message(exc), status=500) from exc
        row.held = None
        row.taken_at = timezone.now()
        row.save(update_fields=["held", "taken_at"])
        audit_record(actor=officer.username, action=SHARE_TAKE, election=election, detail={"share": row.number})
        return key_shares.share_encode(share, election_key=election.key, holders=box.key_shares.count(),
                                       binding=box.public_key)


@dataclass(frozen=True)
class EnterOutcome:
    number: int
    entered: int
    needed: int
    opened: object = None  # elections.ballot_box.box.OpenOutcome once the box is open

    @property
    def still_needed(self):
        return max(0, self.needed - self.entered)


@sensitive_variables()
def key_share_enter(*, election, officer, text, now=None):
    """Record ``officer``'s share after the close; open the box when it completes K. Returns ``EnterOutcome``.

    A share that is malformed, mistyped, of another election, of another officer or not the one dealt is
    refused with a message naming it. The entry is committed before the opening is tried, so an opening that
    fails (a damaged ballot) loses no share: ``threshold_box_open`` can be tried again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if now < election.end_datetime:
            raise ShareRefused(_("Voting in %(election)s closes at %(when)s. Shares are entered after the close: "
                                 "nobody reads a ballot before then.")
                               % {"election": election.name, "when": f"{election.end_datetime:%Y-%m-%d %H:%M UTC}"},
                               status=403)
        box = _threshold_box(election, lock=True)
        try:
            share = key_shares.share_decode(text, election_key=election.key, binding=box.public_key)
        except key_shares.ShareError as exc:
            raise ShareRefused(share_error_message(exc), status=400) from exc
        row = holder_share(box, officer.username, lock=True)
        if share.index != row.number:
            other = KeyShare.objects.filter(box=box, number=share.index).values_list("holder", flat=True).first()
            if other:
                message = _("That is share %(number)s, dealt to %(holder)s. Yours is share %(yours)s: each officer "
                            "enters their own.")
            else:
                message = _("That is share %(number)s, not one of this box's shares. Yours is share %(yours)s.")
            raise ShareRefused(message % {"number": share.index, "holder": other, "yours": row.number}, status=400)
        if not key_shares.share_digest(share, binding=box.public_key) == bytes(row.digest):
            raise ShareRefused(_("Share %(number)s is well formed but is not the share dealt for this box (was it "
                                 "from before the shares were dealt again?).") % {"number": share.index}, status=400)
        if row.entered_at is None:
            wrapping_key, key_id = server_key()
            row.entered = key_shares.share_hold(share, wrapping_key=wrapping_key, key_id=key_id,
                                                binding=box.public_key)
            row.entered_at = now
            row.save(update_fields=["entered", "entered_at"])
            audit_record(actor=officer.username, action=SHARE_ENTER, election=election, detail={"share": row.number})
        entered = KeyShare.objects.filter(box=box, entered_at__isnull=False).count()
        needed = box.threshold
    outcome = EnterOutcome(number=row.number, entered=entered, needed=needed)
    if entered >= needed:
        opened = threshold_box_open(election=election, actor=officer.username, now=now)
        return EnterOutcome(number=row.number, entered=entered, needed=needed, opened=opened)
    return outcome


@sensitive_variables()
def threshold_box_open(*, election, actor, now=None):
    """Rebuild the key from K entered shares and open the box (``elections.ballot_box.box.ballot_box_open``).

    In one transaction with the opening: the held and entered shares and the wrapped key are destroyed.
    Raises ``ShareRefused`` while fewer than K shares are in, ``BallotBoxRefused`` when the opening fails.
    """
    with transaction.atomic():
        box = _threshold_box(election, lock=True)
        rows = list(KeyShare.objects.select_for_update().filter(box=box, entered_at__isnull=False)
                    .order_by("number"))
        if len(rows) < box.threshold:
            raise ShareRefused(_("%(entered)s of the %(needed)s shares needed are in: %(more)s more needed.")
                               % {"entered": len(rows), "needed": box.threshold, "more": box.threshold - len(rows)},
                               status=409)
        used = rows[: box.threshold]
        try:
            shares = [key_shares.share_release(r.entered, wrapping_keys=server_keys(), binding=box.public_key)
                      for r in used]
            custody_key = key_shares.shares_combine(shares)
            private_key = key_shares.key_unwrap(box.shared_private_key, custody_key, binding=box.public_key)
        except key_shares.ShareError as exc:
            raise ShareRefused(_("The entered shares do not open the box: %(problem)s")
                               % {"problem": share_error_message(exc)}, status=500) from exc
        audit_record(actor=actor, action=SHARES_COMBINE, election=election,
                     detail={"shares": [r.number for r in used], "holders": [r.holder for r in used]})
        opened = ballot_box_open(election=election, actor=actor, private_key=private_key, now=now)
        KeyShare.objects.filter(box=box).update(held=None, entered=None)
        BallotBox.objects.filter(pk=box.pk).update(shared_private_key=None)
    return opened
