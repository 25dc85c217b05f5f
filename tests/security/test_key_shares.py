"""Threshold custody of the ballot box key (elections.ballot_box.key_shares): plain Python, tested without a
database."""

import itertools
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elections.ballot_box.key_shares import (
    Share,
    ShareError,
    custody_key_generate,
    key_unwrap,
    key_wrap,
    share_decode,
    share_digest,
    share_encode,
    share_hold,
    share_release,
    shares_combine,
    shares_split,
)
from tests.conftest import REPO_ROOT

KEY = "steering---2026"
PRIVATE_KEY = bytes(range(32))
BOX = bytes(range(100, 132))  # the box's public key, which everything is bound to
OTHER_BOX = bytes(range(200, 232))
# A fixed share, so that the exhaustive typo tests below have one fixed outcome.
FIXED = Share(2, bytes.fromhex("00112233445566778899aabbccddeeff"))


def test_the_module_imports_without_django():
    code = ("import sys, elections.ballot_box.key_shares; "
            "sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or "elections.ballot_box.key_shares imported Django"


@settings(deadline=None)  # the machine may be busy: a slow run is not a wrong one
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))), st.randoms())
def test_any_k_of_the_n_shares_rebuild_the_custody_key_and_open_the_wrapped_key(k_n, rng):
    needed, holders = k_n
    custody_key = custody_key_generate()
    wrapped = key_wrap(PRIVATE_KEY, custody_key, binding=BOX)
    shares = shares_split(custody_key, needed=needed, holders=holders)
    assert [s.index for s in shares] == list(range(1, holders + 1))
    chosen = rng.sample(shares, needed)
    assert shares_combine(chosen) == custody_key
    assert key_unwrap(wrapped, shares_combine(chosen), binding=BOX) == PRIVATE_KEY


@settings(deadline=None)
@given(st.integers(2, 7).flatmap(lambda n: st.tuples(st.integers(2, n), st.just(n))), st.randoms())
def test_k_minus_one_shares_do_not_open_the_wrapped_key(k_n, rng):
    needed, holders = k_n
    custody_key = custody_key_generate()
    wrapped = key_wrap(PRIVATE_KEY, custody_key, binding=BOX)
    chosen = rng.sample(shares_split(custody_key, needed=needed, holders=holders), needed - 1)
    with pytest.raises(ShareError, match="do not rebuild"):
        key_unwrap(wrapped, shares_combine(chosen), binding=BOX)


def test_the_wrapped_key_is_bound_to_its_box():
    custody_key = custody_key_generate()
    wrapped = key_wrap(PRIVATE_KEY, custody_key, binding=BOX)
    with pytest.raises(ShareError):
        key_unwrap(wrapped, custody_key, binding=OTHER_BOX)


def test_the_wrapped_key_does_not_hold_the_private_key_in_clear():
    wrapped = key_wrap(PRIVATE_KEY, custody_key_generate(), binding=BOX)
    assert PRIVATE_KEY[:8] not in wrapped


def test_a_share_given_twice_is_refused():
    shares = shares_split(custody_key_generate(), needed=2, holders=3)
    with pytest.raises(ShareError, match="twice"):
        shares_combine([shares[0], shares[0]])


@pytest.mark.parametrize(("needed", "holders"), [(0, 3), (4, 3), (1, 0)])
def test_impossible_thresholds_are_refused(needed, holders):
    with pytest.raises(ValueError, match="cannot need"):
        shares_split(custody_key_generate(), needed=needed, holders=holders)


def test_a_share_reads_as_election_number_and_grouped_code():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=BOX)
    prefix, code = text.split(": ")
    assert prefix == "steering---2026 share 2 of 3"
    assert [len(group) for group in code.split("-")] == [4] * 8


@settings(deadline=None)
@given(st.binary(min_size=16, max_size=16), st.integers(1, 300))
def test_a_share_round_trips_through_its_text(value, index):
    share = Share(index, value)
    text = share_encode(share, election_key=KEY, holders=300, binding=BOX)
    assert share_decode(text, election_key=KEY, binding=BOX) == share


def test_case_spacing_and_look_alike_symbols_do_not_matter():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=BOX)
    prefix, code = text.split(": ")
    sloppy = f"  {prefix.replace('share', 'Share')}:\n{code.lower().replace('-', ' ').replace('o', '0')}  "
    assert share_decode(sloppy, election_key=KEY, binding=BOX) == FIXED


