"""Officers' own public keys, and encrypting a key share to them with age. No Django here.

In threshold mode (``ballot_box: {officers_to_open: K, officer_keys: {login: KEY or [KEY, ...]}}`` in
election.yaml) each officer's share of the ballot box key is encrypted, the moment it is dealt, to every usable
key that officer lists, in the age format (https://age-encryption.org, through pyrage): the officer decrypts it
with the standard ``age`` tool and their own key, ``age -d -i ~/.ssh/id_ed25519 FILE.age``. The server never
holds anything that opens it.

Usable keys are age X25519 recipients (``age1...``, from ``age-keygen``) and the SSH keys age can encrypt to
(``ssh-ed25519``, ``ssh-rsa``), written as GitHub publishes them at ``github.com/LOGIN.keys``. Other SSH key
types (``sk-`` hardware keys, ECDSA, DSA) are known but unusable: ``key_read`` says so, and the parser skips
them with a warning naming the officer. Anything else is invalid.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass

import pyrage

AGE = "age"
SSH = "ssh"
# SSH key types age can encrypt to.
SSH_USABLE = ("ssh-ed25519", "ssh-rsa")
# SSH key types that exist but age cannot use: skipped with a warning rather than refused.
SSH_UNUSABLE_PREFIXES = ("sk-", "ecdsa-", "ssh-dss", "ssh-ed448")


class KeyUnusable(ValueError):
    """A well-known key type that age cannot encrypt to (say, an ``sk-`` hardware key): skip it."""


class KeyInvalid(ValueError):
    """Text that is not a public key age or OpenSSH would read."""


@dataclass(frozen=True)
class OfficerKey:
    """One pinned public key: ``text`` as age reads it (an SSH key without its comment), ``kind`` (age or ssh),
    ``fingerprint`` as officers know it (``SHA256:...`` for SSH as ``ssh-keygen -l`` prints it; the recipient
    itself for age)."""

    text: str
    kind: str
    fingerprint: str

    def to_dict(self):
        return {"key": self.text, "kind": self.kind, "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, data):
        return cls(text=data["key"], kind=data["kind"], fingerprint=data["fingerprint"])


def ssh_fingerprint(blob):
    """OpenSSH's SHA256 fingerprint of a key's binary blob (what ``ssh-keygen -l`` and GitHub show)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def key_read(text):
    """The ``OfficerKey`` in ``text``; raises ``KeyUnusable`` or ``KeyInvalid`` with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise KeyInvalid("it is empty")
    words = text.split()
    kind = words[0]
    if kind.lower().startswith("age1"):
        if len(words) != 1:
            raise KeyInvalid("an age recipient is one word, age1 followed by 58 letters and digits")
        try:
            pyrage.x25519.Recipient.from_str(kind)
        except pyrage.RecipientError as exc:
            raise KeyInvalid(f"not an age recipient ({exc})") from None
        return OfficerKey(text=kind, kind=AGE, fingerprint=kind)
    if kind.startswith(SSH_UNUSABLE_PREFIXES):
        raise KeyUnusable(f"{kind} keys cannot be used by age; list an ssh-ed25519, ssh-rsa or age1 key too")
    if kind not in SSH_USABLE:
        raise KeyInvalid(f"{_short(kind)!r} is not a key type age knows: write an age recipient (age1...) "
                         "or an SSH public key (ssh-ed25519 AAAA... or ssh-rsa AAAA...)")
    if len(words) < 2:
        raise KeyInvalid(f"no key follows {kind}")
    try:
        blob = base64.b64decode(words[1], validate=True)
    except (binascii.Error, ValueError):
        raise KeyInvalid(f"the {kind} key is not base64") from None
    canonical = f"{kind} {words[1]}"
    try:
        pyrage.ssh.Recipient.from_str(canonical)
    except pyrage.RecipientError:
        raise KeyInvalid(f"not an {kind} public key (damaged or truncated)") from None
    return OfficerKey(text=canonical, kind=SSH, fingerprint=ssh_fingerprint(blob))


def _short(text):
    return text if len(text) <= 40 else text[:37] + "..."


def _recipient(key):
    if key.kind == AGE:
        return pyrage.x25519.Recipient.from_str(key.text)
    return pyrage.ssh.Recipient.from_str(key.text)


def encrypt_to(keys, plaintext):
    """``plaintext`` (bytes) encrypted with age to every key in ``keys`` (``OfficerKey``s): ASCII-armored text,
    which any one of the matching private keys decrypts (``age -d -i IDENTITY FILE``)."""
    if not keys:
        raise ValueError("no key to encrypt to")
    armored = pyrage.encrypt(bytes(plaintext), [_recipient(k) for k in keys], armored=True)
    return armored.decode("ascii")
