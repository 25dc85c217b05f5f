"""The secret ballot against an attacker who holds the database's raw files, copied at any moment, and every
secret of the server's environment: BALLOT_BOX_KEY and the old keys, PASSPHRASE_PEPPER and SECRET_KEY.

Voters cast, change and revoke ballots through the site (the campaign of tests/security/test_storage_attack.py);
the files are copied while voting runs and again after K officers open the box. The attacker then tries every
server secret, with the project's own functions, against every stored blob (every binary value of every row,
and every place in the raw files where a blob under a ballot box key would start), and scans every 32-byte
window of the files for the box's private key. With officers' keys nothing opens: no share, no private key, no
ballot. The same attack on a box dealt the old way (shares held by the server) does open it: that is the
control that shows the attack works, and what docs/ballot-secrecy.md says a copy of such a database exposes.
"""

import base64
import hashlib
import re
import secrets

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from elections.ballot_box import crypto, key_shares
from elections.ballot_box.box import wrapping_keys_all
from elections.models import Ballot, BallotBox, KeyShare, SealedBallot
from elections.voting import ballot_cookies
from tests.security import test_storage_attack
from tests.security.storage import RawFile, find_needles, private_key_windows, raw_copies
from tests.security.test_storage_attack import (
    SHARE_LINE,
    THRESHOLD,
    assert_count_equals_the_ballots_cast,
    close,
    decrypted_share_files,
    officer_post,
)

# The voters' campaign: 24 cast through the site, some change, revoke and vote again.
campaign = test_storage_attack.campaign

LEGACY = {**THRESHOLD, "legacy": True}


@pytest.fixture
def server_secrets(settings):
    """Every secret of the server's environment, an old ballot box key among them (as after a rotation)."""
    settings.BALLOT_BOX_OLD_KEYS = [crypto.wrapping_key_generate()]
    settings.PASSPHRASE_OLD_PEPPERS = [secrets.token_urlsafe(32)]
    return settings


# Files that are the logs every database of the server shares (redo log, undo, binary logs, write-ahead log):
# tens of megabytes of other databases' writes, searched for the known key's bytes rather than window by window.
SHARED_LOGS = re.compile(r"^(pg_wal-|ib_logfile|ibdata|undo\d|.*-bin\.\d)")


def own_files(files):
    """The copies of the test database's own files (its tables; SQLite's whole image): the window scan's scope."""
    return [raw for raw in files if not SHARED_LOGS.match(raw.name)]


def key_needles(private_key, custody_key):
    """The box's private key as any X25519 implementation would accept it (the bits clamping ignores may
    differ), raw, in hex and in base64; and the custody key, raw and in hex."""
    first = bytes([private_key[0] & 0xF8 | low for low in range(8)])
    last = bytes([private_key[31] & 0x3F | high for high in (0x00, 0x40, 0x80, 0xC0)])
    raw = (b"[" + re.escape(first) + b"]" + re.escape(private_key[1:31]) + b"[" + re.escape(last) + b"]")
    needles = {"the box's private key": re.compile(raw, re.DOTALL)}
    for label, key in (("the box's private key", private_key), ("the custody key", custody_key)):
        needles[f"{label}, hex"] = re.compile(re.escape(key.hex().encode()), re.IGNORECASE)
        for name, encode in (("base64", base64.b64encode), ("URL-safe base64", base64.urlsafe_b64encode)):
            needles[f"{label}, {name}"] = re.compile(re.escape(encode(key).rstrip(b"=")))
    needles["the custody key"] = re.compile(re.escape(custody_key))
    return needles


def secret_keys():
    """Every secret as the key sizes the project uses: the ballot box keys as they are, and 32 bytes derived
    from each pepper and from SECRET_KEY (as the cookies derive theirs); 16-byte prefixes for the custody key."""
    keys = list(wrapping_keys_all())
    for pepper in [settings.PASSPHRASE_PEPPER, *settings.PASSPHRASE_OLD_PEPPERS]:
        keys.append(hashlib.sha256(pepper.encode()).digest())
    keys.append(hashlib.sha256(settings.SECRET_KEY.encode()).digest())
    keys += [ballot_cookies._key(kind) for kind in ("review", "receipt")]
    return keys


