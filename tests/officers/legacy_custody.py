"""A threshold-mode box as it was dealt before officers' keys, for the elections still running that way: the
shares held by the server under BALLOT_BOX_KEY until their officers take them. No new box is dealt so; these
are the rows that dealing wrote, so that the legacy path (take, enter, open) keeps being tested."""

from django.db import transaction

from elections.audit import SHARE_DEAL, audit_record
from elections.ballot_box import crypto, key_shares
from elections.ballot_box.box import wrapping_key_current
from elections.models import BallotBox, KeyShare


def legacy_deal(election):
    officers = sorted(election.officers.values_list("login", flat=True))
    needed = election.officers_to_open
    server_key = wrapping_key_current()
    key_id = crypto.wrapping_key_id(server_key)
    pair = crypto.keypair_generate()
    custody_key = key_shares.custody_key_generate()
    shares = key_shares.shares_split(custody_key, needed=needed, holders=len(officers))
    with transaction.atomic():
        box = BallotBox.objects.create(
            election=election, custody=BallotBox.THRESHOLD, threshold=needed, public_key=pair.public_key,
            shared_private_key=key_shares.key_wrap(pair.private_key, custody_key, binding=pair.public_key))
        KeyShare.objects.bulk_create(
            KeyShare(box=box, number=share.index, holder=login,
                     digest=key_shares.share_digest(share, binding=pair.public_key),
                     held=key_shares.share_hold(share, wrapping_key=server_key, key_id=key_id,
                                                binding=pair.public_key))
            for share, login in zip(shares, officers, strict=True))
        audit_record(actor="system", action=SHARE_DEAL, election=election,
                     detail={"officers_to_open": needed, "holders": officers, "again": False})
    return box