def _code_positions(text):
    start = text.index(": ") + 2
    return [i for i in range(start, len(text)) if text[i] != "-"]


def test_every_single_mistyped_symbol_is_detected_and_the_share_named():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=BOX)
    for position in _code_positions(text):
        for symbol in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567":
            if symbol == text[position] or symbol == {"O": "0", "I": "1", "B": "8"}.get(text[position]):
                continue
            typo = text[:position] + symbol + text[position + 1 :]
            with pytest.raises(ShareError, match=r"^Share 2 does not check out"):
                share_decode(typo, election_key=KEY, binding=BOX)


def test_every_swap_of_two_neighbouring_symbols_is_detected():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=BOX)
    positions = _code_positions(text)
    for a, b in itertools.pairwise(positions):
        if text[a] == text[b]:
            continue
        swapped = list(text)
        swapped[a], swapped[b] = swapped[b], swapped[a]
        with pytest.raises(ShareError, match="does not check out"):
            share_decode("".join(swapped), election_key=KEY, binding=BOX)


def test_a_changed_share_number_is_detected():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=BOX)
    with pytest.raises(ShareError, match="^Share 3 does not check out"):
        share_decode(text.replace("share 2", "share 3"), election_key=KEY, binding=BOX)


def test_a_missing_symbol_is_named():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=BOX)
    with pytest.raises(ShareError, match="^Share 2: its code must be 32 .* this one has 31"):
        share_decode(text[:-1], election_key=KEY, binding=BOX)


def test_a_share_of_another_election_is_named():
    text = share_encode(FIXED, election_key="steering---2025", holders=3, binding=OTHER_BOX)
    with pytest.raises(ShareError, match="for the election steering---2025, not steering---2026"):
        share_decode(text, election_key=KEY, binding=BOX)


def test_a_share_dealt_before_the_election_was_renamed_still_reads():
    text = share_encode(FIXED, election_key="steering---old-name", holders=3, binding=BOX)
    assert share_decode(text, election_key=KEY, binding=BOX) == FIXED


def test_a_share_of_another_dealing_of_the_same_election_does_not_check_out():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=OTHER_BOX)
    with pytest.raises(ShareError, match="^Share 2 does not check out"):
        share_decode(text, election_key=KEY, binding=BOX)


@pytest.mark.parametrize("text", ["", "hello", "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567", "steering---2026 share x: A"])
def test_text_that_is_no_share_is_refused_with_the_expected_form(text):
    with pytest.raises(ShareError, match="This is not a key share"):
        share_decode(text, election_key=KEY, binding=BOX)


def test_the_digest_tells_shares_apart_and_binds_them_to_their_box():
    other = Share(2, bytes(16))
    digests = {
        share_digest(FIXED, binding=BOX),
        share_digest(other, binding=BOX),
        share_digest(FIXED, binding=OTHER_BOX),
        share_digest(Share(3, FIXED.value), binding=BOX),
    }
    assert len(digests) == 4
    assert FIXED.value not in share_digest(FIXED, binding=BOX)


def test_a_share_never_shows_its_value_when_printed():
    assert FIXED.value.hex() not in repr(FIXED)
    assert "001122" not in repr([FIXED])


def test_a_held_share_opens_only_with_its_server_key_and_box():
    server_key = bytes(range(32))
    held = share_hold(FIXED, wrapping_key=server_key, key_id="k1", binding=BOX)
    assert FIXED.value not in held
    assert share_release(held, wrapping_keys={"k0": bytes(32), "k1": server_key}, binding=BOX) == FIXED
    with pytest.raises(ShareError, match="held under ballot box key k1, which is not configured"):
        share_release(held, wrapping_keys={"k0": server_key}, binding=BOX)
    with pytest.raises(ShareError, match="does not open"):
        share_release(held, wrapping_keys={"k1": server_key}, binding=OTHER_BOX)


def test_a_share_copied_with_text_around_it_is_still_read():
    text = share_encode(FIXED, election_key=KEY, holders=3, binding=BOX)
    pasted = f'<pre class="key-share">{text}\n'
    assert share_decode(pasted, election_key=KEY, binding=BOX) == FIXED