def stored_blobs():
    """Every binary and text value of every row of the site's own tables, as a logical copy holds them."""
    blobs = []
    for model in apps.get_app_config("elections").get_models():
        columns = [f.attname for f in model._meta.concrete_fields
                   if isinstance(f, models.BinaryField | models.TextField)]
        for row in model.objects.values_list(*columns) if columns else []:
            blobs += [bytes(v) if isinstance(v, bytes | memoryview) else v.encode() for v in row if v]
    return blobs


def file_blobs(files):
    """Every place in the raw files where a blob under one of the server's ballot box keys starts (its key
    id), cut to the lengths a wrapped private key and a held share have."""
    blobs = []
    for key in wrapping_keys_all():
        key_id = crypto.wrapping_key_id(key).encode()
        for raw in files:
            for match in re.finditer(re.escape(key_id), raw.content):
                start = match.start()
                blobs.append(raw.content[max(0, start - 2):start + 12 + 12 + 48])  # private_key_wrap
                blobs.append(raw.content[max(0, start - 1):start + 12 + 12 + 18 + 16])  # share_hold
    return blobs


def attack(blobs, box):
    """What every server secret opens among ``blobs``, with the project's own functions: (private keys, shares)."""
    public_key = bytes(box.public_key)
    keys = secret_keys()
    by_id = {crypto.wrapping_key_id(k): k for k in wrapping_keys_all()}
    private_keys, shares = set(), set()
    for blob in blobs:
        try:
            private_keys.add(crypto.private_key_unwrap(blob, wrapping_keys=keys, public_key=public_key))
        except (crypto.BoxError, ValueError, IndexError, UnicodeDecodeError):
            pass
        try:
            share = key_shares.share_release(blob, wrapping_keys=by_id, binding=public_key)
            shares.add((share.index, share.value))
        except (key_shares.ShareError, ValueError, IndexError, UnicodeDecodeError):
            pass
        for key in keys:
            try:
                private_keys.add(key_shares.key_unwrap(blob, key[:16], binding=public_key))
            except (key_shares.ShareError, ValueError):
                pass
    # Enough shares rebuild the custody key, which unwraps the stored wrapped key.
    if box.threshold and len(shares) >= box.threshold and box.shared_private_key:
        custody_key = key_shares.shares_combine([key_shares.Share(i, v) for i, v in sorted(shares)][:box.threshold])
        private_keys.add(key_shares.key_unwrap(box.shared_private_key, custody_key, binding=public_key))
    # Every secret tried as the box's private key itself.
    private_keys |= {k for k in keys if crypto.public_key_of(k) == public_key}
    return private_keys, shares


def ballots_opened(private_keys, sealed):
    opened = []
    for key in private_keys:
        for blob in sealed:
            try:
                opened.append(crypto.ballot_open(key, blob))
            except crypto.BoxError:
                pass
    return opened


