"""The raw-file copies and searches that the secret-ballot proofs rely on find what is there.

Each proof in tests/security asserts that something is absent from a copy of the database's files; these tests
write that something in the clear and assert that the same copy and search find it, on every database.
"""

import secrets

from django.db import connection, transaction

from elections.audit import audit_record
from elections.ballot_box.crypto import keypair_generate
from elections.models import SealedBallot
from tests.browser.builders import build_election
from tests.security.storage import find_needles, private_key_windows, raw_copies
from tests.security.test_storage_attack import rank_needle, receipt_needle


def test_a_receipt_and_a_rank_written_in_plain_text_are_found_in_the_table_and_the_log(transactional_db, tmp_path):
    tag = secrets.token_hex(4)
    receipt = "-".join(secrets.token_hex(2).upper() for _ in range(6))
    election = build_election(f"canary---{tag}")
    with transaction.atomic():
        # Text: PostgreSQL's jsonb keeps numbers in a binary form that no text search reads. It also writes the
        # values one after the other, so the rank ends with a full stop, lest a receipt starting with a digit follow.
        audit_record(actor="canary", action="canary", election=election,
                     detail={"receipt": receipt, "ranks": f"{tag}-canary: 3."})
    found = find_needles(raw_copies(tmp_path), {"receipt": receipt_needle(receipt),
                                                "rank": rank_needle(f"{tag}-canary", 3)})
    assert {f.needle for f in found} == {"receipt", "rank"}
    where = {f.file for f in found}
    if connection.vendor == "mysql":
        assert "elections_auditevent.ibd" in where, where
        assert any(name.startswith("ib_logfile") for name in where), f"the redo log was not searched: {where}"
    if connection.vendor == "postgresql":
        assert "elections_auditevent" in where, where
        assert any(name.startswith("pg_wal-") for name in where), f"the write-ahead log was not searched: {where}"


def test_a_private_key_written_raw_is_found_by_the_window_scan_and_another_is_not(transactional_db, tmp_path):
    written, absent = keypair_generate(), keypair_generate()
    election = build_election(f"windows---{secrets.token_hex(4)}")
    # Between random bytes and zeros, as a column beside others would hold it.
    SealedBallot.objects.create(election=election,
                                sealed=secrets.token_bytes(45) + written.private_key + bytes(40))
    files = raw_copies(tmp_path)
    table = [f for f in files if f.name.startswith("elections_sealedballot") or f.name.endswith(".sqlite3")]
    assert table, [f.name for f in files]
    found = private_key_windows(table, [written.public_key, absent.public_key])
    assert found and {f.needle for f in found} == {"a ballot box's private key"}
    assert not private_key_windows(table, [absent.public_key])
