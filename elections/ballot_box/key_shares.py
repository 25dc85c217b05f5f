"""Threshold custody of a ballot box's private key: k of the election's n officers are needed to open it.

No Django here. The scheme:

* The box's private key is wrapped (AES-GCM) under a random 128-bit *custody key*, and only that wrapping is
  stored.
* The custody key is split with Shamir's secret sharing (PyCryptodome's ``Shamir``, over GF(2^128)) into one
  share per officer, any ``needed`` of which rebuild it; fewer reveal nothing about it. The custody key itself
  is never stored.
* A share is handed to its officer as text (``share_encode``): the election key (a label for people), the
  share's number and 32 base32 symbols holding the 16-byte share and a 4-byte checksum. A mistyped share
  fails its checksum and is named, rather than silently rebuilding a wrong key; the server also keeps a
  digest of each share (``share_digest``) to recognise a well-formed share that is not the one it dealt.
* Everything is bound to ``binding``, the box's public key: a share, its checksum and the wrapped key belong
  to one dealing of one box, and stay valid when the election's folder (so its key) is renamed.
"""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CUSTODY_KEY_BYTES = 16  # what PyCryptodome's Shamir splits
CHECK_BYTES = 4
NONCE_BYTES = 12
VERSION = b"elekto-share-v1"
_CODE_SYMBOLS = (CUSTODY_KEY_BYTES + CHECK_BYTES) * 8 // 5  # 32 base32 symbols, no padding
_GROUP = 4
_SHARE_TEXT = re.compile(r"^\s*(?P<election>\S.*?)\s+share\s+(?P<index>\d+)(?:\s+of\s+\d+)?\s*:\s*(?P<code>.*?)\s*$",
                         re.IGNORECASE | re.DOTALL)
_OWN_SHARE = r"\s+share\s+(?P<index>\d+)(?:\s+of\s+\d+)?\s*:\s*(?P<code>[A-Za-z0-9\s-]*)"
# Symbols people confuse when copying by hand; base32 has neither 0, 1 nor 8.
_LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


class ShareError(ValueError):
    """A share that cannot be used; the message says which one and why, for the officer who typed it.

    ``code`` and ``params`` let a caller word the message in the reader's language.
    """

    def __init__(self, message, *, code, **params):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Share:
    """Share number ``index`` (1 to n) of a custody key: ``value`` is 16 bytes."""

    index: int
    value: bytes

    def __repr__(self):
        # Never print a share's value in a traceback or a log.
        return f"Share(index={self.index}, value=...)"


def custody_key_generate():
    return secrets.token_bytes(CUSTODY_KEY_BYTES)


def shares_split(custody_key, *, needed, holders):
    """Split ``custody_key`` into ``holders`` shares, numbered 1 to ``holders``, any ``needed`` of which rebuild it.

    ``1 <= needed <= holders``. With ``needed == 1`` every share is the key itself (one officer suffices).
    """
    if len(custody_key) != CUSTODY_KEY_BYTES:
        raise ValueError(f"a custody key has {CUSTODY_KEY_BYTES} bytes")
    if not 1 <= needed <= holders:
        raise ValueError(f"cannot need {needed} of {holders} shares")
    return [Share(index, bytes(value)) for index, value in Shamir.split(needed, holders, custody_key)]


def shares_combine(shares):
    """The custody key rebuilt from ``shares`` (distinct numbers). With too few shares the result is a wrong
    key, which ``key_unwrap`` then refuses: check the count first."""
    indices = [share.index for share in shares]
    if len(set(indices)) != len(indices):
        raise ShareError("The same share was given twice.", code="twice")
    return Shamir.combine([(share.index, share.value) for share in shares])


def _checksum(binding, index, value):
    data = VERSION + b"\x00" + bytes(binding) + b"\x00" + index.to_bytes(2, "big") + value
    return hashlib.sha256(data).digest()[:CHECK_BYTES]


def share_encode(share, *, election_key, holders, binding):
    """The text an officer keeps, e.g. ``steering---2026 share 2 of 3: ABCD-EFGH-…`` (eight groups of four)."""
    code = base64.b32encode(share.value + _checksum(binding, share.index, share.value)).decode("ascii")
    grouped = "-".join(code[i : i + _GROUP] for i in range(0, len(code), _GROUP))
    return f"{election_key} share {share.index} of {holders}: {grouped}"


def share_decode(text, *, election_key, binding):
    """The ``Share`` in ``text`` (as ``share_encode`` wrote it) for the box ``binding`` of election ``election_key``.

    Forgiving about what does not matter (case, spaces, dashes, 0/O, 1/I, 8/B, and the label of a share dealt
    before the election's key was renamed); raises ``ShareError`` naming the problem for anything else: not a
    share at all, a share of another election, a code of the wrong length, or a code that fails its checksum
    (a symbol mistyped or swapped).
    """
    text = text or ""
    # Text copied with a little more around it (a label, a file name) still holds the share.
    match = re.search(re.escape(election_key) + _OWN_SHARE, text, re.IGNORECASE) or _SHARE_TEXT.match(text)
    if match is None:
        example = f"{election_key} share 2 of 3: ABCD-EFGH-…"
        raise ShareError(f"This is not a key share: a share reads like “{example}”, copied whole.",
                         code="not_a_share", example=example)
    label = match.groupdict().get("election") or election_key

    def other_election():
        return ShareError(f"This share is for the election {label}, not {election_key}.", code="other_election",
                          election=label, expected=election_key)

    index = int(match["index"])
    code = re.sub(r"[\s\-]", "", match["code"]).upper().translate(_LOOK_ALIKES)
    if len(code) != _CODE_SYMBOLS or not re.fullmatch(r"[A-Z2-7]+", code):
        if label != election_key:
            raise other_election()
        raise ShareError(f"Share {index}: its code must be {_CODE_SYMBOLS} letters and digits (2 to 7) in groups "
                         f"of four; this one has {len(code)}. Copy the share whole.", code="length", index=index,
                         symbols=_CODE_SYMBOLS, length=len(code))
    raw = base64.b32decode(code)
    value, check = raw[:CUSTODY_KEY_BYTES], raw[CUSTODY_KEY_BYTES:]
    if not 1 <= index <= 0xFFFF or not secrets.compare_digest(check, _checksum(binding, index, value)):
        if label != election_key:
            raise other_election()
        raise ShareError(f"Share {index} does not check out: a symbol is mistyped, missing or swapped, or the "
                         "share number was changed, or it is from an earlier dealing of this box's key. Copy it "
                         "again from what you saved.", code="checksum", index=index)
    return Share(index, value)


