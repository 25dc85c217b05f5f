"""Loading a completed election's published ballots: its history from another system (an Elekto
``ballots.csv``), or a box opened offline by its officers (``elections.ballot_box.open_sealed_box``).

Run by operators with ``manage.py load_ballots``. All or nothing; the ballots loaded are counted like cast ones.
"""

import secrets
import uuid

from django.db import transaction
from django.utils import timezone

from elections.audit import BALLOTS_LOAD, BOX_OPEN, audit_record
from elections.ballot_box.box import ballot_row_insert
from elections.count_record import count_freeze
from elections.models import Ballot, BallotBox, CountRecord, Election, SealedBallot
from elections.voting import secrecy


class BallotsLoadRefused(Exception):
    """Published ballots that cannot be loaded into this election; the message says why."""


def ballots_load(*, election, candidates, ballots, receipts=None, actor):
    """Store a completed election's published, anonymised ballots (e.g. an Elekto ballots.csv); returns the count.

    ``candidates`` are the file's header IDs, matched case-insensitively to the election's own; ``ballots`` are
    dicts of header ID to rank (None for "No opinion"); ``receipts`` is one code per ballot (blank ones are
    replaced), or None to give each ballot a fresh random one. All or nothing, and only into a completed
    election that has neither ballots nor vote records, so loaded ballots never mix with cast ones. No
    VoteRecord is written: the voters are unknown.
    """
    if receipts is not None and len(receipts) != len(ballots):
        raise BallotsLoadRefused(f"{len(receipts)} receipts for {len(ballots)} ballots.")
    with transaction.atomic():
        # The lock queues concurrent loads of one election; the second then finds the first one's ballots.
        election = Election.objects.select_for_update().get(pk=election.pk)
        box = _ballots_load_opened_offline(election, len(ballots))
        if box is None:
            _ballots_load_check_state(election)
        stored_id = _ballots_load_match_candidates(election, candidates)
        kept = receipts is not None
        receipts = _ballots_load_receipts(receipts, len(ballots))
        rows = [
            ({stored_id[c]: ranks[c] for c in sorted(ranks, key=stored_id.get)}, receipt)
            for ranks, receipt in zip(ballots, receipts, strict=True)
        ]
        # The file's row order may be the order of casting; store the ballots in an order of our own.
        secrets.SystemRandom().shuffle(rows)
        for ranks, receipt in rows:
            ballot_row_insert(Ballot, id=uuid.uuid4(), election=election, ranks=ranks, receipt=receipt)
        if box is not None:
            # The box opened offline is now open: its sealed rows and wrapped key go, as an opening does.
            SealedBallot.objects.filter(election=election).delete()
            BallotBox.objects.filter(pk=box.pk).update(opened_at=timezone.now(), opened_by=str(actor).lower(),
                                                       shared_private_key=None)
            audit_record(actor=actor, action=BOX_OPEN, election=election,
                         detail={"ballots": len(rows), "custody": box.custody, "offline": True})
        audit_record(actor=actor, action=BALLOTS_LOAD, election=election,
                     detail={"ballots": len(rows), "receipts": "kept" if kept else "generated"})
        count_freeze(election=election, cause=CountRecord.LOADED)
    return len(rows)


def _ballots_load_opened_offline(election, count):
    """The election's box when the ballots loaded are that box opened offline
    (elections.ballot_box.open_sealed_box), else None. Only for a closed officers'-keys box still sealed, with as
    many ballots as the box holds."""
    box = BallotBox.objects.select_for_update().filter(election=election, opened_at__isnull=True,
                                                       custody=BallotBox.OFFICER_KEYS).first()
    if box is None:
        return None
    sealed = SealedBallot.objects.filter(election=election).count()
    if not sealed:
        return None
    if election.status_at(timezone.now()) != Election.COMPLETED:
        raise BallotsLoadRefused(f"{election.key} is still open: its sealed box is opened only after the close.")
    if count != sealed or election.ballots.exists():
        raise BallotsLoadRefused(f"The file holds {count} ballots, but the sealed box of {election.key} holds "
                                 f"{sealed}: it is not that box opened "
                                 "(python -m elections.ballot_box.open_sealed_box). Nothing was loaded.")
    return box


def _ballots_load_check_state(election):
    status = election.status_at(timezone.now())
    if status != Election.COMPLETED:
        raise BallotsLoadRefused(f"{election.key} is {status}: published ballots can be loaded only into a "
                                 "completed election.")
    if election.ballots.exists() or election.vote_records.exists() or election.sealed_ballots.exists():
        raise BallotsLoadRefused(f"{election.key} already has ballots: loaded ballots are never mixed with "
                                 "others. Nothing was loaded.")


def _ballots_load_match_candidates(election, header):
    """Header ID -> the election's candidate ID, matched case-insensitively; refuses any mismatch."""
    rows = list(election.candidates.values_list("candidate_id", "withdrawn"))
    by_folded = {candidate_id.casefold(): candidate_id for candidate_id, _ in rows}
    stored_id, unknown, twice = {}, [], []
    for header_id in header:
        candidate_id = by_folded.get(header_id.casefold())
        if candidate_id is None:
            unknown.append(header_id)
        elif candidate_id in stored_id.values():
            twice.append(header_id)
        else:
            stored_id[header_id] = candidate_id
    # A withdrawn candidate may be absent: the published file may have been written after the withdrawal.
    missing = [c for c, withdrawn in rows if not withdrawn and c not in stored_id.values()]
    problems = []
    if unknown:
        problems.append(f"not candidates of {election.key}: {', '.join(unknown)}")
    if twice:
        problems.append(f"named twice (IDs differ only in case): {', '.join(twice)}")
    if missing:
        problems.append(f"missing from the header: {', '.join(missing)}")
    if problems:
        raise BallotsLoadRefused("The header's candidate IDs do not match the election's; "
                                 + "; ".join(problems) + ".")
    return stored_id


def _ballots_load_receipts(receipts, count):
    if receipts is None:
        return [secrecy.receipt_generate() for _ in range(count)]
    receipts = [r.strip() or secrecy.receipt_generate() for r in receipts]
    too_long = next((r for r in receipts if len(r) > Ballot._meta.get_field("receipt").max_length), None)
    if too_long is not None:
        raise BallotsLoadRefused(f"Receipt {too_long[:20]}... is longer than a receipt can be.")
    seen = set()
    repeated = sorted({r for r in receipts if r in seen or seen.add(r)})
    if repeated:
        raise BallotsLoadRefused(f"Receipts appear more than once in the file: {', '.join(repeated[:5])}.")
    taken = []
    for start in range(0, len(receipts), 500):  # bounded IN lists, whatever the database's parameter limit
        taken += Ballot.objects.filter(receipt__in=receipts[start:start + 500]).values_list("receipt", flat=True)
    if taken:
        raise BallotsLoadRefused(f"Receipts already used by ballots of another election: {', '.join(taken[:5])}.")
    return receipts
