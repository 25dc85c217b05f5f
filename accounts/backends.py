"""GitHub sign-in, with the callback URL the community registered in its GitHub OAuth app."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from social_core.backends.github import GithubOAuth2

from elekto_site import rows


class GitHubOAuth2(GithubOAuth2):
    """social-auth's GitHub backend, sending GitHub the callback path of ``GITHUB_REDIRECT``.

    GitHub accepts only a ``redirect_uri`` at or below the callback URL of the OAuth app, and compares the one
    of the token request with the one of the authorisation. Both paths complete sign-in here: this site's
    ``/oauth/complete/github/`` (the default) and Elekto's ``/oauth/github/callback``, so a community that moves
    from Elekto keeps its OAuth app as it is configured.
    """

    def get_redirect_uri(self, state=None):
        return self.strategy.absolute_uri(settings.GITHUB_REDIRECT)

    def get_user(self, user_id):
        """The active user ``user_id``, or None: what social-auth's storage returns, read with one plain query
        (this runs on every signed-in request)."""
        return active_user(user_id)


def active_user(user_id):
    """The active user with primary key ``user_id``, or None, read with one hand-written SELECT."""
    User = get_user_model()
    connection = rows.connection_for(User)
    quote = connection.ops.quote_name
    pk, is_active = User._meta.pk, User._meta.get_field("is_active")
    try:
        user_id = pk.to_python(user_id)
    except ValidationError:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(User, connection)} FROM {quote(User._meta.db_table)} "
            f"WHERE {quote(pk.column)} = %s AND {quote(is_active.column)} = %s",
            [user_id, True],
        )
        row = cursor.fetchone()
    return None if row is None else rows.instance(User, connection, row)
