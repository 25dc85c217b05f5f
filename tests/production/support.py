"""Helpers for the production tests: a production environment for subprocesses, and free ports."""

import os
import secrets
import socket
import subprocess
import sys

from elections.ballot_box.crypto import wrapping_key_generate
from tests.conftest import REPO_ROOT

# Variables of the runner's environment that would change what a subprocess under test sees.
SITE_VARIABLES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "GITHUB_CLIENT_ID",
    "GITHUB_CLIENT_SECRET", "META_REPO", "META_BRANCH", "META_PATH", "META_SECRET", "ELEKTO_DEV_LOGIN",
    "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "CACHE_URL", "LOG_LEVEL", "LOG_FORMAT", "DJANGO_SETTINGS_MODULE", "BALLOT_BOX_KEY",
    "BALLOT_BOX_OLD_KEYS", "PASSPHRASE_PEPPER", "PASSPHRASE_OLD_PEPPERS",
}


def production_env(tmp_path, **overrides):
    """The environment of a production pod (DEBUG off, HTTPS behind a proxy), with a SQLite file in tmp_path."""
    env = {name: value for name, value in os.environ.items() if name not in SITE_VARIABLES}
    env.update(
        DEBUG="off",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="elections.example.org,127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        GITHUB_CLIENT_ID="Iv1.0123456789abcdef",
        GITHUB_CLIENT_SECRET=secrets.token_hex(20),
        META_SECRET=secrets.token_hex(20),
        BALLOT_BOX_KEY=wrapping_key_generate(),
        PASSPHRASE_PEPPER=secrets.token_urlsafe(32),
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        ELEKTO_DEV_LOGIN="off",
        DJANGO_SETTINGS_MODULE="elekto_site.settings",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def run_python(script, env, *args, timeout=60):
    """Run a Python snippet with the project's interpreter in the project root; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
