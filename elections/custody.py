"""Threshold custody of a ballot box: the election's private key is split among its officers, k of n.

Declared in election.yaml as ``ballot_box: {officers_to_open: K}``. The cryptography is
``elections.key_shares`` (no Django); the box itself, sealing and opening, is ``elections.box``. Here:

* ``custody_sync`` (called by the import) deals the shares when the election is imported in threshold mode,
  and deals them again, with a new key pair, when K or the officers change while that is still safe (before
  voting opens, no ballot sealed). Later changes leave the box as it was, with a warning.
* ``key_share_take``: an officer takes their share, once. Until then the server holds it encrypted under
  BALLOT_BOX_KEY; afterwards it keeps only a digest, to recognise the share when it comes back.
* ``key_share_enter``: after the close, an officer enters their share. When K are in, ``threshold_box_open``
  rebuilds the key and opens the box through ``elections.box.ballot_box_open``; then every share the server
  still holds is destroyed.

Every step writes its audit event (who, which share number; never the share).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from . import ballot_box, key_shares
from .audit import SHARE_DEAL, SHARE_ENTER, SHARE_TAKE, SHARES_COMBINE, audit_record
from .box import BallotBoxRefused, ballot_box_open, wrapping_key_current, wrapping_keys_all
from .models import BallotBox, Election, KeyShare, SealedBallot


class ShareRefused(BallotBoxRefused):
    """A share that cannot be taken or entered; the message names the share and the reason."""


# --- state for pages and commands ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShareState:
    number: int
    holder: str
    taken_at: object
    entered_at: object


@dataclass(frozen=True)
class Custody:
    """Who holds an election's box key, as officers and operators see it (never a share)."""

    threshold: bool
    needed: int = 0
    shares: list = field(default_factory=list)
    opened_at: object = None
    sealed_ballots: int = 0

    @property
    def holders(self):
        return len(self.shares)

    @property
    def may_be_lost(self):
        return self.holders - self.needed

    @property
    def not_taken(self):
        return [s.holder for s in self.shares if s.taken_at is None]

    @property
    def entered(self):
        return sum(1 for s in self.shares if s.entered_at is not None)

    @property
    def still_needed(self):
        return max(0, self.needed - self.entered)

    def share_of(self, login):
        return next((s for s in self.shares if s.holder == login.lower()), None)


def custody_of(election):
    """The ``Custody`` of ``election``'s box (``threshold`` False for the default mode or no box yet)."""
    box = BallotBox.objects.filter(election=election).first()
    if box is None or box.custody != BallotBox.THRESHOLD:
        return Custody(threshold=False, opened_at=box.opened_at if box else None)
    shares = [ShareState(s.number, s.holder, s.taken_at, s.entered_at)
              for s in KeyShare.objects.filter(box=box).order_by("number")]
    return Custody(threshold=True, needed=box.threshold, shares=shares, opened_at=box.opened_at,
                   sealed_ballots=SealedBallot.objects.filter(election=election).count())


# --- dealing -------------------------------------------------------------------------------------------


def _server_key():
    key = wrapping_key_current()
    return key, ballot_box.wrapping_key_id(key)


def _server_keys():
    return {ballot_box.wrapping_key_id(k): k for k in wrapping_keys_all()}


