"""Officers' own key pairs for threshold-mode tests, made by the test: an age X25519 identity (as age-keygen
makes) or an OpenSSH ed25519 key (as ssh-keygen makes), each written to a file that the standard ``age`` tool
reads with ``age -d -i FILE``. The shares are decrypted with that tool, as an officer would."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyrage
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from elections.ballot_box.officer_keys import key_read


@dataclass(frozen=True)
class OfficerIdentity:
    login: str
    public_key: str  # as written in election.yaml
    identity_file: Path  # what ``age -d -i`` reads

    def decrypt(self, armored):
        """The share file as ``age -d -i IDENTITY`` decrypts it (the standard tool, from Debian's age)."""
        return age_decrypt(self.identity_file, armored)


def age_identity(login, folder):
    identity = pyrage.x25519.Identity.generate()
    path = Path(folder) / f"{login}-age-key.txt"
    path.write_text(f"# test-only age key of {login}\n{identity}\n")
    os.chmod(path, 0o600)
    return OfficerIdentity(login, str(identity.to_public()), path)


def ssh_identity(login, folder):
    private = Ed25519PrivateKey.generate()
    path = Path(folder) / f"{login}-id_ed25519"
    path.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                           serialization.NoEncryption()))
    os.chmod(path, 0o600)
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return OfficerIdentity(login, public.decode("ascii") + f" {login}@test", path)


def officer_identities(folder, logins, *, ssh=()):
    """One identity per login: an SSH ed25519 key for those in ``ssh``, an age key for the others."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return {login: (ssh_identity if login in ssh else age_identity)(login, folder) for login in logins}


def pinned(identities):
    """``Election.officer_keys`` as the import stores it for these identities."""
    return {login: [key_read(i.public_key).to_dict()] for login, i in identities.items()}


def age_decrypt(identity_file, armored):
    age = shutil.which("age")
    assert age, "the age tool is missing: scripts/bootstrap.sh installs Debian's age package"
    done = subprocess.run([age, "-d", "-i", str(identity_file)], input=armored.encode("ascii"),
                          capture_output=True, check=False, timeout=30)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode("utf-8")
