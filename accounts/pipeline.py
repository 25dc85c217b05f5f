"""Steps of the social-auth pipeline that make the GitHub login the identity and keep no token."""

from django.contrib.auth import get_user_model

from .github import normalize_login


def use_github_login(backend, details, response, user=None, *args, **kwargs):
    """Sign in as the GitHub login, lower-cased: the same person whatever case GitHub reports."""
    username = normalize_login(response.get("login") or details.get("username") or "")
    result = {"username": username, "details": {**details, "username": username}}
    if user is None:
        existing = get_user_model().objects.filter(username=username).first()
        if existing is not None:
            result["user"] = existing
    return result


def forget_access_token(backend, social=None, *args, **kwargs):
    """Drop the OAuth access token once the user is known: the site never calls GitHub on their behalf."""
    if social is not None and social.extra_data:
        social.extra_data = {"login": social.extra_data.get("login", "")}
        social.save(update_fields=["extra_data"])
