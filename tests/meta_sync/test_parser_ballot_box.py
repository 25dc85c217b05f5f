"""``ballot_box: {officers_to_open: K, officer_keys: {login: KEY}}`` in election.yaml: threshold mode, read and
checked by the parser."""

import base64

import pyrage
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from elections.ballot_box.officer_keys import ssh_fingerprint
from meta_sync.parser import parse_election

OFFICERS = "election_officers:\n  - officer-one\n"
THREE_OFFICERS = "election_officers:\n  - officer-one\n  - officer-two\n  - officer-three\n"


def age_recipient():
    return str(pyrage.x25519.Identity.generate().to_public())


def ssh_key(comment="someone@laptop"):
    public = Ed25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                                     serialization.PublicFormat.OpenSSH)
    return public.decode("ascii") + (f" {comment}" if comment else "")


# An sk- hardware key as GitHub publishes it: age cannot encrypt to it.
SK_KEY = ("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIGF5QmVa3rIbnQ7Ic2Y3JYJm0s8"
          "3mBz0Xq8Nzx0p1S1VAAAABHNzaDo=")
KEYS = {login: age_recipient() for login in ("officer-one", "officer-two", "officer-three")}


def keys_yaml(keys=None):
    keys = KEYS if keys is None else keys
    return "  officer_keys:\n" + "".join(f"    {login}: {value}\n" for login, value in keys.items())


def _parse(meta_repo, ballot_box, officers=THREE_OFFICERS, keys=None):
    folder = meta_repo.add_election("e")
    if ballot_box.startswith("ballot_box: {officers_to_open: ") and keys is not False:
        ballot_box = "ballot_box:\n  officers_to_open: " + ballot_box.split(": ")[2].rstrip("}\n") + "\n"
    if ballot_box.startswith("ballot_box:\n  officers_to_open") and keys is not False:
        ballot_box += keys_yaml(keys)
    meta_repo.edit("e/election.yaml", OFFICERS, officers + ballot_box)
    return parse_election(meta_repo.root, folder)


def test_without_ballot_box_the_election_is_in_the_default_mode(meta_repo):
    election = parse_election(meta_repo.root, meta_repo.add_election("e"))
    assert election.ok
    assert election.officers_to_open is None


@pytest.mark.parametrize("k", [1, 2, 3])
def test_officers_to_open_from_one_to_the_number_of_officers_is_read(meta_repo, k):
    election = _parse(meta_repo, f"ballot_box:\n  officers_to_open: {k}\n")
    assert election.ok, election.problems
    assert election.officers_to_open == k


def test_the_shape_of_the_issue_is_read_and_each_key_pinned_with_its_fingerprint(meta_repo):
    ssh = ssh_key()
    blob = base64.b64decode(ssh.split()[1])
    box = ("ballot_box:\n  officers_to_open: 2\n  officer_keys:\n"
           f"    officer-one: {KEYS['officer-one']}   # an age X25519 recipient\n"
           f"    Officer-Two: {ssh}\n"
           f"    officer-three: [{KEYS['officer-three']}, '{ssh}']\n")
    election = _parse(meta_repo, box, keys=False)
    assert election.ok, election.problems
    assert election.officers_to_open == 2
    pinned_ssh = {"key": " ".join(ssh.split()[:2]), "kind": "ssh", "fingerprint": ssh_fingerprint(blob)}
    assert election.officer_keys == {
        "officer-one": [{"key": KEYS["officer-one"], "kind": "age", "fingerprint": KEYS["officer-one"]}],
        "officer-two": [pinned_ssh],
        "officer-three": [{"key": KEYS["officer-three"], "kind": "age", "fingerprint": KEYS["officer-three"]},
                          pinned_ssh],
    }


def test_an_sk_key_is_skipped_with_a_warning_naming_the_officer(meta_repo):
    ssh = ssh_key()
    election = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n",
                      keys={**KEYS, "officer-two": f"['{SK_KEY}', '{ssh}']"})
    assert election.ok, election.problems
    assert [str(p) for p in election.warnings] == [
        "elections/e/election.yaml: ballot_box.officer_keys.officer-two: key 1 of officer-two skipped: "
        "sk-ssh-ed25519@openssh.com keys cannot be used by age; list an ssh-ed25519, ssh-rsa or age1 key too"]
    assert [k["kind"] for k in election.officer_keys["officer-two"]] == ["ssh"]


def test_an_officer_with_no_usable_key_blocks_threshold_mode_naming_officer_file_and_field(meta_repo):
    election = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n",
                      keys={"officer-one": KEYS["officer-one"], "officer-two": f"'{SK_KEY}'"})
    errors = [str(p) for p in election.errors]
    assert errors == [
        "elections/e/election.yaml: ballot_box.officer_keys.officer-three: officer officer-three has no usable "
        "public key: their share of the ballot box key is encrypted to it (an age1... recipient, or an "
        "ssh-ed25519 or ssh-rsa key as github.com/officer-three.keys shows it)",
        "elections/e/election.yaml: ballot_box.officer_keys.officer-two: officer officer-two has no usable public "
        "key: their share of the ballot box key is encrypted to it (an age1... recipient, or an ssh-ed25519 or "
        "ssh-rsa key as github.com/officer-two.keys shows it)",
    ]


