"""GitHub logins: the identity of voters, officers and candidates. GitHub compares them case-insensitively."""

import re

# GitHub: 1-39 characters, letters, digits and single hyphens, not starting or ending with a hyphen.
# Older accounts may still hold a trailing hyphen or double hyphens, so be a little more lenient.
LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9-]))*-?$")


def normalize_login(login):
    """The canonical, lower-case form of a GitHub login (YAML may have read it as an integer)."""
    return str(login).strip().lstrip("@").lower()


def is_valid_login(login):
    return 0 < len(login) <= 39 and bool(LOGIN_RE.match(login))
