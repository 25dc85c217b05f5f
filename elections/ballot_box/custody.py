"""Threshold custody of a ballot box: the election's private key is split among its officers, k of n.

Declared in election.yaml as ``ballot_box: {officers_to_open: K, officer_keys: {login: KEY}}``. The
cryptography is ``elections.ballot_box.key_shares`` and ``elections.ballot_box.officer_keys`` (no Django);
the box itself, sealing and opening, is ``elections.ballot_box.box``. Here:

* ``custody_sync`` (called by the import) deals the shares when the election is imported in threshold mode,
  and deals them again, with a new key pair, when K, the officers or their keys change while that is still
  safe (before voting opens, no ballot sealed). Later changes leave the box as it was, with a warning.
  Dealing happens in memory: a fresh key pair, the private key wrapped under a random custody key, the custody
  key split, each share (with a random check code) encrypted with age to its officer's own public keys at
  once; then the private key, the custody key and the plaintext shares are forgotten. Stored: the public key,
  the wrapped private key (which only K shares unwrap), each officer's encrypted share, and digests of each
  share and check code.
* ``key_share_file`` gives an officer their encrypted share (``<election>-share-<n>.age``), which they decrypt
  with ``age -d`` and their own key; ``key_share_confirm`` records that they could (the check code).
* ``officer_shares_open``: after the close, K officers' decrypted shares arrive in one request; the key is
  rebuilt in memory and the box opened in one transaction. No entered share is ever written anywhere.

Boxes dealt before officers named their keys (``BallotBox.THRESHOLD``, the server holding the shares) are
opened through ``elections.ballot_box.server_shares``; no new box is dealt that way.

Every step writes its audit event (who, which share number, which key fingerprints; never a share).
"""

import base64
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables

from elections.audit import BOX_EXPORT, SHARE_CONFIRM, SHARE_DEAL, SHARES_COMBINE, audit_record
from elections.ballot_box import crypto, key_shares, officer_keys
from elections.ballot_box.box import BallotBoxRefused, ballot_box_open, wrapping_key_current, wrapping_keys_all
from elections.models import BallotBox, Election, KeyShare, SealedBallot


class ShareRefused(BallotBoxRefused):
    """A share that cannot be taken or entered; the message names the share and the reason."""


# --- state for pages and commands ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShareState:
    number: int
    holder: str
    taken_at: object
    entered_at: object
    confirmed_at: object = None
    fingerprints: tuple = ()


@dataclass(frozen=True)
class Custody:
    """Who holds an election's box key, as officers and operators see it (never a share)."""

    threshold: bool
    # True for a box dealt before officers' keys (the server held the shares under BALLOT_BOX_KEY).
    legacy: bool = False
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
    def not_confirmed(self):
        """Officers who have not yet shown, with their check code, that they can decrypt their share."""
        return [s.holder for s in self.shares if s.confirmed_at is None]

    @property
    def confirmed(self):
        return sum(1 for s in self.shares if s.confirmed_at is not None)

    @property
    def too_few_confirmed(self):
        """Fewer officers than are needed to open the box have proven they can read their share."""
        return not self.legacy and self.confirmed < self.needed

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
    if box is None or box.custody not in (BallotBox.OFFICER_KEYS, BallotBox.THRESHOLD):
        return Custody(threshold=False, opened_at=box.opened_at if box else None)
    shares = [ShareState(s.number, s.holder, s.taken_at, s.entered_at, s.confirmed_at, tuple(s.recipients))
              for s in KeyShare.objects.filter(box=box).order_by("number")]
    return Custody(threshold=True, legacy=box.custody == BallotBox.THRESHOLD, needed=box.threshold,
                   shares=shares, opened_at=box.opened_at,
                   sealed_ballots=SealedBallot.objects.filter(election=election).count())


# --- dealing -------------------------------------------------------------------------------------------


def server_key():
    """BALLOT_BOX_KEY and its fingerprint."""
    key = wrapping_key_current()
    return key, crypto.wrapping_key_id(key)


def server_keys():
    """Every configured ballot box key by its fingerprint, the current one and those kept to unwrap."""
    return {crypto.wrapping_key_id(k): k for k in wrapping_keys_all()}


