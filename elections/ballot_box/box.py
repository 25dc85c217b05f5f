"""The ballot box on the server: each election's key pair, its custody, and opening the box after the close.

The cryptography is ``elections.ballot_box.crypto`` (no Django). Here:

* ``environment_box_create`` creates an election's box (key pair) in the default custody
  (``BallotBox.ENVIRONMENT``), race-free: the private key is stored only wrapped under BALLOT_BOX_KEY, which
  comes from the environment; a copy of the database alone opens nothing. Which custody a box gets is decided by
  ``elections.ballot_box.services.ballot_box_ensure``.
* ``ballot_box_open`` decrypts every sealed ballot after the close and writes the plaintext ``Ballot`` rows in
  one transaction, in a random order with fresh random ids, deletes the sealed rows, records the audit event
  and destroys the wrapped private key. Threshold custody passes the private key it rebuilt from the
  officers' shares as ``private_key``.
* ``ballot_boxes_rewrap`` re-wraps every unopened box under the current BALLOT_BOX_KEY (key rotation).
"""

import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from elections.audit import BOX_KEY_ROTATE, BOX_OPEN, BOX_REWRAP, audit_record
from elections.ballot_box import crypto
from elections.count_record import count_freeze
from elections.models import AuditEvent, Ballot, BallotBox, CountRecord, Election, SealedBallot

# Ballots written per INSERT when opening a box.
_BATCH = 2000


class BallotBoxRefused(Exception):
    """Opening (or re-wrapping) refused; the message says why and what to do. ``status`` is for views."""

    def __init__(self, message, *, status=409):
        super().__init__(message)
        self.message = message
        self.status = status


class KeyRotationPending(BallotBoxRefused):
    """No new box while a rotation (``ballot_box_key_rotate``) waits for BALLOT_BOX_KEY to be the new key."""


# --- the key from the environment ----------------------------------------------------------------------


def wrapping_key_current():
    """The current BALLOT_BOX_KEY's 32 bytes; ImproperlyConfigured when it is missing or malformed."""
    if not settings.BALLOT_BOX_KEY:
        raise ImproperlyConfigured("BALLOT_BOX_KEY is not set: ballot boxes cannot be created or opened.")
    try:
        return crypto.wrapping_key_parse(settings.BALLOT_BOX_KEY)
    except ValueError as exc:
        raise ImproperlyConfigured(f"BALLOT_BOX_KEY is not a ballot box key: {exc}") from exc


def wrapping_keys_all():
    """The current key first, then every BALLOT_BOX_OLD_KEYS entry that parses."""
    keys = [wrapping_key_current()]
    for text in settings.BALLOT_BOX_OLD_KEYS:
        try:
            keys.append(crypto.wrapping_key_parse(text))
        except ValueError:
            continue  # reported by the checks (elekto.E010)
    return keys


# --- creating a box ------------------------------------------------------------------------------------


def environment_box_create(*, election):
    """A new box for ``election`` in the default custody: a fresh key pair, the private key wrapped under
    BALLOT_BOX_KEY (``elections.ballot_box.services.ballot_box_ensure`` decides which custody a box gets).

    Safe when two requests race: the one-to-one constraint keeps the first box, the other request reads it.
    """
    wrapping_key = wrapping_key_current()
    pending = _rotation_pending(crypto.wrapping_key_id(wrapping_key))
    if pending:
        raise KeyRotationPending(f"The ballot box key is being rotated: set BALLOT_BOX_KEY to the new key (fingerprint "
                               f"{pending}) that rotate_ballot_box_key printed, and roll out. No ballot box is made "
                               "under the old key meanwhile.", status=503)
    pair = crypto.keypair_generate()
    wrapped = crypto.private_key_wrap(pair.private_key, wrapping_key=wrapping_key, public_key=pair.public_key)
    try:
        with transaction.atomic():
            return BallotBox.objects.create(
                election=election,
                custody=BallotBox.ENVIRONMENT,
                public_key=pair.public_key,
                wrapped_private_key=wrapped,
                wrapping_key_id=crypto.wrapping_key_id(wrapping_key),
            )
    except IntegrityError:
        return BallotBox.objects.get(election=election)


