"""The cryptography of the secret ballot: passphrases, receipts, and the sealed voter-to-ballot link.

A ``VoteRecord`` stores what the voter needs to view, change or revoke their ballot while the election runs
(the sealed ballot's id, the ranks and the receipt) only as AES-GCM ciphertext ("the sealed link"), padded
to a size that depends on the candidates only. Its 256-bit key is derived with Argon2id from
HMAC-SHA256(pepper, passphrase) and a random 16-byte salt: the pepper is a server-side secret from the
environment (PASSPHRASE_PEPPER), so a copy of the database alone gives nothing to guess passphrases against.
The associated data binds the ciphertext to the election's primary key (which survives a rename of the
election's key) and to the voter, so a sealed link copied onto another voter's record does not open. The
Argon2id cost and the pepper's fingerprint are stored in the header, so raising the cost or rotating the
pepper later does not lock out ballots already cast.

Version 1 links (before the ballot box) hold only the ballot id and receipt, with no pepper, and are bound to
the election's key; they still open.
"""

import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
import struct
import unicodedata
from dataclasses import dataclass

import nacl.bindings
import zxcvbn
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from elections.ballot_box.crypto import padded_size, payload_pad, payload_unpad

SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
LINK_VERSION = 2
# Version 1: version, Argon2 time cost, memory (KiB), parallelism.
_HEADER_V1 = struct.Struct(">BIIB")
# Version 2: the same, then the pepper's 4-byte fingerprint.
_HEADER = struct.Struct(">BIIB4s")
# A ballot id as the link holds it (a UUID's 36 characters).
_BALLOT_ID_STAND_IN = "x" * 36

# Lower-case letters and digits without the look-alikes i, l, o, 0 and 1: 31 symbols, about 4.95 bits each.
PASSPHRASE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSPHRASE_GROUPS = 5
PASSPHRASE_GROUP_LENGTH = 4


@dataclass(frozen=True)
class BallotLink:
    """What a sealed link holds: the sealed ballot's id, its receipt and (from version 2) its ranks."""

    ballot_id: str
    receipt: str
    ranks: dict | None = None
    version: int = LINK_VERSION


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


def pepper_id(pepper):
    """A 4-byte public fingerprint of a pepper, stored in the link's header to find the pepper again."""
    return hashlib.sha256(b"elekto-passphrase-pepper-id\x00" + pepper.encode("utf-8")).digest()[:4]


class PepperMissing(ImproperlyConfigured):
    """A link sealed under a pepper that is neither ``PASSPHRASE_PEPPER`` nor among ``PASSPHRASE_OLD_PEPPERS``."""


def _current_pepper():
    if not settings.PASSPHRASE_PEPPER:
        raise ImproperlyConfigured("PASSPHRASE_PEPPER is not set: no passphrase can seal a ballot link.")
    return settings.PASSPHRASE_PEPPER


def _pepper_by_id(wanted):
    for pepper in [settings.PASSPHRASE_PEPPER, *settings.PASSPHRASE_OLD_PEPPERS]:
        if pepper and pepper_id(pepper) == wanted:
            return pepper
    return None


def key_derive(passphrase, salt, *, time_cost, memory_kib, parallelism, pepper=None):
    """The 256-bit key for a passphrase and salt, with Argon2id at the given cost.

    With a ``pepper``, Argon2id's input is HMAC-SHA256(pepper, passphrase) rather than the passphrase itself.
    """
    # The same passphrase typed on another device may arrive in another Unicode normal form.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    if pepper is not None:
        secret = hmac.new(pepper.encode("utf-8"), secret, hashlib.sha256).digest()
    if _libsodium_can_derive(secret, salt, time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism):
        # libsodium's Argon2id (one lane) picks the CPU's vector instructions at run time: the same key as the
        # reference implementation below, in about half the time.
        return nacl.bindings.crypto_pwhash_alg(KEY_BYTES, secret, salt, time_cost, memory_kib * 1024,
                                               nacl.bindings.crypto_pwhash_ALG_ARGON2ID13)
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _libsodium_can_derive(secret, salt, *, time_cost, memory_kib, parallelism):
    """Whether libsodium's Argon2id takes these inputs: one lane only, and its fixed salt length and limits."""
    return (
        parallelism == 1
        and len(salt) == nacl.bindings.crypto_pwhash_SALTBYTES
        and len(secret) <= nacl.bindings.crypto_pwhash_PASSWD_MAX
        and nacl.bindings.crypto_pwhash_argon2id_OPSLIMIT_MIN <= time_cost
        <= nacl.bindings.crypto_pwhash_argon2id_OPSLIMIT_MAX
        and nacl.bindings.crypto_pwhash_argon2id_MEMLIMIT_MIN <= memory_kib * 1024
        <= nacl.bindings.crypto_pwhash_argon2id_MEMLIMIT_MAX
    )