def _pinned_keys(election, officers):
    """Each officer's pinned keys (``OfficerKey``s) from the import; officers without one are left out."""
    stored = election.officer_keys or {}
    return {login: [officer_keys.OfficerKey.from_dict(k) for k in stored.get(login, [])] for login in officers
            if stored.get(login)}


@sensitive_variables()
def _deal(box, *, election, needed, officers, keys, actor, again):
    """Give ``box`` a fresh key pair whose private key only ``needed`` of ``officers`` can rebuild.

    Everything secret lives in this function's memory only: the private key is wrapped under a random custody
    key, the custody key is split, and each share goes into a file (with a random check code) encrypted at
    once with age to its officer's ``keys``. Nothing is written before every share is encrypted.
    """
    pair = crypto.keypair_generate()
    custody_key = key_shares.custody_key_generate()
    shares = key_shares.shares_split(custody_key, needed=needed, holders=len(officers))
    rows = []
    for share, login in zip(shares, officers, strict=True):
        code = key_shares.check_code_generate()
        text = key_shares.share_file(share, election_key=election.key, election_name=election.name, holder=login,
                                     holders=len(officers), needed=needed, binding=pair.public_key, check_code=code)
        rows.append(KeyShare(
            box=box, number=share.index, holder=login,
            digest=key_shares.share_digest(share, binding=pair.public_key),
            sealed_share=officer_keys.encrypt_to(keys[login], text.encode("utf-8")),
            recipients=[k.fingerprint for k in keys[login]],
            check_digest=key_shares.check_code_digest(code, index=share.index, binding=pair.public_key),
        ))
    box.custody = BallotBox.OFFICER_KEYS
    box.threshold = needed
    box.public_key = pair.public_key
    box.wrapped_private_key = None
    box.wrapping_key_id = ""
    box.shared_private_key = key_shares.key_wrap(pair.private_key, custody_key, binding=pair.public_key)
    box.save()
    KeyShare.objects.filter(box=box).delete()
    KeyShare.objects.bulk_create(rows)
    audit_record(actor=actor, action=SHARE_DEAL, election=election,
                 detail={"officers_to_open": needed, "holders": list(officers), "again": again,
                         "keys": {login: [k.fingerprint for k in keys[login]] for login in officers}})


def _environment_box(box, *, election, actor):
    """Back to the default mode: a fresh key pair wrapped under BALLOT_BOX_KEY; the shares are deleted."""
    wrapping_key, key_id = server_key()
    pair = crypto.keypair_generate()
    KeyShare.objects.filter(box=box).delete()
    box.custody = BallotBox.ENVIRONMENT
    box.threshold = None
    box.public_key = pair.public_key
    box.wrapped_private_key = crypto.private_key_wrap(pair.private_key, wrapping_key=wrapping_key,
                                                          public_key=pair.public_key)
    box.wrapping_key_id = key_id
    box.shared_private_key = None
    box.save()
    audit_record(actor=actor, action=SHARE_DEAL, election=election, detail={"officers_to_open": None, "again": True})


def _may_deal_again(election, now):
    return now < election.start_datetime and not SealedBallot.objects.filter(election=election).exists()


def _describe(box):
    if box.custody in (BallotBox.OFFICER_KEYS, BallotBox.THRESHOLD):
        holders = ", ".join(KeyShare.objects.filter(box=box).order_by("number").values_list("holder", flat=True))
        return f"{box.threshold} of the shares dealt to {holders}"
    return "its key wrapped under the server's BALLOT_BOX_KEY (the default mode)"


def _dealt_as_wanted(box, needed, officers, keys):
    """Whether ``box`` was dealt to exactly these officers, K and keys (a legacy box: officers and K only)."""
    if box.custody not in (BallotBox.OFFICER_KEYS, BallotBox.THRESHOLD) or box.threshold != needed:
        return False
    dealt = {s.holder: s.recipients for s in KeyShare.objects.filter(box=box)}
    if sorted(dealt) != officers:
        return False
    if box.custody == BallotBox.THRESHOLD:
        return True
    return all(dealt[login] == [k.fingerprint for k in keys.get(login, [])] for login in officers)