def ballot_seal(*, box, ranks, receipt):
    """The sealed bytes of one ballot for ``box`` (see elections.ballot_box.crypto.ballot_seal)."""
    return crypto.ballot_seal(bytes(box.public_key), ranks=ranks, receipt=receipt)


def ballot_row_insert(model, **values):
    """Insert one ballot row of ``model``: on SQLite with a random rowid, given in the INSERT itself; elsewhere as
    the ORM inserts it.

    SQLite keeps a table's rows in its hidden rowid, which otherwise grows with each insertion: the order of
    casting. Given at the INSERT, the random rowid is the only one the row ever has (an UPDATE of the rowid
    would leave the first cell, with its ordered rowid, in the page's free space).
    """
    if connection.vendor != "sqlite":
        model.objects.create(**values)
        return
    fields = [model._meta.get_field(name) for name in values]
    quote = connection.ops.quote_name
    columns = ", ".join(["rowid", *(quote(f.column) for f in fields)])
    params = [secrets.randbelow(2**62) + 1]
    for f in fields:
        value = values[f.name]
        params.append(f.get_db_prep_save(value.pk if f.is_relation else value, connection))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                       f"VALUES ({', '.join(['%s'] * len(params))})", params)


# --- state seen by pages and commands ------------------------------------------------------------------


def box_is_sealed(election):
    """Whether ``election`` has sealed ballots waiting to be opened (so counting must wait)."""
    return SealedBallot.objects.filter(election=election).exists()


# --- the end of a cast --------------------------------------------------------------------------------


def box_lock_accepting(*, election, now):
    """Lock ``election``'s box row and say whether it still takes ballots at ``now``: voting runs (its window read
    again from the database) and the box is unopened.

    For the end of a cast's (or a change's) transaction, after its writes: ``ballot_box_open`` takes the same
    lock, so a ballot either commits before the opening and is opened with the others, or its cast finds the
    box opened or the close passed and rolls back. A cast never holds the lock while it waits on its writes.
    """
    box = BallotBox.objects.select_for_update().filter(election_id=election.pk).only("id", "opened_at").first()
    if box is None or box.opened_at is not None:
        return False
    window = Election.objects.filter(pk=election.pk).values_list("start_datetime", "end_datetime").first()
    return window is not None and window[0] <= now < window[1]


# --- opening -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenOutcome:
    election: Election
    ballots: int
    dry_run: bool = False


def _private_key_for(box, private_key):
    if private_key is not None:
        if crypto.public_key_of(private_key) != bytes(box.public_key):
            raise BallotBoxRefused("That key does not belong to this election's ballot box. Nothing was opened.",
                                   status=400)
        return bytes(private_key)
    if box.custody != BallotBox.ENVIRONMENT:
        raise BallotBoxRefused(f"This ballot box opens only with the shares of {box.threshold} officers. "
                               "Nothing was opened.")
    if box.wrapped_private_key is None:
        raise BallotBoxRefused("This ballot box's private key is gone: it cannot be opened.", status=410)
    try:
        return crypto.private_key_unwrap(box.wrapped_private_key, wrapping_keys=wrapping_keys_all(),
                                             public_key=bytes(box.public_key))
    except crypto.BoxError as exc:
        if box.wrapping_key_id == crypto.wrapping_key_id(wrapping_key_development()):
            raise BallotBoxRefused("This ballot box is wrapped under the published development key: run python "
                                   "manage.py rewrap_ballot_boxes to move it under BALLOT_BOX_KEY, then open it "
                                   "(see docs/production.md).", status=500) from exc
        raise BallotBoxRefused(f"The ballot box key cannot open this box: {exc}. Set that key in "
                               "BALLOT_BOX_KEY or BALLOT_BOX_OLD_KEYS (see docs/production.md).",
                               status=500) from exc