def _associated_data_v1(header, election_key, login):
    return b"elekto-ballot-link\x00" + header + election_key.encode() + b"\x00" + login.lower().encode()


def _associated_data(header, election_id, login):
    return (b"elekto-ballot-link-v2\x00" + header + str(int(election_id)).encode() + b"\x00"
            + login.lower().encode())


def link_size(candidate_ids):
    """The padded plaintext size of a link whose ballot lists ``candidate_ids`` (whatever the ranks)."""
    return padded_size(candidate_ids, extra={"ballot": _BALLOT_ID_STAND_IN})


def link_seal(link, *, passphrase, salt, election_id, login):
    """Encrypt ``link`` (with its ranks) for one voter of one election; returns the bytes for ``sealed_link``."""
    time_cost, memory_kib, parallelism = _argon2_cost()
    pepper = _current_pepper()
    header = _HEADER.pack(LINK_VERSION, time_cost, memory_kib, parallelism, pepper_id(pepper))
    key = key_derive(passphrase, salt, time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism,
                     pepper=pepper)
    nonce = secrets.token_bytes(NONCE_BYTES)
    document = {"ballot": link.ballot_id, "receipt": link.receipt, "ranks": link.ranks}
    plaintext = payload_pad(document, link_size(link.ranks))
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _associated_data(header, election_id, login))
    return header + nonce + ciphertext


def link_version(sealed):
    """The version of a sealed link (1 or 2), or None for something that is not a link."""
    sealed = bytes(sealed or b"")
    return sealed[0] if sealed and sealed[0] in (1, LINK_VERSION) else None


def link_open(sealed, *, passphrase, salt, election_id, election_key, login, former_election_keys=(),
              former_logins=()):
    """The ``BallotLink`` inside ``sealed``, or None when the passphrase (or voter, or election) is wrong.

    ``election_key`` and ``former_election_keys`` are read only by version 1 links, which were bound to the
    election's key: a link sealed before the election's folder was renamed is bound to a former key. A link
    sealed before the voter renamed their GitHub account is bound to a login in ``former_logins``. Those are
    tried with the same derived key (one Argon2id derivation whatever their number).
    """
    sealed = bytes(sealed)
    version = link_version(sealed)
    logins = (login, *former_logins)
    if version == 1:
        return _link_open_v1(sealed, passphrase=passphrase, salt=salt, logins=logins,
                             election_keys=(election_key, *former_election_keys))
    if version != LINK_VERSION or len(sealed) <= _HEADER.size + NONCE_BYTES:
        return None
    header = sealed[: _HEADER.size]
    _, time_cost, memory_kib, parallelism, pepper_fingerprint = _HEADER.unpack(header)
    pepper = _pepper_by_id(pepper_fingerprint)
    if pepper is None:
        raise PepperMissing(
            f"A ballot link was sealed under a passphrase pepper ({pepper_fingerprint.hex()}) that is neither "
            "PASSPHRASE_PEPPER nor in PASSPHRASE_OLD_PEPPERS.")
    nonce = sealed[_HEADER.size : _HEADER.size + NONCE_BYTES]
    ciphertext = sealed[_HEADER.size + NONCE_BYTES :]
    key = key_derive(passphrase, bytes(salt), time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism,
                     pepper=pepper)
    for candidate_login in logins:
        try:
            plaintext = AESGCM(key).decrypt(nonce, ciphertext, _associated_data(header, election_id, candidate_login))
        except InvalidTag:
            continue
        break
    else:
        return None
    data = payload_unpad(plaintext)
    return BallotLink(ballot_id=data["ballot"], receipt=data["receipt"], ranks=data["ranks"], version=LINK_VERSION)


