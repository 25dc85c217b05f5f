"""The secret ballot: what the ballot tables hold, and what the sealed link needs to open."""

import json
import os
import time

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import translation

from elections.models import Ballot, EligibleVoter, SealedBallot, VoteRecord
from elections.voting import secrecy
from elections.voting.services import ballot_cast
from tests.conftest import box_open_now
from tests.voting.conftest import PASSPHRASE, cast_data

SAME_BALLOT = {"alice": 1, "bob": 2, "carol": None}


@pytest.fixture
def many_cast(running, user_factory):
    voters = []
    for index in range(5):
        user = user_factory(f"secret-voter-{index}")
        EligibleVoter.objects.create(election=running, login=user.username)
        ballot_cast(election=running, voter=user, ranks=SAME_BALLOT, passphrase=PASSPHRASE)
        voters.append(user)
    return voters


def test_ballot_rows_have_no_voter_and_no_timestamp_column(many_cast):
    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), "elections_ballot")}
    assert columns == {"id", "election_id", "ranks", "receipt"}
    sealed_columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(),
                                                                                     "elections_sealedballot")}
    assert sealed_columns == {"id", "election_id", "sealed"}
    for model in (Ballot, SealedBallot):
        for field in model._meta.get_fields():
            assert field.get_internal_type() not in ("DateTimeField", "DateField", "TimeField", "AutoField",
                                                     "BigAutoField")
            assert not (field.is_relation and field.related_model is not None
                        and field.related_model._meta.label == "auth.User")


def test_a_running_elections_ballots_are_sealed_with_random_keys_and_one_length(many_cast, running):
    assert not Ballot.objects.exists()
    sealed = list(SealedBallot.objects.all())
    assert len(sealed) == 5 and all(b.id.version == 4 for b in sealed)
    assert len({bytes(b.sealed) for b in sealed}) == 5
    assert len({len(bytes(b.sealed)) for b in sealed}) == 1


def test_opened_ballots_get_fresh_random_keys_and_keep_unique_receipts(many_cast, running):
    sealed_ids = set(SealedBallot.objects.values_list("id", flat=True))
    ballots = box_open_now(running)
    assert len(ballots) == 5
    assert all(b.id.version == 4 and b.id not in sealed_ids for b in ballots)
    assert len({b.receipt for b in ballots}) == 5
    # Equal ballots are stored identically, so the ranks column cannot tell them apart either.
    assert len({str(b.ranks) for b in ballots}) == 1 and ballots[0].ranks == SAME_BALLOT
    assert not SealedBallot.objects.exists()


def test_the_vote_record_holds_no_readable_reference_to_its_ballot(many_cast, running):
    sealed_ids = list(SealedBallot.objects.values_list("id", flat=True))
    records = [(bytes(r.sealed_link), bytes(r.salt)) for r in VoteRecord.objects.all()]
    receipts = [b.receipt for b in box_open_now(running)]
    for sealed, _ in records:
        for ballot_id in sealed_ids:
            for needle in (str(ballot_id).encode(), ballot_id.hex.encode(), ballot_id.bytes):
                assert needle not in sealed
        for receipt in receipts:
            assert receipt.encode() not in sealed
        assert b"alice" not in sealed


def _open(record, *, passphrase=PASSPHRASE, election_id, login=None, election_key="unused"):
    return secrecy.link_open(record.sealed_link, passphrase=passphrase, salt=record.salt, election_id=election_id,
                             election_key=election_key, login=login or record.voter.username)


def test_the_sealed_link_opens_only_with_the_right_passphrase_for_the_right_voter(many_cast, running):
    sealed_ids = {str(i) for i in SealedBallot.objects.values_list("id", flat=True)}
    records = list(VoteRecord.objects.select_related("voter"))
    links = []
    for record in records:
        link = _open(record, election_id=running.pk)
        assert link.ballot_id in sealed_ids and link.ranks == SAME_BALLOT and link.version == 2
        links.append(link)
        assert _open(record, passphrase=PASSPHRASE + "!", election_id=running.pk) is None
    assert {link.receipt for link in links} == {b.receipt for b in box_open_now(running)}
    # A sealed link copied onto another voter's record (or another election) does not open there.
    first, second = records[0], records[1]
    assert _open(first, election_id=running.pk, login=second.voter.username) is None
    assert _open(first, election_id=running.pk + 1) is None


