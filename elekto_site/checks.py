"""Configuration checks with stable ids.

They run with every management command (``check``, ``migrate``, ``runserver``) and, through
``fail_on_configuration_errors``, when the WSGI/ASGI application starts, so gunicorn refuses to start a
misconfigured site instead of failing at the first request.
"""

import sys

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def check_configuration(app_configs=None, **kwargs):
    errors = []
    for name, message in settings.CONFIG_ERRORS:
        errors.append(checks.Error(message, hint=f"Fix {name} in the environment or .env.", id="elekto.E000"))
    if not settings.DEBUG and settings.SECRET_KEY_IS_INSECURE:
        errors.append(
            checks.Error(
                "SECRET_KEY is missing or a published default, and DEBUG is off.",
                hint="Set SECRET_KEY to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="elekto.E001",
            )
        )
    if settings.ELEKTO_DEV_LOGIN and not settings.DEBUG:
        errors.append(
            checks.Error(
                "ELEKTO_DEV_LOGIN is on while DEBUG is off: anyone could sign in as anyone.",
                hint="The development login is for local demos and tests only; unset ELEKTO_DEV_LOGIN.",
                id="elekto.E002",
            )
        )
    if settings.UNSUPPORTED_DATABASE_ENGINE:
        errors.append(
            checks.Error(
                f"DATABASE_URL selects {settings.UNSUPPORTED_DATABASE_ENGINE}, which this site does not support.",
                hint="Use sqlite:///path/to/db.sqlite3 or mysql://user:password@host:3306/name.",
                id="elekto.E003",
            )
        )
    if settings.MIN_PASSPHRASE_LENGTH < 8:
        errors.append(
            checks.Error(
                f"MIN_PASSPHRASE_LENGTH is {settings.MIN_PASSPHRASE_LENGTH}; passphrases protect ballot secrecy.",
                hint="Use 8 or more (the default is 12).",
                id="elekto.E004",
            )
        )
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        errors.append(
            checks.Error(
                "ALLOWED_HOSTS is empty and DEBUG is off: every request would be refused.",
                hint="Set ALLOWED_HOSTS to the site's host name, e.g. elections.example.org.",
                id="elekto.E005",
            )
        )
    if settings.ARGON2_MEMORY_KIB > 65536 or settings.ARGON2_MEMORY_KIB < 8 * settings.ARGON2_PARALLELISM:
        errors.append(
            checks.Error(
                f"ARGON2_MEMORY_KIB is {settings.ARGON2_MEMORY_KIB}; it must be between "
                f"{8 * settings.ARGON2_PARALLELISM} and 65536 (64 MiB).",
                id="elekto.E006",
            )
        )
    if not settings.META_SECRET:
        errors.append(
            checks.Warning(
                "META_SECRET is not set: the meta repository webhook answers 503.",
                hint="Set META_SECRET to the secret configured on the GitHub webhook.",
                id="elekto.W001",
            )
        )
    if not (settings.SOCIAL_AUTH_GITHUB_KEY and settings.SOCIAL_AUTH_GITHUB_SECRET) and not settings.ELEKTO_DEV_LOGIN:
        errors.append(
            checks.Warning(
                "GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET are not set: nobody can sign in.",
                hint="Create a GitHub OAuth app (see README, Production) and set both variables.",
                id="elekto.W002",
            )
        )
    return errors


def fail_on_configuration_errors():
    """Run the system checks and exit with their messages when any is an error (used by wsgi/asgi)."""
    found = [m for m in checks.run_checks(include_deployment_checks=False) if m.is_serious()]
    if found:
        for message in found:
            print(f"{message.id}: {message.msg}" + (f"\n  HINT: {message.hint}" if message.hint else ""),
                  file=sys.stderr)
        raise SystemExit("The site is misconfigured; it will not start (see the messages above).")