def _link_open_v1(sealed, *, passphrase, salt, election_keys, logins):
    if len(sealed) <= _HEADER_V1.size + NONCE_BYTES:
        return None
    header = sealed[: _HEADER_V1.size]
    _, time_cost, memory_kib, parallelism = _HEADER_V1.unpack(header)
    nonce = sealed[_HEADER_V1.size : _HEADER_V1.size + NONCE_BYTES]
    ciphertext = sealed[_HEADER_V1.size + NONCE_BYTES :]
    key = key_derive(passphrase, bytes(salt), time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
    for candidate_key, candidate_login in itertools.product(election_keys, logins):
        try:
            plaintext = AESGCM(key).decrypt(nonce, ciphertext,
                                            _associated_data_v1(header, candidate_key, candidate_login))
        except InvalidTag:
            continue
        break
    else:
        return None
    data = json.loads(plaintext)
    return BallotLink(ballot_id=data["ballot"], receipt=data["receipt"], ranks=None, version=1)


# --- chosen passphrases that are too easy to guess ------------------------------------------------------

# Very common passwords and words a voter of this site might reach for; matched after lower-casing and
# undoing common letter-for-digit swaps, anywhere in the passphrase.
COMMON_WORDS = (
    "password", "passwort", "passphrase", "letmein", "welcome", "iloveyou", "admin", "qwerty", "azerty",
    "monkey", "dragon", "football", "baseball", "soccer", "sunshine", "princess", "master", "shadow",
    "superman", "batman", "trustno", "whatever", "starwars", "secret", "changeme", "login", "hello",
    "freedom", "abc", "test", "default", "guest", "root", "user", "github", "elekto", "election", "vote",
    "voting", "ballot", "kubernetes", "linux", "computer", "internet", "mypass", "pass", "love", "money",
)
# Keyboard rows (QWERTY, QWERTZ, AZERTY), digits and the alphabet: a run of three or more along one of them,
# either way, is a walk or a sequence.
WALKS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "yxcvbnm", "azertyuiop",
         "qsdfghjklm", "wxcvbn", "abcdefghijklmnopqrstuvwxyz", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# What must remain once the guessable parts are taken out.
MIN_UNGUESSABLE = 6


def _walk_pairs():
    """Each pair of neighbouring characters on a walk -> the walks (by number, either way) it lies on."""
    pairs = {}
    for number, walk in enumerate(WALKS + tuple(w[::-1] for w in WALKS)):
        for first, second in itertools.pairwise(walk):
            pairs.setdefault(first + second, set()).add(number)
    return {pair: frozenset(walks) for pair, walks in pairs.items()}


_WALK_PAIRS = _walk_pairs()


def _remove_walks(text):
    """``text`` without every run of three or more characters that follow a keyboard row or a sequence."""
    keep = [True] * len(text)
    i = 0
    while i < len(text) - 2:
        # Follow the walks on which text[i:i + 2] lies for as long as one of them goes on: text[i:j + 1] is
        # the longest run along a single walk.
        j, walks = i, _WALK_PAIRS.get(text[i : i + 2], frozenset())
        while walks:
            j += 1
            walks = walks & _WALK_PAIRS.get(text[j : j + 2], frozenset()) if j + 1 < len(text) else frozenset()
        end = j + 1
        if end - i >= 3:
            keep[i:end] = [False] * (end - i)
            i = end
        else:
            i += 1
    return "".join(c for c, k in zip(text, keep, strict=True) if k)


# Passphrases famous enough to be in every guessing list whatever their length (xkcd's, pangrams, film lines);
# matched on their letters alone, after lower-casing and undoing letter-for-digit swaps, so that
# "correct-horse-battery-staple-42" is the same as "correcthorsebatterystaple".
FAMOUS_PASSPHRASES = (
    "correct horse battery staple", "Tr0ub4dor&3", "the quick brown fox jumps over the lazy dog",
    "to be or not to be", "to be or not to be that is the question", "may the force be with you",
    "open sesame", "all your base are belong to us", "one ring to rule them all", "never gonna give you up",
    "never gonna let you down", "hello world", "lorem ipsum dolor sit amet", "winter is coming",
    "i am your father", "there is no spoon", "houston we have a problem", "we are the champions",
    "let it be", "i love you", "the answer to life the universe and everything", "in god we trust",
    "carpe diem", "veni vidi vici", "e pluribus unum", "jackdaws love my big sphinx of quartz",
    "pack my box with five dozen liquor jugs", "all work and no play makes jack a dull boy",
)
# zxcvbn's estimate of the guesses a cracker needs, below which a chosen passphrase is refused. Its score alone
# (4 from 10^10) passes "correcthorsebatterystaple" (about 2.7 * 10^14).
MIN_GUESSES = 10**15
# zxcvbn refuses longer input (and its cost grows with the length); the first 72 characters decide.
ESTIMATED_LENGTH = 72


def _letters(text):
    """The letters of ``text``, lower-cased, with digits and symbols around it dropped and swaps inside undone."""
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", unicodedata.normalize("NFKC", text))
    return "".join(c for c in core.casefold().translate(_LEET) if c.isalpha())


_FAMOUS = frozenset(_letters(phrase) for phrase in FAMOUS_PASSPHRASES)


def passphrase_user_inputs(*, election_name, election_key, login, site_name):
    """What zxcvbn should guess first for one voter: the election's name and key, the voter's login, the site's
    name, whole and word by word."""
    inputs = []
    for text in (election_name, election_key, login, site_name):
        text = str(text or "").casefold()
        inputs.append(text)
        inputs.extend(word for word in re.split(r"[\W_]+", text) if word)
    return list(dict.fromkeys(word for word in inputs if word))


def passphrase_weakness(passphrase, *, user_inputs=()):
    """Why a chosen passphrase is too easy to guess, or None. Generated passphrases always pass.

    Refused: one or two repeated characters or a repeated pattern; common passwords, keyboard rows and
    sequences; a famous passphrase (``FAMOUS_PASSPHRASES``); and anything zxcvbn estimates below
    ``MIN_GUESSES`` guesses, given ``user_inputs`` (``passphrase_user_inputs``) as words a cracker tries first.
    """
    folded = unicodedata.normalize("NFKC", passphrase).casefold()
    text = re.sub(r"[\W_]+", "", folded)
    if len(set(text)) <= 2:
        return gettext("it repeats one or two characters")
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text == text[:size] * (len(text) // size):
            return gettext("it repeats a short pattern")
    # Read as typed, and with letter-for-digit swaps undone ("p@ssw0rd").
    for variant in (text, re.sub(r"[\W_]+", "", folded.translate(_LEET))):
        rest = _remove_walks(variant)
        for word in sorted(COMMON_WORDS, key=len, reverse=True):
            rest = rest.replace(word, "")
        if len(_remove_walks(rest)) < MIN_UNGUESSABLE:
            return gettext("it is made of common passwords, keyboard rows or sequences")
    if _letters(passphrase) in _FAMOUS:
        return gettext("it is a famous passphrase, among the first that password crackers try")
    if is_generated_passphrase(passphrase):
        # About 99 random bits by construction; the estimate would cost a few milliseconds of the cast to agree.
        return None
    estimate = zxcvbn.zxcvbn(passphrase[:ESTIMATED_LENGTH], user_inputs=list(user_inputs))
    if estimate["guesses"] < MIN_GUESSES:
        return gettext("it is made of words, names, dates or patterns that password crackers try first")
    return None