@sensitive_variables()
def _deal(box, *, election, needed, officers, actor, again):
    """Give ``box`` a fresh key pair, split among ``officers``; writes the shares and the audit event."""
    server_key, key_id = _server_key()
    pair = ballot_box.keypair_generate()
    custody_key = key_shares.custody_key_generate()
    shares = key_shares.shares_split(custody_key, needed=needed, holders=len(officers))
    box.custody = BallotBox.THRESHOLD
    box.threshold = needed
    box.public_key = pair.public_key
    box.wrapped_private_key = None
    box.wrapping_key_id = ""
    box.shared_private_key = key_shares.key_wrap(pair.private_key, custody_key, binding=pair.public_key)
    box.save()
    KeyShare.objects.filter(box=box).delete()
    KeyShare.objects.bulk_create(
        KeyShare(box=box, number=share.index, holder=login,
                 digest=key_shares.share_digest(share, binding=pair.public_key),
                 held=key_shares.share_hold(share, wrapping_key=server_key, key_id=key_id, binding=pair.public_key))
        for share, login in zip(shares, officers, strict=True)
    )
    audit_record(actor=actor, action=SHARE_DEAL, election=election,
                 detail={"officers_to_open": needed, "holders": list(officers), "again": again})


def _environment_box(box, *, election, actor):
    """Back to the default mode: a fresh key pair wrapped under BALLOT_BOX_KEY; the shares are deleted."""
    server_key, key_id = _server_key()
    pair = ballot_box.keypair_generate()
    KeyShare.objects.filter(box=box).delete()
    box.custody = BallotBox.ENVIRONMENT
    box.threshold = None
    box.public_key = pair.public_key
    box.wrapped_private_key = ballot_box.private_key_wrap(pair.private_key, wrapping_key=server_key,
                                                          public_key=pair.public_key)
    box.wrapping_key_id = key_id
    box.shared_private_key = None
    box.save()
    audit_record(actor=actor, action=SHARE_DEAL, election=election, detail={"officers_to_open": None, "again": True})


def _may_deal_again(election, now):
    return now < election.start_datetime and not SealedBallot.objects.filter(election=election).exists()


def _describe(box):
    if box.custody == BallotBox.THRESHOLD:
        holders = ", ".join(KeyShare.objects.filter(box=box).order_by("number").values_list("holder", flat=True))
        return f"{box.threshold} of the shares dealt to {holders}"
    return "its key wrapped under the server's BALLOT_BOX_KEY (the default mode)"


def custody_sync(*, election, now=None, actor="system"):
    """Make ``election``'s box match ``election.officers_to_open`` and its officers; returns warnings.

    Run inside the import's transaction, after the officers are written. Threshold mode deals shares to the
    officers; a change of K or of the officers deals them again (a new key pair: shares already taken become
    useless) while voting has not opened and no ballot is sealed. After that the box keeps its custody, and
    the warning says so.
    """
    now = now or timezone.now()
    needed = election.officers_to_open
    box = BallotBox.objects.select_for_update().filter(election=election).first()
    if box is not None and box.opened_at is not None:
        return []
    if box is None and election.status_at(now) == Election.COMPLETED:
        return []  # imported after its close: no ballot will be sealed
    if needed is None:
        if box is None or box.custody == BallotBox.ENVIRONMENT:
            return []
        if _may_deal_again(election, now):
            _environment_box(box, election=election, actor=actor)
            return []
        return [f"{election.path}/election.yaml: ballot_box: voting has begun, so the ballot box keeps its custody "
                f"({_describe(box)})"]
    officers = sorted(election.officers.values_list("login", flat=True))
    if box is not None and box.custody == BallotBox.THRESHOLD and box.threshold == needed and officers == sorted(
            KeyShare.objects.filter(box=box).values_list("holder", flat=True)):
        return []
    if box is None:
        box = BallotBox(election=election)
        _deal(box, election=election, needed=needed, officers=officers, actor=actor, again=False)
        return []
    if _may_deal_again(election, now):
        again = box.custody == BallotBox.THRESHOLD
        _deal(box, election=election, needed=needed, officers=officers, actor=actor, again=again)
        if again:
            return [f"{election.path}/election.yaml: ballot_box: the officers or officers_to_open changed, so the "
                    "key shares were dealt again: every officer must take their new share"]
        return []
    return [f"{election.path}/election.yaml: ballot_box: voting has begun, so changes to ballot_box and "
            f"election_officers no longer apply to the ballot box: it opens with {_describe(box)}"]