def test_the_link_is_bound_to_the_elections_identity_not_its_key(many_cast, running):
    record = VoteRecord.objects.select_related("voter").first()
    assert _open(record, election_id=running.pk, election_key="renamed---key").ranks == SAME_BALLOT


def test_the_link_needs_the_servers_pepper_and_opens_under_a_retired_one(many_cast, running, settings):
    record = VoteRecord.objects.select_related("voter").first()
    original = settings.PASSPHRASE_PEPPER
    settings.PASSPHRASE_PEPPER = "another-pepper-for-the-rotation-test-0123456789"
    with pytest.raises(ImproperlyConfigured, match="neither PASSPHRASE_PEPPER nor in PASSPHRASE_OLD_PEPPERS"):
        _open(record, election_id=running.pk)
    settings.PASSPHRASE_OLD_PEPPERS = [original]
    assert _open(record, election_id=running.pk).ranks == SAME_BALLOT


@pytest.mark.parametrize("action", ["view", "revoke"])
def test_a_link_under_a_pepper_no_longer_configured_gets_a_clear_page_and_keeps_the_ballot(
        voter_client, running, settings, caplog, action):
    cast = voter_client.post(f"/app/elections/{running.key}/vote", cast_data({"alice": 1, "bob": 2}))
    assert cast.status_code == 303
    settings.PASSPHRASE_PEPPER = "another-pepper-for-the-rotation-test-0123456789"
    settings.PASSPHRASE_OLD_PEPPERS = []

    with translation.override("en"):
        response = voter_client.post(f"/app/elections/{running.key}/confirmation",
                                     {"action": action, "passphrase": PASSPHRASE})
    assert response.status_code == 503
    page = response.content.decode().replace("&#x27;", "'")
    assert "Your ballot cannot be opened right now" in page
    assert "will be counted" in page and "Nothing was changed" in page
    assert VoteRecord.objects.filter(election=running).count() == 1 and SealedBallot.objects.count() == 1
    # The operators learn which setting to restore, and no secret.
    logged = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("PASSPHRASE_OLD_PEPPERS" in line and running.key in line for line in logged)
    assert not any(PASSPHRASE in line for line in logged)


def test_links_and_sealed_ballots_have_one_length_whatever_the_ranks(running, user_factory):
    rankings = [{"alice": 1, "bob": 2, "carol": 3}, {"alice": None, "bob": None, "carol": 1},
                {"alice": 1, "bob": 1, "carol": 1}, {"alice": 3, "bob": None, "carol": 2}]
    for index, ranks in enumerate(rankings):
        user = user_factory(f"length-voter-{index}")
        EligibleVoter.objects.create(election=running, login=user.username)
        ballot_cast(election=running, voter=user, ranks=ranks, passphrase=PASSPHRASE)
    assert len({len(bytes(s)) for s in SealedBallot.objects.values_list("sealed", flat=True)}) == 1
    assert len({len(bytes(s)) for s in VoteRecord.objects.values_list("sealed_link", flat=True)}) == 1


def test_voters_with_the_same_ballot_and_passphrase_get_unrelated_ciphertexts(many_cast):
    records = list(VoteRecord.objects.all())
    salts = {bytes(r.salt) for r in records}
    sealed = [bytes(r.sealed_link) for r in records]
    assert len(salts) == 5 and all(len(s) == 16 for s in salts)
    assert len(set(sealed)) == 5
    # Past the common header (version, cost and pepper fingerprint), no two ciphertexts share a prefix.
    header = 14
    bodies = [s[header:] for s in sealed]
    assert len({b[:8] for b in bodies}) == 5


def test_the_sealed_link_keeps_the_cost_it_was_made_with(settings):
    salt = secrecy.salt_generate()
    link = secrecy.BallotLink("id", "receipt", ranks={"a": 1})
    sealed = secrecy.link_seal(link, passphrase=PASSPHRASE, salt=salt, election_id=7, login="someone")
    settings.ARGON2_TIME_COST = 2
    opened = secrecy.link_open(sealed, passphrase=PASSPHRASE, salt=salt, election_id=7, election_key="e",
                               login="someone")
    assert opened == link


