"""``ballot_box:`` in ``election.yaml``: how many officers must bring their shares to open the box
(``officers_to_open``), and the public keys each officer's share is encrypted to (``officer_keys``); see
docs/ballot-secrecy.md. No Django here."""

from accounts.github import normalize_login
from elections.ballot_box import officer_keys

from .problems import ERROR

BALLOT_BOX_KEYS = {"officers_to_open", "officer_keys"}


def _read_ballot_box(value, given, officer_count, rel, report):
    """``officers_to_open`` from ``ballot_box: {officers_to_open: K}``, or None (the default mode).

    K officers out of the ``officer_count`` listed must enter their shares to open the box: a whole number
    from 1 to the number of officers. Anything else is an error, since guessing could leave an election that
    nobody can ever count.
    """
    if not given:
        return None
    if not isinstance(value, dict):
        report.error(rel, "ballot_box", "must be a map such as {officers_to_open: 2}")
        return None
    value = {str(k): v for k, v in value.items()}
    for unknown in sorted(set(value) - BALLOT_BOX_KEYS):
        report.error(rel, f"ballot_box.{unknown}", "unknown key (the keys are officers_to_open and officer_keys)")
    if "officers_to_open" not in value:
        report.error(rel, "ballot_box.officers_to_open", "is required in ballot_box")
        return None
    k = value["officers_to_open"]
    if isinstance(k, str) and k.strip().isdigit():
        k = int(k.strip())
    if isinstance(k, bool) or not isinstance(k, int):
        report.error(rel, "ballot_box.officers_to_open", f"must be a whole number of officers, not {k!r}")
        return None
    if officer_count == 0:
        report.error(rel, "ballot_box.officers_to_open", "needs election_officers to share the key among")
        return None
    if not 1 <= k <= officer_count:
        report.error(rel, "ballot_box.officers_to_open",
                     f"must be from 1 to the number of election_officers ({officer_count}), not {k}")
        return None
    return k


def _read_officer_keys(value, officers, rel, report):
    """Each officer's usable public keys from ``ballot_box.officer_keys`` (login -> a key or a list of keys).

    Every officer needs at least one key that age can encrypt to: their share is encrypted to all of them.
    An invalid key, or an officer left with no usable key, is an error naming the officer and the field; a key
    type age cannot use (an ``sk-`` hardware key) is skipped with a warning naming the officer.
    """
    field_name = "ballot_box.officer_keys"
    if value is None:
        value = {}
    if not isinstance(value, dict):
        report.error(rel, field_name, "must be a map of each officer's GitHub login to their public key or keys")
        return {}
    keys = {}
    for name, listed in value.items():
        login = normalize_login(name)
        where = f"{field_name}.{login}"
        if login not in officers:
            report.error(rel, where, f"{login} is not one of the election_officers")
            continue
        if login in keys:
            report.error(rel, where, f"{login} is listed twice")
            continue
        if listed is None:
            listed = []
        if isinstance(listed, str):
            listed = [listed]
        if not isinstance(listed, list):
            report.error(rel, where, "must be a public key, or a list of public keys")
            continue
        usable = []
        for number, text in enumerate(listed, 1):
            label = f"key {number} of {login}" if len(listed) > 1 else f"the key of {login}"
            try:
                key = officer_keys.key_read(text)
            except officer_keys.KeyUnusable as exc:
                report.warning(rel, where, f"{label} skipped: {exc}")
                continue
            except officer_keys.KeyInvalid as exc:
                report.error(rel, where, f"{label} is invalid: {exc}")
                continue
            if key.text not in {k["key"] for k in usable}:
                usable.append(key.to_dict())
        keys[login] = usable
    for login in officers:
        already = any(p.path == rel and p.field == f"{field_name}.{login}" and p.severity == ERROR
                      for p in report.problems)
        if not keys.get(login) and not already:
            report.error(rel, f"{field_name}.{login}",
                         f"officer {login} has no usable public key: their share of the ballot box key is "
                         "encrypted to it (an age1... recipient, or an ssh-ed25519 or ssh-rsa key as "
                         f"github.com/{login}.keys shows it)")
    return {login: keys[login] for login in sorted(keys) if keys[login]}