def custody_sync(*, election, now=None, actor="system"):
    """``_custody_match``, then, for a box dealt to officers' keys and not yet open, a warning naming the
    officers who have not yet shown (with their check code) that they can decrypt their share."""
    now = now or timezone.now()
    warnings = _custody_match(election=election, now=now, actor=actor)
    box = BallotBox.objects.filter(election=election, custody=BallotBox.OFFICER_KEYS, opened_at__isnull=True).first()
    if box is not None and now < election.end_datetime:
        waiting = list(KeyShare.objects.filter(box=box, confirmed_at__isnull=True).order_by("number")
                       .values_list("holder", flat=True))
        if waiting:
            warnings.append(f"{election.path}/election.yaml: ballot_box: not yet confirmed with their check code: "
                            f"{', '.join(waiting)} (each downloads their share from the officers' page, decrypts "
                            f"it with age and enters its check code; {box.threshold} must be able to)")
    return warnings


def _custody_match(*, election, now, actor):
    """Make ``election``'s box match ``election.officers_to_open``, its officers and their keys; returns warnings.

    Run inside the import's transaction, after the officers are written. Threshold mode deals shares to the
    officers, each encrypted to that officer's pinned keys (``election.officer_keys``); a change of K, of the
    officers or of their keys deals them again (a new key pair: shares already dealt become useless) while
    voting has not opened and no ballot is sealed. After that the box keeps its custody, and the warning says
    so. A legacy box (shares held by the server) is dealt again with the officers' keys while that is safe.
    """
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
    keys = _pinned_keys(election, officers)
    if box is not None and _dealt_as_wanted(box, needed, officers, keys):
        return []
    missing = [login for login in officers if login not in keys]
    if box is not None and not _may_deal_again(election, now):
        return [f"{election.path}/election.yaml: ballot_box: voting has begun, so changes to ballot_box and "
                f"election_officers no longer apply to the ballot box: it opens with {_describe(box)}"]
    if missing:
        return [f"{election.path}/election.yaml: ballot_box.officer_keys: no usable key for "
                f"{', '.join(missing)}: the shares of the ballot box key cannot be dealt"]
    if box is None:
        _deal(BallotBox(election=election), election=election, needed=needed, officers=officers, keys=keys,
              actor=actor, again=False)
        return []
    again = box.custody != BallotBox.ENVIRONMENT
    _deal(box, election=election, needed=needed, officers=officers, keys=keys, actor=actor, again=again)
    if again:
        return [f"{election.path}/election.yaml: ballot_box: the officers, their keys or officers_to_open changed, "
                "so the key shares were dealt again: every officer must download their new share and enter its "
                "check code"]
    return []


def key_shares_deal_again(*, election, actor, now=None):
    """Deal new shares (and a new key pair) to the current officers: only before voting opens, box empty.

    For an operator when an officer lost their key or their share before the start; every officer must
    download their new share and enter its check code.
    """
    now = now or timezone.now()
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        box = BallotBox.objects.select_for_update().filter(election=election).first()
        if box is None or box.custody not in (BallotBox.OFFICER_KEYS, BallotBox.THRESHOLD):
            raise ShareRefused(f"{election.key} is not in threshold mode: there are no shares to deal.")
        if not _may_deal_again(election, now):
            raise ShareRefused(f"Voting in {election.key} has begun: dealing new shares now would lose the "
                               "ballots already sealed. The box opens with the shares already dealt.")
        officers = sorted(election.officers.values_list("login", flat=True))
        if not 1 <= box.threshold <= len(officers):
            raise ShareRefused(f"{election.key} has {len(officers)} officers, fewer than the {box.threshold} "
                               "needed to open its box: fix election_officers or ballot_box first.")
        keys = _pinned_keys(election, officers)
        missing = [login for login in officers if login not in keys]
        if missing:
            raise ShareRefused(f"{election.path}/election.yaml: ballot_box.officer_keys: no usable key for "
                               f"{', '.join(missing)}: add one by pull request, then deal again.")
        _deal(box, election=election, needed=box.threshold, officers=officers, keys=keys, actor=actor, again=True)
    return custody_of(election)


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


# --- officers' keys: the share file, its check code, the opening -------------------------------------------