def v1_link_seal(*, ballot_id, receipt, passphrase, salt, election_key, login):
    """A sealed link exactly as version 1 made them: no pepper, bound to the election's key."""
    header = secrecy._HEADER_V1.pack(1, 1, 1024, 1)
    key = secrecy.key_derive(passphrase, salt, time_cost=1, memory_kib=1024, parallelism=1)
    nonce = os.urandom(secrecy.NONCE_BYTES)
    plaintext = json.dumps({"ballot": ballot_id, "receipt": receipt}).encode()
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext,
                                                secrecy._associated_data_v1(header, election_key, login))


def test_a_version_1_link_still_opens_with_its_election_key():
    salt = secrecy.salt_generate()
    sealed = v1_link_seal(ballot_id="b-1", receipt="R-1", passphrase=PASSPHRASE, salt=salt, election_key="e---1",
                          login="someone")
    opened = secrecy.link_open(sealed, passphrase=PASSPHRASE, salt=salt, election_id=3, election_key="e---1",
                               login="someone")
    assert opened == secrecy.BallotLink("b-1", "R-1", ranks=None, version=1)
    assert secrecy.link_open(sealed, passphrase="wrong-passphrase", salt=salt, election_id=3,
                             election_key="e---1", login="someone") is None


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "abababababab", "qwertyuiop12", "1qaz2wsx3edc", "P@ssw0rd2024!",
                                  "iloveyou2024", "abcdefghijkl", "zyxwvutsrqpo", "hunter2hunter2"])
def test_obviously_weak_passphrases_are_named_as_such(weak):
    assert secrecy.passphrase_weakness(weak)


@pytest.mark.parametrize(("text", "rest"), [
    ("xqwertyx", "xx"), ("1qazasdasdr9872h2iqwe", "r2h2i"), ("poiwsxqwe123", ""), ("cwsx", "c"),
    ("qwa", "qwa"), ("ab", "ab"), ("", ""), ("poi89poiyabc123gpoig9871qaz9876wabcdzyxvzyxud5qwevasd", "89yggwvud5v"),
])
def test_keyboard_walks_and_sequences_of_three_or_more_are_taken_out(text, rest):
    assert secrecy._remove_walks(text) == rest


STEERING_INPUTS = secrecy.passphrase_user_inputs(election_name="Steering Committee Election 2026",
                                                 election_key="steering---2026", login="vera-voter",
                                                 site_name="Elekto")


def test_generated_and_ordinary_chosen_passphrases_are_not_called_weak():
    assert not any(secrecy.passphrase_weakness(secrecy.passphrase_generate(), user_inputs=STEERING_INPUTS)
                   for _ in range(2000))
    for fine in (PASSPHRASE, "my dog ate the bus timetable", "Tr0ub4dor&3 with a kettle in saffron"):
        assert secrecy.passphrase_weakness(fine, user_inputs=STEERING_INPUTS) is None


@pytest.mark.parametrize("weak", ["Summer2026!!", "steering2026", "Tr0ub4dor&3xyz", "Winter2027?"])
def test_passphrases_a_cracker_guesses_in_under_10_to_the_15_tries_are_weak(weak):
    assert secrecy.passphrase_weakness(weak, user_inputs=STEERING_INPUTS)


@pytest.mark.parametrize("famous", ["correcthorsebatterystaple", "correct horse battery staple",
                                    "Correct-Horse-Battery-Staple-42", "C0rrect H0rse Battery Staple!",
                                    "the quick brown fox jumps over the lazy dog", "Tr0ub4dor&3"])
def test_famous_passphrases_are_weak_however_they_are_written(famous):
    assert secrecy.passphrase_weakness(famous) == (
        "it is a famous passphrase, among the first that password crackers try")


def test_the_election_the_voter_and_the_site_count_as_guessable_words():
    own_words = "elekto-vera-voter-2026"
    assert secrecy.passphrase_weakness(own_words) is None
    assert secrecy.passphrase_weakness(own_words, user_inputs=STEERING_INPUTS)


def test_only_the_first_72_characters_are_estimated_so_any_length_has_an_answer():
    assert secrecy.passphrase_weakness("steering2026" * 1000, user_inputs=STEERING_INPUTS)
    assert secrecy.passphrase_weakness("plum orbit kettle saffron 91" + "!" * 10000) is None


