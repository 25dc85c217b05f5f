"""The cryptography of the secret ballot: passphrases, receipts, and the sealed voter-to-ballot link.

A ``VoteRecord`` stores the id and receipt of its ballot only as AES-GCM ciphertext ("the sealed link"),
under a 256-bit key derived from the voter's passphrase with Argon2id and a random 16-byte salt. The
associated data binds the ciphertext to the election and the voter, so a sealed link copied onto another
voter's record does not open. The Argon2id cost is read from settings when sealing and stored in the
sealed link's header, so raising the cost later does not lock out ballots already cast.
"""

import base64
import json
import secrets
import struct
import unicodedata
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
LINK_VERSION = 1
# version, Argon2 time cost, memory (KiB), parallelism.
_HEADER = struct.Struct(">BIIB")

# Lower-case letters and digits without the look-alikes i, l, o, 0 and 1: 31 symbols, about 4.95 bits each.
PASSPHRASE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSPHRASE_GROUPS = 5
PASSPHRASE_GROUP_LENGTH = 4


@dataclass(frozen=True)
class BallotLink:
    ballot_id: str
    receipt: str


def passphrase_generate():
    """A random passphrase of 20 symbols in groups of four (about 99 bits), easy to read out and type."""
    groups = (
        "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(PASSPHRASE_GROUP_LENGTH))
        for _ in range(PASSPHRASE_GROUPS)
    )
    return "-".join(groups)


def is_generated_passphrase(text):
    """Whether ``text`` has the form of a passphrase from ``passphrase_generate`` (safe to show back)."""
    groups = text.split("-")
    return len(groups) == PASSPHRASE_GROUPS and all(
        len(group) == PASSPHRASE_GROUP_LENGTH and all(symbol in PASSPHRASE_ALPHABET for symbol in group)
        for group in groups
    )


def receipt_generate():
    """A random receipt code (120 bits, base32 in groups of four): it says nothing about the ballot."""
    code = base64.b32encode(secrets.token_bytes(15)).decode("ascii")
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def salt_generate():
    return secrets.token_bytes(SALT_BYTES)


def _argon2_cost():
    return settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM


def key_derive(passphrase, salt, *, time_cost, memory_kib, parallelism):
    """The 256-bit key for a passphrase and salt, with Argon2id at the given cost."""
    # The same passphrase typed on another device may arrive in another Unicode normal form.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _associated_data(header, election_key, login):
    return b"elekto-ballot-link\x00" + header + election_key.encode() + b"\x00" + login.lower().encode()


def link_seal(link, *, passphrase, salt, election_key, login):
    """Encrypt ``link`` for one voter of one election; returns the bytes to store in ``sealed_link``."""
    time_cost, memory_kib, parallelism = _argon2_cost()
    header = _HEADER.pack(LINK_VERSION, time_cost, memory_kib, parallelism)
    key = key_derive(passphrase, salt, time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
    nonce = secrets.token_bytes(NONCE_BYTES)
    plaintext = json.dumps({"ballot": link.ballot_id, "receipt": link.receipt}).encode()
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _associated_data(header, election_key, login))
    return header + nonce + ciphertext


def link_open(sealed, *, passphrase, salt, election_key, login, former_election_keys=()):
    """The ``BallotLink`` inside ``sealed``, or None when the passphrase (or voter, or election) is wrong.

    A link sealed before the election's folder was renamed is bound to a key in ``former_election_keys``;
    those are tried with the same derived key (one Argon2id derivation whatever their number).
    """
    sealed = bytes(sealed)
    if len(sealed) <= _HEADER.size + NONCE_BYTES:
        return None
    header = sealed[: _HEADER.size]
    version, time_cost, memory_kib, parallelism = _HEADER.unpack(header)
    if version != LINK_VERSION:
        return None
    nonce = sealed[_HEADER.size : _HEADER.size + NONCE_BYTES]
    ciphertext = sealed[_HEADER.size + NONCE_BYTES :]
    key = key_derive(passphrase, bytes(salt), time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
    for candidate_key in (election_key, *former_election_keys):
        try:
            plaintext = AESGCM(key).decrypt(nonce, ciphertext, _associated_data(header, candidate_key, login))
        except InvalidTag:
            continue
        break
    else:
        return None
    data = json.loads(plaintext)
    return BallotLink(ballot_id=data["ballot"], receipt=data["receipt"])