def _officer_keys_box(election, *, lock):
    boxes = BallotBox.objects.filter(election=election)
    box = (boxes.select_for_update() if lock else boxes).first()
    if box is None or box.custody != BallotBox.OFFICER_KEYS:
        raise ShareRefused(_("%(election)s is not in threshold mode with officers' keys: its box opens without "
                             "shares dealt to officers' keys.") % {"election": election.name}, status=404)
    if box.opened_at is not None:
        raise ShareRefused(_("The ballot box of %(election)s is already open: shares are no longer needed.")
                           % {"election": election.name}, status=410)
    return box


def holder_share(box, login, *, lock):
    """``login``'s share row of ``box`` (locked with ``lock``); ``ShareRefused`` if they hold none."""
    rows = KeyShare.objects.filter(box=box, holder=login.lower())
    row = (rows.select_for_update() if lock else rows).first()
    if row is None:
        holders = ", ".join(KeyShare.objects.filter(box=box).order_by("number").values_list("holder", flat=True))
        raise ShareRefused(_("You hold no share of this ballot box: the shares were dealt to %(holders)s.")
                           % {"holders": holders}, status=403)
    return row


def share_file_name(election, number):
    return f"{election.key}-share-{number}.age"


def key_share_file(*, election, officer):
    """``(file name, armored age text)`` of ``officer``'s encrypted share. Raises ``ShareRefused``.

    Only that officer's own keys decrypt it; it is offered again as often as asked, since it opens nothing
    without them.
    """
    box = _officer_keys_box(election, lock=False)
    row = holder_share(box, officer.username, lock=False)
    return share_file_name(election, row.number), row.sealed_share


def key_share_confirm(*, election, officer, code, now=None):
    """Record that ``officer`` decrypted their share: ``code`` is its check code (or the whole decrypted file).

    Returns the share's number; raises ``ShareRefused`` naming the problem when the code is not theirs.
    """
    now = now or timezone.now()
    code = key_shares.check_code_in(code) or code or ""
    with transaction.atomic():
        box = _officer_keys_box(election, lock=True)
        row = holder_share(box, officer.username, lock=True)
        if not code.strip():
            raise ShareRefused(_("Enter the check code printed in your decrypted share file."), status=400)
        digest = key_shares.check_code_digest(code, index=row.number, binding=box.public_key)
        if not secrets.compare_digest(digest, bytes(row.check_digest or b"")):
            others = KeyShare.objects.filter(box=box).exclude(pk=row.pk)
            other = next((r.holder for r in others if secrets.compare_digest(
                key_shares.check_code_digest(code, index=r.number, binding=box.public_key),
                bytes(r.check_digest or b""))), None)
            if other:
                raise ShareRefused(_("That is the check code of %(holder)s's share. Decrypt your own file, "
                                     "%(file)s, with your own key.")
                                   % {"holder": other, "file": share_file_name(election, row.number)}, status=400)
            raise ShareRefused(_("That check code does not match your share %(number)s. Copy it again from the "
                                 "decrypted file (was the file from before the shares were dealt again?).")
                               % {"number": row.number}, status=400)
        if row.confirmed_at is None:
            row.confirmed_at = now
            row.save(update_fields=["confirmed_at"])
            audit_record(actor=officer.username, action=SHARE_CONFIRM, election=election,
                         detail={"share": row.number})
    return row.number


@dataclass(frozen=True)
class GivenShare:
    """One share as given on the opening form: the field it was given in (the holder's) and its text."""

    number: int
    text: str

    def __repr__(self):
        return f"GivenShare(number={self.number}, text=...)"


