"""Steps of the social-auth pipeline: the account is GitHub's numeric id, the username its current login, and
no token is kept."""

from social_core.exceptions import AuthResponseError

from .github import is_valid_login, normalize_login
from .services import account_bind_github


def bind_github_account(backend, uid, details, response, social=None, *args, id_key="", **kwargs):
    """Sign in as the user bound to GitHub's numeric id, named after the login GitHub reports now.

    Runs after ``social_user``, which found the link by numeric id (``social``) or found none. A signed-in user
    is never used as the target (only the link decides), so one GitHub account cannot be attached to another's
    user. See ``accounts.services.account_bind_github`` for renames and logins that changed hands.
    """
    login = normalize_login(response.get("login") or "")
    if not is_valid_login(login) or not str(uid).isdigit():
        raise AuthResponseError(backend, "GitHub reported no numeric id or no valid login.", code="invalid_claim",
                                claim="id" if not str(uid).isdigit() else "login", stage="pipeline")
    user, login_link = account_bind_github(
        github_id=uid, login=login, user=social.user if social is not None else None
    )
    if login_link is not None:
        # A link made by login before accounts were bound to ids: re-point it at the id.
        login_link.uid, login_link.id_key = str(uid), id_key
        login_link.save(update_fields=["uid", "id_key"])
        social = login_link
    return {"username": login, "details": {**details, "username": login}, "user": user, "social": social,
            "is_new": user is None, "new_association": social is None}


def forget_access_token(backend, social=None, *args, **kwargs):
    """Drop the OAuth access token once the user is known: the site never calls GitHub on their behalf.

    The numeric id stays as the link's evidence of which GitHub account it belongs to."""
    if social is not None and social.extra_data:
        social.extra_data = {"id": social.extra_data.get("id"), "login": social.extra_data.get("login", "")}
        social.save(update_fields=["extra_data"])
