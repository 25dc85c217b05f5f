"""Configuration checks with stable ids.

They run with every management command (``check``, ``migrate``, ``runserver``) and, through
``fail_on_configuration_errors``, when the WSGI/ASGI application starts, so gunicorn refuses to start a
misconfigured site instead of failing at the first request.
"""

import sys

from django.conf import settings
from django.core import checks

from elections.ballot_box.crypto import wrapping_key_parse


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
                hint="Use sqlite:///path/to/db.sqlite3, mysql://user:password@host:3306/name or "
                "postgres://user:password@host:5432/name.",
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
    errors += _ballot_secret_errors()
    if not settings.DEBUG:
        errors += _placeholder_errors()
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


MIN_PEPPER_LENGTH = 32


def _ballot_secret_errors():
    """BALLOT_BOX_KEY (elekto.E010) and PASSPHRASE_PEPPER (elekto.E011): present, well formed, not published."""
    errors = []
    key_hint = ("Generate one with python -c 'from elections.ballot_box.crypto import wrapping_key_generate as g; "
                "print(g())' and keep it outside the database (a Secret); see docs/production.md, Ballot box key.")
    for name, values in (("BALLOT_BOX_KEY", [settings.BALLOT_BOX_KEY]),
                         ("BALLOT_BOX_OLD_KEYS", settings.BALLOT_BOX_OLD_KEYS)):
        for value in values:
            problem = None
            if not value:
                problem = "is not set, and DEBUG is off: no ballot can be sealed" if name == "BALLOT_BOX_KEY" else None
            elif value == settings.DEV_BALLOT_BOX_KEY and not settings.DEBUG:
                problem = "is the published development key, and DEBUG is off"
            else:
                try:
                    wrapping_key_parse(value)
                except ValueError as exc:
                    problem = f"is not a ballot box key: {exc}"
            if problem:
                errors.append(checks.Error(f"{name} {problem}.", hint=key_hint, id="elekto.E010"))
    pepper_hint = (f"Set PASSPHRASE_PEPPER to a random value of {MIN_PEPPER_LENGTH} or more characters, e.g. "
                   "python -c 'import secrets; print(secrets.token_urlsafe(32))', and never change it while "
                   "links sealed under it are in use (see docs/production.md, Passphrase pepper).")
    for name, values in (("PASSPHRASE_PEPPER", [settings.PASSPHRASE_PEPPER]),
                         ("PASSPHRASE_OLD_PEPPERS", settings.PASSPHRASE_OLD_PEPPERS)):
        for value in values:
            problem = None
            if not value:
                problem = "is not set, and DEBUG is off" if name == "PASSPHRASE_PEPPER" else None
            elif value == settings.DEV_PASSPHRASE_PEPPER and not settings.DEBUG:
                problem = "is the published development pepper, and DEBUG is off"
            elif len(value) < MIN_PEPPER_LENGTH:
                problem = f"is shorter than {MIN_PEPPER_LENGTH} characters"
            if problem:
                errors.append(checks.Error(f"{name} {problem}.", hint=pepper_hint, id="elekto.E011"))
    return errors


# Variables whose documented example value (deploy/kubernetes/) is a placeholder to replace before the first
# deployment; every such placeholder holds this text.
PLACEHOLDER = "REPLACE-ME"
_PLACEHOLDER_VARIABLES = {
    "SECRET_KEY": lambda: [settings.SECRET_KEY],
    "DATABASE_URL": lambda: [settings.DATABASE_URL],
    "GITHUB_CLIENT_ID": lambda: [settings.SOCIAL_AUTH_GITHUB_KEY],
    "GITHUB_CLIENT_SECRET": lambda: [settings.SOCIAL_AUTH_GITHUB_SECRET],
    "META_REPO": lambda: [settings.META_REPO],
    "META_SECRET": lambda: [settings.META_SECRET],
    "BALLOT_BOX_KEY": lambda: [settings.BALLOT_BOX_KEY],
    "BALLOT_BOX_OLD_KEYS": lambda: settings.BALLOT_BOX_OLD_KEYS,
    "PASSPHRASE_PEPPER": lambda: [settings.PASSPHRASE_PEPPER],
    "PASSPHRASE_OLD_PEPPERS": lambda: settings.PASSPHRASE_OLD_PEPPERS,
}


def _placeholder_errors():
    """elekto.E013: a variable still holds a documented placeholder (``REPLACE-ME...`` in deploy/kubernetes/), which
    anyone can read: a pepper or a key from there protects nothing, and may well pass the other checks."""
    return [
        checks.Error(f"{name} still holds the placeholder of deploy/kubernetes/ ({PLACEHOLDER}...), and DEBUG is off.",
                     hint="Replace every REPLACE-ME value of secret.yaml and configmap.yaml with your own "
                     "(docs/production.md, Deploying on Kubernetes).",
                     id="elekto.E013")
        for name, values in _PLACEHOLDER_VARIABLES.items()
        if any(PLACEHOLDER.lower() in (value or "").lower() for value in values())
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_ballot_boxes_off_the_development_key(app_configs=None, **kwargs):
    """elekto.E012 (``check --deploy``): an unopened ballot box still wrapped under the published development key,
    as ``migrate`` or a first cast with DEBUG on and no BALLOT_BOX_KEY leaves it: anyone can open it."""
    from django.db import DatabaseError, connection

    from elections.ballot_box import crypto
    from elections.models import BallotBox

    development_id = crypto.wrapping_key_id(crypto.wrapping_key_parse(settings.DEV_BALLOT_BOX_KEY))
    try:
        if BallotBox._meta.db_table not in connection.introspection.table_names():
            return []  # a database not migrated yet holds no box
        keys = list(BallotBox.objects.filter(custody=BallotBox.ENVIRONMENT, opened_at__isnull=True,
                                             wrapped_private_key__isnull=False, wrapping_key_id=development_id)
                    .order_by("election__key").values_list("election__key", flat=True))
    except DatabaseError as exc:
        return [checks.Warning(f"The ballot boxes could not be checked: {exc}", id="elekto.W012")]
    if not keys:
        return []
    return [checks.Error(
        f"{len(keys)} unopened ballot box(es) are wrapped under the published development ballot box key, which "
        f"anyone can read: {', '.join(keys)}.",
        hint="With BALLOT_BOX_KEY set to your own key (and DEBUG off), run python manage.py rewrap_ballot_boxes: it "
        "re-wraps them under BALLOT_BOX_KEY (docs/production.md, Ballot box key).",
        id="elekto.E012")]


def fail_on_configuration_errors():
    """Run the system checks and exit with their messages when any is an error (used by wsgi/asgi)."""
    found = [m for m in checks.run_checks(include_deployment_checks=False) if m.is_serious()]
    if found:
        for message in found:
            print(f"{message.id}: {message.msg}" + (f"\n  HINT: {message.hint}" if message.hint else ""),
                  file=sys.stderr)
        raise SystemExit("The site is misconfigured; it will not start (see the messages above).")