def key_shares_deal_again(*, election, actor, now=None):
    """Deal new shares (and a new key pair) to the current officers: only before voting opens, box empty.

    For an operator when an officer lost their share before the start; every officer must take a new one.
    """
    now = now or timezone.now()
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        box = BallotBox.objects.select_for_update().filter(election=election).first()
        if box is None or box.custody != BallotBox.THRESHOLD:
            raise ShareRefused(f"{election.key} is not in threshold mode: there are no shares to deal.")
        if not _may_deal_again(election, now):
            raise ShareRefused(f"Voting in {election.key} has begun: dealing new shares now would lose the "
                               "ballots already sealed. The box opens with the shares already dealt.")
        officers = sorted(election.officers.values_list("login", flat=True))
        if not 1 <= box.threshold <= len(officers):
            raise ShareRefused(f"{election.key} has {len(officers)} officers, fewer than the {box.threshold} "
                               "needed to open its box: fix election_officers or ballot_box first.")
        _deal(box, election=election, needed=box.threshold, officers=officers, actor=actor, again=True)
    return custody_of(election)


# --- taking and entering shares ------------------------------------------------------------------------


def share_error_message(exc):
    """A ``key_shares.ShareError``'s message in the reader's language."""
    templates = {
        "twice": _("The same share was given twice."),
        "not_a_share": _("This is not a key share: a share reads like “%(example)s”, copied whole."),
        "other_election": _("This share is for the election %(election)s, not %(expected)s."),
        "length": _("Share %(index)s: its code must be %(symbols)s letters and digits (2 to 7) in groups of four; "
                    "this one has %(length)s. Copy the share whole."),
        "checksum": _("Share %(index)s does not check out: a symbol is mistyped, missing or swapped, or the share "
                      "number was changed, or it is from an earlier dealing of this box's key. Copy it again from "
                      "what you saved."),
        "wrong_key": _("These shares do not rebuild this ballot box's key."),
        "server_key_missing": _("A share is held under ballot box key %(key_id)s, which is not configured."),
        "held_damaged": _("A held share does not open with ballot box key %(key_id)s (damaged, or moved from another "
                          "election)."),
    }
    template = templates.get(exc.code)
    return template % exc.params if template else str(exc)


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


def _holder_share(box, login, *, lock):
    rows = KeyShare.objects.filter(box=box, holder=login.lower())
    row = (rows.select_for_update() if lock else rows).first()
    if row is None:
        holders = ", ".join(KeyShare.objects.filter(box=box).order_by("number").values_list("holder", flat=True))
        raise ShareRefused(_("You hold no share of this ballot box: the shares were dealt to %(holders)s.")
                           % {"holders": holders}, status=403)
    return row


@sensitive_variables()
def key_share_take(*, election, officer):
    """``officer``'s share as text, once: the server then deletes its copy. Raises ``ShareRefused``."""
    with transaction.atomic():
        box = _threshold_box(election, lock=True)
        row = _holder_share(box, officer.username, lock=True)
        if row.held is None:
            raise ShareRefused(_("You took your share (number %(number)s) on %(when)s; the server kept no copy of "
                                 "it.") % {"number": row.number, "when": f"{row.taken_at:%Y-%m-%d %H:%M UTC}"},
                               status=410)
        try:
            share = key_shares.share_release(row.held, wrapping_keys=_server_keys(), binding=box.public_key)
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
    opened: object = None  # elections.box.OpenOutcome once the box is open

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
        row = _holder_share(box, officer.username, lock=True)
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
            server_key, key_id = _server_key()
            row.entered = key_shares.share_hold(share, wrapping_key=server_key, key_id=key_id,
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
    """Rebuild the key from K entered shares and open the box (``elections.box.ballot_box_open``).

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
            shares = [key_shares.share_release(r.entered, wrapping_keys=_server_keys(), binding=box.public_key)
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
