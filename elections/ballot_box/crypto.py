"""The ballot box's cryptography, in plain Python (no Django): sealing ballots to an election's key.

Each election has an X25519 key pair. A ballot is sealed when cast with libsodium's sealed box
(``crypto_box_seal`` through PyNaCl): anyone holding the public key can seal, only the private key opens, and
the sealer keeps nothing that could open it again. The payload (ranks and receipt) is padded to a size that
depends only on the candidates on the ballot, never on the ranks, so the ciphertext's length says nothing.

Who holds the private key is up to the caller. By default it is stored wrapped (AES-256-GCM) under a
32-byte key that comes from the environment, never from the database (``private_key_wrap``); each wrapping
key is known by a short fingerprint (``wrapping_key_id``), so several keys can coexist while one is rotated
out. Threshold custody (the key split among officers) supplies the private key to ``ballot_open`` directly.
"""

import base64
import binascii
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

PUBLIC_KEY_BYTES = 32
PRIVATE_KEY_BYTES = 32
WRAPPING_KEY_BYTES = 32
NONCE_BYTES = 12
# Receipts are 29 characters when generated; loaded ones may be up to 64 (Ballot.receipt's max_length).
RECEIPT_MAX = 64
# Padded payloads are whole multiples of this many bytes.
PAD_BLOCK = 64
_LENGTH = struct.Struct(">I")
_WRAP_VERSION = 1


class BoxError(Exception):
    """A sealed ballot or wrapped key that does not open: wrong key, or damaged data. The message says which."""


@dataclass(frozen=True)
class KeyPair:
    public_key: bytes
    private_key: bytes


@dataclass(frozen=True)
class OpenedBallot:
    ranks: dict
    receipt: str


def keypair_generate():
    """A fresh X25519 key pair for one election's box."""
    private = PrivateKey.generate()
    return KeyPair(public_key=bytes(private.public_key), private_key=bytes(private))


def public_key_of(private_key):
    """The public key that belongs to ``private_key`` (to check that a supplied key is the box's own)."""
    return bytes(PrivateKey(bytes(private_key)).public_key)


# --- fixed-size payloads -------------------------------------------------------------------------------


