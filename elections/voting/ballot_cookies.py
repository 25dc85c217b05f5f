"""What the browser carries between the steps of voting, so that the server keeps nothing about a ballot.

The review of a ranking and the receipt of a cast are pages of their own, reached by a 303 redirect from the
form that posted them (Post/Redirect/Get), so that the browser's Back and Reload never post a form again. What
those pages show travels in a short-lived cookie that the browser holds and sends back only to the election's
vote pages: the ranks under review and the passphrase suggested with them, then the receipt and the ranks just
cast. The ranks just cast are shown once: the receipt page that shows them replaces its cookie with one that
holds the receipt alone, so Reload, Back or another tab show the receipt without the ballot. Signing out
clears every cookie of the site (accounts.views).

Each cookie is AES-GCM ciphertext under a key derived from SECRET_KEY with HKDF, one key per kind of cookie.
Its associated data binds it to the voter, the election (primary keys) and the time it was issued, which the
cookie carries in clear: it opens for nobody else, for no other election, and not after its lifetime. The ranks
are a list of numbers in the order of the candidate IDs (0 for "No opinion"), with a digest of those IDs, so a
ballot of 100 candidates fits in a few hundred bytes and a change of candidates is noticed. Every field has a
fixed width, so the cookie's length depends on the number of candidates only, never on the ranks.

Nothing here is written to the database, the session, the cache or a log.
"""

import base64
import binascii
import hashlib
import json
import os
import struct
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from elections.ballot_box.crypto import RECEIPT_MAX
from elections.voting import secrecy

REVIEW = "ballot_review"
RECEIPT = "ballot_receipt"
# Seconds a cookie opens after it was issued.
MAX_AGE = {REVIEW: 30 * 60, RECEIPT: 10 * 60}
# A clock running a little ahead on another replica must not refuse a cookie just issued.
_CLOCK_SKEW = 60

_VERSION = 1
_NONCE_BYTES = 12
_DIGEST_BYTES = 8
# Version, issue time (seconds since the epoch).
_HEADER = struct.Struct(">BQ")
_SUGGESTION_BYTES = secrecy.PASSPHRASE_GROUPS * (secrecy.PASSPHRASE_GROUP_LENGTH + 1) - 1
_NO_OPINION = 0


class Unreadable(Exception):
    """The cookie is missing, expired, altered, or issued to another voter or for another election."""


class CandidatesChanged(Exception):
    """The cookie is sound, but the election's standing candidates are no longer those that were ranked."""


@dataclass(frozen=True)
class Review:
    ranks: dict
    suggestion: str


@dataclass(frozen=True)
class Receipt:
    receipt: str
    changing: bool
    # None once the ranking was shown, or when the candidates changed since the cast: the receipt is still shown,
    # without the ranking.
    ranks: dict | None
    # When the cast was: a receipt cookie written again keeps it, and so its end.
    issued_at: int


def _key(kind):
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"elekto {kind} cookie".encode())
    return hkdf.derive(settings.SECRET_KEY.encode())


def _associated_data(kind, header, *, voter, election):
    return b"\x00".join([kind.encode(), header, str(voter.pk).encode(), str(election.pk).encode()])


def _digest(candidate_ids):
    return hashlib.sha256(json.dumps(sorted(candidate_ids)).encode()).digest()[:_DIGEST_BYTES]


def _ranks_pack(ranks):
    """``ranks`` (candidate_id -> rank or None): the digest of its IDs, then the ranks in the order of the IDs."""
    ids = sorted(ranks)
    values = [_NO_OPINION if ranks[c] is None else ranks[c] for c in ids]
    return _digest(ids) + struct.pack(f">{len(ids)}H", *values)


def _ranks_unpack(data, candidate_ids):
    ids = sorted(candidate_ids)
    if data[:_DIGEST_BYTES] != _digest(ids) or len(data) != _DIGEST_BYTES + 2 * len(ids):
        raise CandidatesChanged
    values = struct.unpack(f">{len(ids)}H", data[_DIGEST_BYTES:])
    return {c: None if value == _NO_OPINION else value for c, value in zip(ids, values, strict=True)}


def _fixed(text, size):
    data = text.encode("ascii")
    if len(data) > size:
        raise ValueError(f"{len(data)} bytes do not fit in {size}")
    return data.ljust(size, b"\x00")


@sensitive_variables()
def _seal(kind, plaintext, *, voter, election, issued_at):
    header = _HEADER.pack(_VERSION, int(issued_at))
    nonce = os.urandom(_NONCE_BYTES)
    aad = _associated_data(kind, header, voter=voter, election=election)
    sealed = header + nonce + AESGCM(_key(kind)).encrypt(nonce, plaintext, aad)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