def ballot_box_open(*, election, actor, private_key=None, dry_run=False, now=None):
    """Open ``election``'s box after the close; returns an ``OpenOutcome``. Raises ``BallotBoxRefused``.

    With ``private_key`` (threshold custody: the key rebuilt from the officers' shares) that key is used;
    otherwise the stored key is unwrapped with BALLOT_BOX_KEY. All in one transaction: the plaintext ballots
    are written in a random order with fresh random ids, the sealed rows deleted, the wrapped private key
    destroyed and the audit event recorded, or nothing happens. ``dry_run`` checks everything (the key
    included) and says how many ballots would be opened, writing nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if now < election.end_datetime:
            when = election.end_datetime.strftime("%Y-%m-%d %H:%M UTC")
            raise BallotBoxRefused(f"Voting in {election.name} closes at {when}. The ballot box can be opened only "
                                   "after the close: nobody reads a ballot before then.", status=403)
        box = BallotBox.objects.select_for_update().filter(election=election).first()
        sealed_count = SealedBallot.objects.filter(election=election).count()
        if box is None:
            if sealed_count:
                raise BallotBoxRefused("Sealed ballots without a ballot box: they cannot be opened.", status=500)
            raise BallotBoxRefused(f"{election.name} has no sealed ballot box: its ballots are already readable.")
        if box.opened_at is not None:
            raise BallotBoxRefused(f"The ballot box of {election.name} was opened on "
                                   f"{box.opened_at:%Y-%m-%d %H:%M UTC} by {box.opened_by}.")
        key = _private_key_for(box, private_key)
        if dry_run:
            return OpenOutcome(election=election, ballots=sealed_count, dry_run=True)
        sealed = SealedBallot.objects.filter(election=election).values_list("sealed", flat=True)
        try:
            opened = crypto.ballots_open(key, sealed.iterator(chunk_size=_BATCH))
        except crypto.BoxError as exc:
            raise BallotBoxRefused(f"The ballot box of {election.name} cannot be opened: {exc}. Nothing was "
                                   "written.", status=500) from exc
        # The order of the rows (and of their ids) says nothing about the order of casting.
        secrets.SystemRandom().shuffle(opened)
        _opened_ballots_store(election, opened)
        SealedBallot.objects.filter(election=election).delete()
        box.wrapped_private_key = None
        box.wrapping_key_id = ""
        box.opened_at = now
        box.opened_by = str(actor).lower()
        box.save(update_fields=["wrapped_private_key", "wrapping_key_id", "opened_at", "opened_by"])
        audit_record(actor=actor, action=BOX_OPEN, election=election,
                     detail={"ballots": len(opened), "custody": box.custody})
        _count_inputs_freeze(election)
    return OpenOutcome(election=election, ballots=len(opened))


def _count_inputs_freeze(election):
    """The opening is the count's moment: what the count uses from the meta repository is recorded now."""
    count_freeze(election=election, cause=CountRecord.OPENED)