def share_digest(share, *, binding):
    """What the server keeps to recognise a share it dealt; the share's 128 random bits make it irreversible."""
    data = VERSION + b"-digest\x00" + bytes(binding) + b"\x00" + share.index.to_bytes(2, "big") + share.value
    return hashlib.sha256(data).digest()


def _associated_data(binding):
    return VERSION + b"-custody\x00" + bytes(binding)


def key_wrap(private_key, custody_key, *, binding):
    """``private_key`` encrypted under ``custody_key`` (AES-GCM, bound to its box): nonce + ciphertext."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(custody_key).encrypt(nonce, bytes(private_key), _associated_data(binding))


def key_unwrap(wrapped, custody_key, *, binding):
    """The private key inside ``wrapped``; raises ``ShareError`` when ``custody_key`` is not the right one."""
    wrapped = bytes(wrapped)
    try:
        return AESGCM(custody_key).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                           _associated_data(binding))
    except InvalidTag:
        raise ShareError("These shares do not rebuild this ballot box's key.", code="wrong_key") from None


def share_hold(share, *, wrapping_key, key_id, binding):
    """``share`` encrypted under the server's ``wrapping_key`` (named ``key_id``), for the time the server must
    keep it: until its officer takes it, or from its entry after the close until the box opens."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    ad = VERSION + b"-held\x00" + key_id.encode("ascii") + b"\x00" + bytes(binding)
    ciphertext = AESGCM(bytes(wrapping_key)).encrypt(nonce, share.index.to_bytes(2, "big") + share.value, ad)
    return bytes([len(key_id)]) + key_id.encode("ascii") + nonce + ciphertext


def share_release(held, *, wrapping_keys, binding):
    """The ``Share`` that ``share_hold`` encrypted; ``wrapping_keys`` maps key ids to keys.

    Raises ``ShareError`` naming the missing key when none of ``wrapping_keys`` is the one it needs.
    """
    held = bytes(held)
    key_id = held[1 : 1 + held[0]].decode("ascii")
    key = wrapping_keys.get(key_id)
    if key is None:
        raise ShareError(f"A share is held under ballot box key {key_id}, which is not configured.",
                         code="server_key_missing", key_id=key_id)
    rest = held[1 + held[0] :]
    ad = VERSION + b"-held\x00" + key_id.encode("ascii") + b"\x00" + bytes(binding)
    try:
        plain = AESGCM(bytes(key)).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], ad)
    except InvalidTag:
        raise ShareError(f"A held share does not open with ballot box key {key_id} (damaged, or moved from "
                         "another election).", code="held_damaged", key_id=key_id) from None
    return Share(int.from_bytes(plain[:2], "big"), plain[2:])


# --- the share file an officer decrypts with age (officers' keys) ---------------------------------------------

CHECK_CODE_SYMBOLS = 12  # 60 random bits, in three groups of four
_CHECK_CODE_LINE = re.compile(r"^check code:\s*(?P<code>[A-Za-z0-9 -]+?)\s*$", re.IGNORECASE | re.MULTILINE)


def check_code_generate():
    """A short random code printed next to a share: entering it proves its officer could decrypt the file."""
    code = base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:CHECK_CODE_SYMBOLS]
    return "-".join(code[i : i + _GROUP] for i in range(0, len(code), _GROUP))


def _check_code_normal(code):
    return re.sub(r"[\s\-]", "", code or "").upper().translate(_LOOK_ALIKES)


def check_code_digest(code, *, index, binding):
    """What the server keeps of a check code: it recognises the code and opens nothing (the code is independent
    of the share)."""
    data = (VERSION + b"-check\x00" + bytes(binding) + b"\x00" + index.to_bytes(2, "big")
            + _check_code_normal(code).encode("ascii", "replace"))
    return hashlib.sha256(data).digest()


def share_file(share, *, election_key, election_name, holder, holders, needed, binding, check_code):
    """The text an officer decrypts: a few words of what it is, the check code, and the share itself.

    The share is the last line, as ``share_encode`` writes it, so that the whole file or that line can be
    pasted (or the file uploaded) when the box is opened.
    """
    return (
        f"Ballot box key share of {holder} for the election {election_name} (key {election_key}).\n"
        f"Any {needed} of the {holders} officers' shares open the ballot box after voting closes.\n"
        "Before voting opens, enter the check code below on the officers' page: it proves you can read this file.\n"
        "Keep this file private. Never send it to anyone: whoever gathers enough shares can read every ballot.\n"
        "\n"
        f"check code: {check_code}\n"
        "\n"
        f"{share_encode(share, election_key=election_key, holders=holders, binding=binding)}\n"
    )


def check_code_in(text):
    """The check code in a decrypted share file, or None."""
    match = _CHECK_CODE_LINE.search(text or "")
    return match["code"] if match else None