@sensitive_variables()
def _open(kind, value, *, voter, election):
    if not value:
        raise Unreadable
    try:
        sealed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        version, issued_at = _HEADER.unpack_from(sealed)
    except (ValueError, binascii.Error, struct.error):
        raise Unreadable from None
    age = time.time() - issued_at
    if version != _VERSION or not -_CLOCK_SKEW <= age <= MAX_AGE[kind]:
        raise Unreadable
    header = sealed[: _HEADER.size]
    nonce = sealed[_HEADER.size : _HEADER.size + _NONCE_BYTES]
    aad = _associated_data(kind, header, voter=voter, election=election)
    try:
        return issued_at, AESGCM(_key(kind)).decrypt(nonce, sealed[_HEADER.size + _NONCE_BYTES :], aad)
    except (InvalidTag, ValueError):
        raise Unreadable from None


@sensitive_variables()
def review_seal(*, voter, election, ranks, suggestion, issued_at=None):
    """The review cookie's value: ``ranks`` (candidate_id -> rank or None, as ``ranks_validate`` returns them)
    and the generated passphrase ``suggestion`` ("" for none), for ``voter`` in ``election``."""
    plaintext = _fixed(suggestion, _SUGGESTION_BYTES) + _ranks_pack(ranks)
    return _seal(REVIEW, plaintext, voter=voter, election=election,
                 issued_at=time.time() if issued_at is None else issued_at)


@sensitive_variables()
def review_open(value, *, voter, election, candidate_ids):
    """The ``Review`` a cookie holds; raises ``Unreadable``, or ``CandidatesChanged`` when the ranks were for
    candidates other than ``candidate_ids``. The ranks still need ``services.ranks_validate``."""
    _, plaintext = _open(REVIEW, value, voter=voter, election=election)
    suggestion = plaintext[:_SUGGESTION_BYTES].rstrip(b"\x00").decode("ascii", errors="replace")
    ranks = _ranks_unpack(plaintext[_SUGGESTION_BYTES:], candidate_ids)
    return Review(ranks=ranks, suggestion=suggestion if secrecy.is_generated_passphrase(suggestion) else "")


@sensitive_variables()
def receipt_seal(*, voter, election, receipt, ranks, changing, issued_at=None):
    """The receipt cookie's value: the ``receipt`` of the ballot just cast (``changing``: it replaced one) and
    its ``ranks``, or None once they were shown."""
    plaintext = bytes([changing]) + _fixed(receipt, RECEIPT_MAX) + (b"" if ranks is None else _ranks_pack(ranks))
    return _seal(RECEIPT, plaintext, voter=voter, election=election,
                 issued_at=time.time() if issued_at is None else issued_at)


@sensitive_variables()
def receipt_open(value, *, voter, election, candidate_ids):
    """The ``Receipt`` a cookie holds; raises ``Unreadable``."""
    issued_at, plaintext = _open(RECEIPT, value, voter=voter, election=election)
    receipt = plaintext[1 : 1 + RECEIPT_MAX].rstrip(b"\x00").decode("ascii", errors="replace")
    packed = plaintext[1 + RECEIPT_MAX :]
    try:
        ranks = _ranks_unpack(packed, candidate_ids) if packed else None
    except CandidatesChanged:
        ranks = None
    return Receipt(receipt=receipt, changing=bool(plaintext[0]), ranks=ranks, issued_at=issued_at)


def cookie_path(election):
    """The election's vote pages (the ballot, its review and its receipt), and no other page.

    A ";" (which a folder name, and so a key, may hold) would end the cookie's Path attribute, and the browser
    asks for such a page with the ";" as it is: for such a key the cookie goes to the folder above, so that it
    still reaches the vote pages. It names its election inside, so it opens for that election only."""
    path = reverse("elections:vote", args=[election.key])
    if ";" in path:
        path = path[: path.rindex("/", 0, path.index(";")) + 1]
    return path


def cookie_set(response, request, kind, value, *, election):
    """Set cookie ``kind`` on ``response``: sent back only to the election's vote pages, never to a script,
    over HTTPS whenever the session cookie is."""
    response.set_cookie(
        kind,
        value,
        max_age=MAX_AGE[kind],
        path=cookie_path(election),
        domain=settings.SESSION_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


def cookie_delete(response, kind, *, election):
    response.delete_cookie(kind, path=cookie_path(election), domain=settings.SESSION_COOKIE_DOMAIN,
                           samesite=settings.SESSION_COOKIE_SAMESITE)