def test_threshold_mode_without_officer_keys_is_an_error_for_each_officer(meta_repo):
    election = _parse(meta_repo, "ballot_box: {officers_to_open: 2}\n", keys=False)
    assert [p.field for p in election.errors] == [
        "ballot_box.officer_keys.officer-one", "ballot_box.officer_keys.officer-three",
        "ballot_box.officer_keys.officer-two"]


@pytest.mark.parametrize(("value", "message"), [
    ("age1notakey", "the key of officer-two is invalid: not an age recipient"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "the key of officer-two is invalid: not an ssh-ed25519 public key "
                                               "(damaged or truncated)"),
    ("ssh-ed25519", "the key of officer-two is invalid: no key follows ssh-ed25519"),
    ("hunter2", "the key of officer-two is invalid: 'hunter2' is not a key type age knows"),
    ("{a: b}", "must be a public key, or a list of public keys"),
])
def test_an_invalid_key_is_an_error_naming_officer_file_and_field(meta_repo, value, message):
    election = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n", keys={**KEYS, "officer-two": value})
    assert len(election.errors) == 1, election.errors
    assert str(election.errors[0]).startswith(
        f"elections/e/election.yaml: ballot_box.officer_keys.officer-two: {message}")


def test_a_key_for_someone_who_is_not_an_officer_is_an_error(meta_repo):
    election = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n", keys={**KEYS, "mallory": age_recipient()})
    assert [str(p) for p in election.errors] == [
        "elections/e/election.yaml: ballot_box.officer_keys.mallory: mallory is not one of the election_officers"]


def test_changing_an_officers_key_changes_the_content_hash(meta_repo):
    one = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n").content_hash()
    meta_repo.remove("e")
    two = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n",
                 keys={**KEYS, "officer-two": age_recipient()}).content_hash()
    assert one != two


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "must be from 1 to the number of election_officers (3), not 0"),
        ("4", "must be from 1 to the number of election_officers (3), not 4"),
        ("-1", "must be from 1 to the number of election_officers (3), not -1"),
        ("1.5", "must be a whole number of officers, not 1.5"),
        ("two", "must be a whole number of officers, not 'two'"),
        ("true", "must be a whole number of officers, not True"),
        ("[2]", "must be a whole number of officers, not [2]"),
        ("", "must be a whole number of officers, not None"),
    ],
)
def test_a_number_of_officers_that_cannot_be_is_an_error_naming_file_and_field(meta_repo, value, message):
    election = _parse(meta_repo, f"ballot_box:\n  officers_to_open: {value}\n")
    assert [str(p) for p in election.errors] == [
        f"elections/e/election.yaml: ballot_box.officers_to_open: {message}"
    ]
    assert election.officers_to_open is None


def test_the_count_of_officers_is_of_distinct_logins(meta_repo):
    twice = "election_officers:\n  - officer-one\n  - Officer-One\n"
    election = _parse(meta_repo, "ballot_box: {officers_to_open: 2}\n", officers=twice)
    assert [str(p) for p in election.errors] == [
        "elections/e/election.yaml: ballot_box.officers_to_open: must be from 1 to the number of "
        "election_officers (1), not 2"
    ]


def test_threshold_mode_without_officers_is_an_error(meta_repo):
    election = _parse(meta_repo, "ballot_box: {officers_to_open: 1}\n", officers="")
    assert "elections/e/election.yaml: ballot_box.officers_to_open: needs election_officers to share the key " \
           "among" in [str(p) for p in election.errors]


def test_an_unknown_key_in_ballot_box_is_an_error(meta_repo):
    election = _parse(meta_repo, "ballot_box:\n  officers_to_open: 2\n  officers_to_close: 1\n")
    assert [str(p) for p in election.errors] == [
        "elections/e/election.yaml: ballot_box.officers_to_close: unknown key (the keys are officers_to_open and "
        "officer_keys)"
    ]


@pytest.mark.parametrize("value", ["2", "[officers_to_open, 2]", "", "{}"])
def test_ballot_box_that_is_not_a_map_with_officers_to_open_is_an_error(meta_repo, value):
    election = _parse(meta_repo, f"ballot_box: {value}\n")
    assert not election.ok
    assert all(p.field.startswith("ballot_box") for p in election.errors)
    assert election.officers_to_open is None


def test_changing_officers_to_open_changes_the_content_hash(meta_repo):
    one = _parse(meta_repo, "ballot_box: {officers_to_open: 1}\n").content_hash()
    meta_repo.remove("e")
    two = _parse(meta_repo, "ballot_box: {officers_to_open: 2}\n").content_hash()
    assert one != two