def test_generated_passphrases_and_receipts_are_long_and_random():
    import math

    passphrases = {secrecy.passphrase_generate() for _ in range(200)}
    assert len(passphrases) == 200
    sample = next(iter(passphrases))
    symbols = len(sample.replace("-", ""))
    assert symbols * math.log2(len(secrecy.PASSPHRASE_ALPHABET)) >= 80
    assert len(sample) >= 12
    receipts = {secrecy.receipt_generate() for _ in range(200)}
    assert len(receipts) == 200 and all(len(r) >= 16 for r in receipts)


@pytest.mark.parametrize(("time_cost", "memory_kib", "parallelism", "pepper"), [
    (2, 19456, 1, None), (2, 19456, 1, "a-pepper"), (1, 1024, 1, None), (3, 8, 1, "p"), (1, 64, 2, None),
    (1, 1024, 4, "a-pepper"),
])
def test_the_key_is_argon2id_as_the_reference_implementation_derives_it(time_cost, memory_kib, parallelism,
                                                                         pepper):
    """Keys are derived with libsodium where it can (one lane) and with argon2-cffi otherwise: both must give the
    reference Argon2id key, or links sealed by one would not open with the other."""
    import hashlib
    import hmac
    import unicodedata

    from argon2.low_level import Type, hash_secret_raw

    passphrase, salt = "Ünïcode passphrase, typed", os.urandom(16)
    secret = unicodedata.normalize("NFC", passphrase).encode()
    if pepper:
        secret = hmac.new(pepper.encode(), secret, hashlib.sha256).digest()
    expected = hash_secret_raw(secret, salt, time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism,
                               hash_len=secrecy.KEY_BYTES, type=Type.ID)
    assert secrecy.key_derive(passphrase, salt, time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism,
                              pepper=pepper) == expected
    assert secrecy._libsodium_can_derive(secret, salt, time_cost=time_cost, memory_kib=memory_kib,
                                         parallelism=parallelism) == (parallelism == 1)


def test_the_production_key_derivation_stays_within_64_mib():
    from elekto_site import settings as production

    # The autouse fixture makes the other tests cheap; the settings module holds what production runs.
    assert production.ARGON2_MEMORY_KIB <= 64 * 1024
    started = time.perf_counter()
    secrecy.key_derive(PASSPHRASE, secrecy.salt_generate(), time_cost=production.ARGON2_TIME_COST,
                       memory_kib=production.ARGON2_MEMORY_KIB, parallelism=production.ARGON2_PARALLELISM)
    elapsed = time.perf_counter() - started
    # Generous against a busy shared machine; the benchmarks report the real figure.
    assert elapsed < 2.0


def test_the_storage_order_of_ballots_is_not_the_order_of_casting(running, user_factory):
    from django.db import connection

    cast_order = []
    for index in range(8):
        user = user_factory(f"order-voter-{index}")
        EligibleVoter.objects.create(election=running, login=user.username)
        cast_order.append(ballot_cast(election=running, voter=user, ranks=SAME_BALLOT, passphrase=PASSPHRASE).receipt)
    box_open_now(running)
    with connection.cursor() as cursor:
        # No ORDER BY: the order in which the database keeps the rows (1 chance in 40320 to match by luck).
        cursor.execute("SELECT receipt FROM elections_ballot WHERE election_id = %s", [running.pk])
        stored_order = [row[0] for row in cursor.fetchall()]
    assert sorted(stored_order) == sorted(cast_order)
    assert stored_order != cast_order


def test_passphrases_ranks_and_receipts_never_reach_the_logs(voter_client, running, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    secret = "a-passphrase-nobody-logs"
    ranks = {"rank-alice": "3", "rank-bob": "1", "rank-carol": "2"}
    review = voter_client.post(f"/app/elections/{running.key}/vote", {**ranks, "step": "review"}, follow=True)
    assert review.status_code == 200
    cookies = [voter_client.cookies["ballot_review"].value]
    data = {**ranks, "step": "cast", "mode": "cast", "passphrase": secret, "passphrase_again": secret}
    cast = voter_client.post(f"/app/elections/{running.key}/vote", data)
    cookies.append(cast.cookies["ballot_receipt"].value)
    response = voter_client.get(cast["Location"])
    assert response.status_code == 200
    for guess in ("wrong-guess-here", secret):
        voter_client.post(f"/app/elections/{running.key}/confirmation", {"action": "view", "passphrase": guess})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged and "wrong-guess-here" not in logged
    assert response.context["receipt"] not in logged
    assert not any(cookie in logged for cookie in cookies)
    assert "rank-alice" not in logged