@sensitive_variables()
def officer_shares_open(*, election, actor, given, now=None):
    """Open ``election``'s box after the close with K officers' decrypted shares, given together.

    ``given`` lists ``GivenShare``s (blank texts are ignored). Each is checked (its form, its checksum, that it
    is the share dealt to the officer whose field it is in); the key is rebuilt in memory, the box opened in
    one transaction (``elections.ballot_box.box.ballot_box_open``) and the key forgotten. No share is written anywhere,
    before or after. Any refusal (too early, a wrong share, too few) names the problem and writes nothing.
    """
    now = now or timezone.now()
    given = [g for g in given if (g.text or "").strip()]
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if now < election.end_datetime:
            raise ShareRefused(_("Voting in %(election)s closes at %(when)s. The box is opened after the close: "
                                 "nobody reads a ballot before then.")
                               % {"election": election.name, "when": f"{election.end_datetime:%Y-%m-%d %H:%M UTC}"},
                               status=403)
        box = _officer_keys_box(election, lock=True)
        rows = {r.number: r for r in KeyShare.objects.filter(box=box)}
        shares = []
        for item in given:
            row = rows.get(item.number)
            if row is None:
                raise ShareRefused(_("There is no share %(number)s in this box.") % {"number": item.number},
                                   status=400)
            try:
                share = key_shares.share_decode(item.text, election_key=election.key, binding=box.public_key)
            except key_shares.ShareError as exc:
                raise ShareRefused(_("The share of %(holder)s: %(problem)s")
                                   % {"holder": row.holder, "problem": share_error_message(exc)}, status=400) from exc
            if share.index != row.number:
                other = rows.get(share.index)
                raise ShareRefused(
                    (_("The share in the field of %(holder)s is share %(number)s, dealt to %(other)s: each officer "
                       "gives their own share in their own field.") if other else
                     _("The share in the field of %(holder)s is share %(number)s, not one of this box's shares."))
                    % {"holder": row.holder, "number": share.index, "other": other.holder if other else ""},
                    status=400)
            if not secrets.compare_digest(key_shares.share_digest(share, binding=box.public_key), bytes(row.digest)):
                raise ShareRefused(_("The share of %(holder)s is well formed but is not the share dealt for this box "
                                     "(was it from before the shares were dealt again?).") % {"holder": row.holder},
                                   status=400)
            shares.append((row, share))
        if len(shares) < box.threshold:
            raise ShareRefused(ngettext(
                "%(given)s share given; %(needed)s are needed to open the box. Nothing was opened.",
                "%(given)s shares given; %(needed)s are needed to open the box. Nothing was opened.", len(shares))
                % {"given": len(shares), "needed": box.threshold}, status=400)
        used = shares[: box.threshold]
        try:
            custody_key = key_shares.shares_combine([share for _row, share in used])
            private_key = key_shares.key_unwrap(box.shared_private_key, custody_key, binding=box.public_key)
        except key_shares.ShareError as exc:
            raise ShareRefused(_("The shares given do not open the box: %(problem)s")
                               % {"problem": share_error_message(exc)}, status=400) from exc
        audit_record(actor=actor, action=SHARES_COMBINE, election=election,
                     detail={"shares": [r.number for r, _share in used], "holders": [r.holder for r, _share in used]})
        opened = ballot_box_open(election=election, actor=actor, private_key=private_key, now=now)
        BallotBox.objects.filter(pk=box.pk).update(shared_private_key=None)
    return opened


def sealed_box_export(*, election, actor, now=None):
    """The sealed box of a closed officers'-keys election as a document for ``elections.ballot_box.open_sealed_box``.

    Only what opening needs, and only readable with K shares: the sealed ballots (shuffled: no voter, no time,
    no order), the public key, the private key wrapped under the custody key, the candidates and each share's
    number, holder and digest. Refused before the close (the box must not open while ballots can change) and
    for other custodies. The export is recorded in the audit trail.
    """
    from elections.ballot_box.open_sealed_box import FORMAT, VERSION

    now = now or timezone.now()
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if now < election.end_datetime:
            raise ShareRefused(f"Voting in {election.key} closes at {election.end_datetime:%Y-%m-%d %H:%M UTC}: "
                               "the sealed box is exported only after the close.", status=403)
        box = _officer_keys_box(election, lock=True)
        sealed = [bytes(s) for s in SealedBallot.objects.filter(election=election).values_list("sealed", flat=True)]
        secrets.SystemRandom().shuffle(sealed)
        b64 = lambda data: base64.b64encode(bytes(data)).decode("ascii")  # noqa: E731
        document = {
            "format": FORMAT,
            "version": VERSION,
            "election": election.key,
            "public_key": b64(box.public_key),
            "wrapped_private_key": b64(box.shared_private_key),
            "officers_to_open": box.threshold,
            "candidates": sorted(election.candidates.values_list("candidate_id", flat=True)),
            "shares": [{"number": r.number, "holder": r.holder, "digest": b64(r.digest)}
                       for r in KeyShare.objects.filter(box=box).order_by("number")],
            "sealed": [b64(s) for s in sealed],
        }
        audit_record(actor=actor, action=BOX_EXPORT, election=election, detail={"ballots": len(sealed)})
    return document