def physical_order(election):
    """The receipts of the opened ballots in the order the database hands back its rows without ORDER BY."""
    table = connection.ops.quote_name(Ballot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT receipt FROM {table} WHERE election_id = %s", [election.pk])
        return [row[0] for row in cursor.fetchall()]


def spearman(order, reference):
    position = {item: n for n, item in enumerate(reference)}
    ranks = [position[item] for item in order]
    n = len(ranks)
    return 1 - 6 * sum((r - i) ** 2 for i, r in enumerate(ranks)) / (n * (n * n - 1))


@pytest.mark.parametrize("campaign", [THRESHOLD], indirect=True)
def test_with_officers_keys_no_server_secret_opens_a_share_a_key_or_a_ballot_in_any_copy(campaign, server_secrets,
                                                                                        tmp_path):
    election = campaign.election
    box = BallotBox.objects.get(election=election)
    sealed_rows = dict(SealedBallot.objects.filter(election=election).values_list("id", "sealed"))
    sealed = [bytes(s) for s in sealed_rows.values()]
    assert len(sealed) == len(campaign.standing)
    during = raw_copies(tmp_path / "voting")

    files = decrypted_share_files(campaign)
    # What the attacker looks for: the key K officers' shares rebuild (the test holds their shares).
    shares = [key_shares.share_decode(SHARE_LINE.search(text).group(), election_key=election.key,
                                      binding=bytes(box.public_key)) for _number, text in files.values()]
    custody_key = key_shares.shares_combine(shares[:box.threshold])
    private_key = key_shares.key_unwrap(box.shared_private_key, custody_key, binding=bytes(box.public_key))
    assert crypto.public_key_of(private_key) == bytes(box.public_key)
    needles = key_needles(private_key, custody_key)
    clamped = bytes([private_key[0] & 0xF8]) + private_key[1:31] + bytes([private_key[31] & 0x7F | 0x40])
    probe = [RawFile("probe", b"\x00" * 7 + clamped + custody_key.hex().encode() + b"\xff")]
    assert {f.needle for f in find_needles(probe, needles)} == {"the box's private key", "the custody key, hex"}
    close(election)
    response = officer_post("olivia", "officers:key_shares_open", election,
                            {"share-1": files["olivia"][1], "share-2": SHARE_LINE.search(files["oscar"][1]).group()})
    assert "The ballot box is open" in response.content.decode()
    assert_count_equals_the_ballots_cast(campaign)
    after = raw_copies(tmp_path / "opened")

    for moment, copies in (("while voting ran", during), ("after the opening", after)):
        blobs = stored_blobs() + file_blobs(copies) + sealed + [bytes(r.digest) for r in KeyShare.objects.all()]
        private_keys, shares = attack(blobs, box)
        assert not shares, f"{len(shares)} shares open with a server secret in a copy made {moment}"
        assert not private_keys, f"a server secret gives the box's private key in a copy made {moment}"
        assert not ballots_opened(private_keys | set(secret_keys()), sealed)
        found = find_needles(copies, needles)
        found += private_key_windows(own_files(copies), [bytes(box.public_key)])
        assert not found, f"the box's key is in a copy made {moment}: " + "; ".join(map(str, found[:4]))

    # The opened ballots carry nothing of the sealed rows or of the order of casting.
    opened_ids = set(Ballot.objects.filter(election=election).values_list("id", flat=True))
    assert not opened_ids & set(sealed_rows)
    cast_order = [receipt for receipt in campaign.receipts if receipt in {r for r, _ in campaign.standing.values()}]
    stored = physical_order(election)
    assert sorted(stored) == sorted(cast_order)
    assert abs(spearman(stored, cast_order)) < 0.9, "the opened ballots are stored in the order they were cast"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(DISTINCT xmin::text) FROM elections_ballot WHERE election_id = %s",
                           [election.pk])
            assert cursor.fetchone()[0] == 1, "the opened ballots were written in more than one transaction"


@pytest.mark.parametrize("campaign", [LEGACY], indirect=True)
def test_the_same_attack_opens_a_box_dealt_the_old_way_which_is_why_no_new_box_is(campaign, server_secrets,
                                                                                  tmp_path):
    """The control: the shares the server held under BALLOT_BOX_KEY (not yet taken here) open with it, rebuild
    the key and open every sealed ballot, from a copy of the files made while voting runs."""
    election = campaign.election
    box = BallotBox.objects.get(election=election)
    sealed = [bytes(s) for s in SealedBallot.objects.filter(election=election).values_list("sealed", flat=True)]
    copies = raw_copies(tmp_path)
    private_keys, shares = attack(stored_blobs() + file_blobs(copies), box)
    assert len(shares) == 3 and len(private_keys) == 1
    receipts = sorted(b.receipt for b in ballots_opened(private_keys, sealed))
    assert receipts == sorted(receipt for receipt, _ in campaign.standing.values())


def test_in_the_default_mode_ballot_box_key_and_a_copy_made_before_the_opening_read_every_ballot(campaign,
                                                                                                server_secrets):
    """What docs/ballot-secrecy.md says of the default mode, shown: the box's key is wrapped under BALLOT_BOX_KEY,
    so whoever holds that key and a copy of the database made before the opening reads every ballot."""
    box = BallotBox.objects.get(election=campaign.election)
    sealed = [bytes(s) for s in SealedBallot.objects.filter(election=campaign.election).values_list("sealed",
                                                                                                    flat=True)]
    private_keys, _shares = attack(stored_blobs(), box)
    assert len(private_keys) == 1
    receipts = sorted(b.receipt for b in ballots_opened(private_keys, sealed))
    assert receipts == sorted(receipt for receipt, _ in campaign.standing.values())
