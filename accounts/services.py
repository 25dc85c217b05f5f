"""Accounts bound to GitHub's numeric user id: a login can change hands, the id never does.

A GitHub account keeps its id when its owner renames it, and a login freed by a rename can be registered by
someone else. The site's user follows the id: its username becomes the login GitHub reports at each sign-in,
and a user whose login was taken over is moved aside under a reserved name (with its vote records, exception
requests and flags) until its own GitHub account signs in again.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from social_django.models import UserSocialAuth

from elections.audit import ACCOUNT_RENAME, audit_record

logger = logging.getLogger("elekto.accounts")

PROVIDER = "github"


class GitHubIdentityError(Exception):
    """GitHub's answer lacks a numeric id or a usable login."""


def reserved_username(user, github_id=None):
    """A name no GitHub login can take ("+" is not allowed in logins), so no voter roll or officer list matches
    it and no sign-in by login reaches it."""
    suffix = f"github-{github_id}" if github_id else f"user-{user.pk}"
    return f"{user.username}+{suffix}"[-150:]


def account_github_id(user):
    """The numeric GitHub id ``user`` is bound to, or None (an account that never signed in through GitHub)."""
    social = UserSocialAuth.objects.filter(user=user, provider=PROVIDER).only("uid").first()
    if social is None or not social.uid.isdigit():
        return None
    return social.uid


def _move_aside(user, *, reason):
    """Give ``user`` a reserved username, keeping everything it holds."""
    old = user.username
    user.username = reserved_username(user, account_github_id(user))
    user.save(update_fields=["username"])
    audit_record(actor="system", action=ACCOUNT_RENAME,
                 detail={"user_id": user.pk, "from": old, "to": user.username, "reason": reason})
    logger.warning("Account %s renamed to %s: %s", old, user.username, reason)


def account_logins(user):
    """The user's login now, then the logins it had before (most recent first), from the audit trail of renames.

    A voter's sealed link names the login of its time; after a rename on GitHub the earlier one opens it."""
    from elections.models import AuditEvent

    logins = [user.username]
    earlier = AuditEvent.objects.filter(action=ACCOUNT_RENAME, detail__user_id=user.pk).order_by("-at", "-pk")
    for detail in earlier.values_list("detail", flat=True):
        login = detail.get("from", "")
        if login and "+" not in login and login not in logins:
            logins.append(login)
    return logins


@transaction.atomic
def account_bind_github(*, github_id, login, user=None):
    """The user for the GitHub account ``github_id``, whose login is now ``login`` (lower-cased).

    ``user`` is the user already linked to that id, if any (found by social-auth). Returns ``(user, social)``:
    the user to sign in (``None``: create one) and a social link to re-point at the numeric id (or ``None``).

    - Linked by id: the same account. Its username follows ``login``; a stale user holding ``login`` (its
      former owner, or a user created before accounts were bound to ids) is moved aside first.
    - Not linked: a user named ``login`` is taken over only if it is not bound to another GitHub id (a user
      created before this binding, without a link or with a link by login); if it is bound to another id, the
      login changed hands, that user is moved aside and a new user is created.
    """
    github_id = str(github_id)
    if not github_id.isdigit() or not login:
        raise GitHubIdentityError("GitHub did not report a numeric account id and a login.")
    User = get_user_model()
    if user is not None:
        if user.username != login:
            holder = User.objects.select_for_update().filter(username=login).exclude(pk=user.pk).first()
            if holder is not None:
                _move_aside(holder, reason=f"the login {login} now belongs to GitHub account {github_id}")
            old = user.username
            user.username = login
            user.save(update_fields=["username"])
            audit_record(actor="system", action=ACCOUNT_RENAME,
                         detail={"user_id": user.pk, "from": old, "to": login, "github_id": github_id,
                                 "reason": "renamed on GitHub"})
        return user, None

    holder = User.objects.select_for_update().filter(username=login).first()
    if holder is None:
        return None, None
    links = list(UserSocialAuth.objects.filter(user=holder, provider=PROVIDER))
    bound_elsewhere = [link for link in links if link.uid.isdigit() and link.uid != github_id]
    if bound_elsewhere:
        _move_aside(holder, reason=f"the login {login} now belongs to GitHub account {github_id}")
        return None, None
    # Created before accounts were bound to ids: the first sign-in under its login claims it.
    login_link = next((link for link in links if link.uid.lower() == login), None)
    return holder, login_link