def _opened_ballots_store(election, opened):
    """Write the opened ballots, in the given order, each with a fresh random id.

    A box may hold a hundred thousand ballots: the rows go in as plain parameters (each value prepared by its
    field, as the ORM would), without a model instance each.
    """
    fields = [Ballot._meta.get_field(name) for name in ("id", "election", "ranks", "receipt")]
    if {f.column for f in Ballot._meta.concrete_fields} != {f.column for f in fields}:
        Ballot.objects.bulk_create(
            (Ballot(id=uuid.uuid4(), election=election, ranks=b.ranks, receipt=b.receipt) for b in opened),
            batch_size=_BATCH,
        )
        return
    quote = connection.ops.quote_name
    id_field, _, ranks_field, _ = fields
    # On SQLite each row also gets a random rowid (see ballot_row_insert).
    rowid = connection.vendor == "sqlite"
    columns = (["rowid"] if rowid else []) + [quote(f.column) for f in fields]
    sql = (f"INSERT INTO {quote(Ballot._meta.db_table)} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for start in range(0, len(opened), _BATCH):
            cursor.executemany(sql, [
                ((secrets.randbelow(2**62) + 1,) if rowid else ()) + (
                    id_field.get_db_prep_save(uuid.uuid4(), connection), election.pk,
                    ranks_field.get_db_prep_save(b.ranks, connection), b.receipt)
                for b in opened[start:start + _BATCH]
            ])


# --- rotating the key from the environment -------------------------------------------------------------


def wrapping_key_development():
    """The published development key (settings.DEV_BALLOT_BOX_KEY), which wraps boxes created with DEBUG on and no
    BALLOT_BOX_KEY. Anyone can read it: it only ever unwraps, to move such boxes under BALLOT_BOX_KEY."""
    return crypto.wrapping_key_parse(settings.DEV_BALLOT_BOX_KEY)


def _rotation_pending(current_id):
    """The fingerprint of the key a rotation moved the boxes to, while BALLOT_BOX_KEY is another; else None."""
    latest = (AuditEvent.objects.filter(action=BOX_KEY_ROTATE).order_by("-at", "-pk")
              .values_list("detail", flat=True).first())
    target = (latest or {}).get("to")
    return target if target and target != current_id else None


def ballot_boxes_rewrap(*, actor="system", dry_run=False, to=None):
    """Re-wrap every unopened box not yet under the current BALLOT_BOX_KEY (or the key ``to``); returns the
    elections' keys.

    Each box in its own transaction, with its audit event. Boxes are unwrapped with BALLOT_BOX_KEY,
    BALLOT_BOX_OLD_KEYS or, whatever DEBUG says, the published development key, so that boxes wrapped under it
    (``migrate`` or a cast with DEBUG on and no BALLOT_BOX_KEY) move under a real key (check elekto.E012). A box
    whose key is none of these stops the run with a message naming that key's fingerprint.
    """
    current = to or wrapping_key_current()
    current_id = crypto.wrapping_key_id(current)
    keys = [*wrapping_keys_all(), wrapping_key_development()]
    if to is None and not dry_run:
        # Boxes are made under the configured key again, whatever an earlier rotation moved them to.
        with transaction.atomic():
            audit_record(actor=actor, action=BOX_KEY_ROTATE, detail={"to": current_id})
    due = (BallotBox.objects.filter(custody=BallotBox.ENVIRONMENT, opened_at__isnull=True,
                                    wrapped_private_key__isnull=False)
           .exclude(wrapping_key_id=current_id).select_related("election").order_by("election__key"))
    done = []
    for row in due:
        with transaction.atomic():
            box = BallotBox.objects.select_for_update().select_related("election").get(pk=row.pk)
            if box.opened_at is not None or box.wrapped_private_key is None or box.wrapping_key_id == current_id:
                continue
            try:
                private_key = crypto.private_key_unwrap(box.wrapped_private_key, wrapping_keys=keys,
                                                            public_key=bytes(box.public_key))
            except crypto.BoxError as exc:
                raise BallotBoxRefused(f"{box.election.key}: {exc}.", status=500) from exc
            if not dry_run:
                previous = box.wrapping_key_id
                box.wrapped_private_key = crypto.private_key_wrap(
                    private_key, wrapping_key=current, public_key=bytes(box.public_key))
                box.wrapping_key_id = current_id
                box.save(update_fields=["wrapped_private_key", "wrapping_key_id"])
                audit_record(actor=actor, action=BOX_REWRAP, election=box.election,
                             detail={"from": previous, "to": current_id})
            done.append(box.election.key)
    return done


def ballot_box_key_rotate(*, actor="system"):
    """Move every unopened box under a new ballot box key made now; returns ``(key text, fingerprint, keys of the
    elections moved)``. The key is shown once and stored nowhere.

    Until BALLOT_BOX_KEY is that key, no new box is made (``environment_box_create`` refuses), so that none is left
    under the old key once it is discarded; the boxes open again once it is configured. A box made by a request
    that began before the rotation is moved by the second pass.
    """
    text = crypto.wrapping_key_generate()
    key = crypto.wrapping_key_parse(text)
    key_id = crypto.wrapping_key_id(key)
    with transaction.atomic():
        audit_record(actor=actor, action=BOX_KEY_ROTATE,
                     detail={"from": crypto.wrapping_key_id(wrapping_key_current()), "to": key_id})
    moved = ballot_boxes_rewrap(actor=actor, to=key)
    moved += ballot_boxes_rewrap(actor=actor, to=key)
    return text, key_id, moved