def _encode(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def padded_size(candidate_ids, *, extra=None):
    """The padded size of a payload of ranks over ``candidate_ids`` (whatever the ranks), receipt and ``extra``.

    Worst case of every field: each rank as wide as the widest possible value ("null", or the largest rank),
    the longest receipt, then rounded up to a whole block. It depends on the candidates only.
    """
    ids = sorted(candidate_ids)
    widest = "x" * max(4, len(str(len(ids))))
    worst = {"ranks": {c: widest for c in ids}, "receipt": "x" * RECEIPT_MAX, **(extra or {})}
    # Quoting the stand-in ranks overestimates each by two characters: harmless.
    length = _LENGTH.size + len(_encode(worst))
    return -(-length // PAD_BLOCK) * PAD_BLOCK


def payload_pad(document, size):
    """``document`` as JSON, length-prefixed and padded with zeros to exactly ``size`` bytes."""
    data = _encode(document)
    if _LENGTH.size + len(data) > size:
        raise ValueError(f"payload of {len(data)} bytes does not fit in {size}")
    return _LENGTH.pack(len(data)) + data + bytes(size - _LENGTH.size - len(data))


def payload_unpad(padded):
    (length,) = _LENGTH.unpack_from(padded)
    if _LENGTH.size + length > len(padded):
        raise ValueError("padded payload is shorter than its length prefix says")
    return json.loads(padded[_LENGTH.size : _LENGTH.size + length])


def _receipt_checked(receipt):
    if len(receipt) > RECEIPT_MAX or not receipt.isascii():
        raise ValueError(f"a receipt is at most {RECEIPT_MAX} ASCII characters")
    return receipt


# --- sealing and opening ballots -----------------------------------------------------------------------


def ballot_seal(public_key, *, ranks, receipt):
    """Seal ``ranks`` (candidate_id -> rank or None) and ``receipt`` to ``public_key``; returns the ciphertext.

    Its length depends only on the candidate IDs in ``ranks``.
    """
    document = {"ranks": ranks, "receipt": _receipt_checked(receipt)}
    padded = payload_pad(document, padded_size(ranks))
    return SealedBox(PublicKey(bytes(public_key))).encrypt(padded)


def ballot_open(private_key, sealed):
    """The ``OpenedBallot`` inside ``sealed``; raises BoxError when ``private_key`` does not open it."""
    try:
        padded = SealedBox(PrivateKey(bytes(private_key))).decrypt(bytes(sealed))
    except CryptoError as exc:
        raise BoxError("a sealed ballot does not open with this key (wrong key, or damaged data)") from exc
    try:
        document = payload_unpad(padded)
        return OpenedBallot(ranks=document["ranks"], receipt=document["receipt"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BoxError("a sealed ballot opened but its content is malformed") from exc


def ballots_open(private_key, sealed_ballots):
    """Open many sealed ballots with one key (``ballot_open`` for each, without rebuilding the key)."""
    box = SealedBox(PrivateKey(bytes(private_key)))
    opened = []
    for sealed in sealed_ballots:
        try:
            document = payload_unpad(box.decrypt(bytes(sealed)))
            opened.append(OpenedBallot(ranks=document["ranks"], receipt=document["receipt"]))
        except CryptoError as exc:
            raise BoxError("a sealed ballot does not open with this key (wrong key, or damaged data)") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise BoxError("a sealed ballot opened but its content is malformed") from exc
    return opened


# --- wrapping the private key under a key from the environment -----------------------------------------


def wrapping_key_parse(text):
    """The 32 bytes of a wrapping key written as URL-safe base64 (``wrapping_key_generate``); ValueError if not."""
    text = (text or "").strip()
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not URL-safe base64") from exc
    if len(key) != WRAPPING_KEY_BYTES:
        raise ValueError(f"decodes to {len(key)} bytes; a ballot box key is {WRAPPING_KEY_BYTES} bytes")
    return key


def wrapping_key_generate():
    """A new wrapping key, as text for the environment."""
    return base64.urlsafe_b64encode(secrets.token_bytes(WRAPPING_KEY_BYTES)).decode("ascii")


def wrapping_key_id(key):
    """A short public fingerprint of a wrapping key (it reveals nothing about the key)."""
    return hashlib.sha256(b"elekto-ballot-box-key-id\x00" + bytes(key)).hexdigest()[:12]


def _wrap_associated_data(key_id, public_key):
    return b"elekto-ballot-box-private-key\x00" + key_id.encode("ascii") + b"\x00" + bytes(public_key)


def private_key_wrap(private_key, *, wrapping_key, public_key):
    """``private_key`` encrypted under ``wrapping_key``, bound to its box's ``public_key``.

    Format: version byte, key id length and key id (ASCII), nonce, AES-GCM ciphertext.
    """
    if public_key_of(private_key) != bytes(public_key):
        raise ValueError("the private key does not belong to this public key")
    key_id = wrapping_key_id(wrapping_key).encode("ascii")
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(bytes(wrapping_key)).encrypt(
        nonce, bytes(private_key), _wrap_associated_data(key_id.decode(), public_key)
    )
    return bytes([_WRAP_VERSION, len(key_id)]) + key_id + nonce + ciphertext


def wrapped_key_id(wrapped):
    """The fingerprint of the wrapping key that ``wrapped`` needs."""
    wrapped = bytes(wrapped)
    if len(wrapped) < 2 or wrapped[0] != _WRAP_VERSION:
        raise BoxError("the stored private key is in an unknown format")
    return wrapped[2 : 2 + wrapped[1]].decode("ascii")


def private_key_unwrap(wrapped, *, wrapping_keys, public_key):
    """The private key inside ``wrapped``, using whichever of ``wrapping_keys`` (a list of keys) wrapped it.

    Raises BoxError naming the missing key's fingerprint when none of them did.
    """
    wrapped = bytes(wrapped)
    key_id = wrapped_key_id(wrapped)
    by_id = {wrapping_key_id(k): bytes(k) for k in wrapping_keys}
    key = by_id.get(key_id)
    if key is None:
        raise BoxError(f"the private key is wrapped under ballot box key {key_id}, which is not configured")
    start = 2 + wrapped[1]
    nonce, ciphertext = wrapped[start : start + NONCE_BYTES], wrapped[start + NONCE_BYTES :]
    try:
        private_key = AESGCM(key).decrypt(nonce, ciphertext, _wrap_associated_data(key_id, public_key))
    except InvalidTag as exc:
        raise BoxError(f"the stored private key does not open with ballot box key {key_id} (damaged, or "
                       "moved from another box)") from exc
    return private_key
