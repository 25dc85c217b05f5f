"""What the upgrade tests share: a release's code from git, a scratch database on the test's server, and
subprocesses that run a release's code (or today's) against it with the shared virtualenv's interpreter."""

import json
import subprocess
import sys
import tarfile
from contextlib import contextmanager
from urllib.parse import quote

import pytest

from tests.conftest import REPO_ROOT
from tests.production.support import production_env

# A passphrase today's site accepts for a new ballot and release 1.0.0 accepted too.
PASSPHRASE = "plum orbit canvas harbor lynx quartz"

# Settings for a release older than PostgreSQL support (1.0.0 knew SQLite and MariaDB only): the database from
# DATABASE_URL, whatever engine, and nothing else changed.
_OLD_RELEASE_SETTINGS = '''
import os

import environ

from elekto_site.settings import *  # noqa: F403

DATABASES = {"default": {**environ.Env.db_url_config(os.environ["DATABASE_URL"]), "CONN_MAX_AGE": 0}}
UNSUPPORTED_DATABASE_ENGINE = None
'''


def release_tree(commit, folder):
    """The code of ``commit`` in ``folder`` (``git archive``: the repository itself is left untouched), with the
    settings module its subprocesses use. Skips when this is no git checkout holding that commit (a tarball or a
    shallow clone); CI clones the whole history."""
    archive = folder.parent / f"{folder.name}.tar"
    done = subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), commit], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.skip(f"the code of release commit {commit} is not in this checkout: {done.stderr.strip()}")
    folder.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    archive.unlink()
    (folder / "upgrade_test_settings.py").write_text(_OLD_RELEASE_SETTINGS)
    return folder


@contextmanager
def scratch_database(tmp_path, django_db_blocker):
    """A DATABASE_URL for an empty database of its own, on the server the tests run against (a SQLite file when
    they run on SQLite); dropped afterwards."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    # Named after the test database (test_<name>), so that test runs sharing a server never meet.
    name = f"{settings_dict['NAME']}_upgrade"
    scheme = {"mysql": "mysql", "postgresql": "postgres"}[connection.vendor]
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    url = f"{scheme}://{credentials}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT']}/{name}"
    create = ("CREATE DATABASE {} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" if connection.vendor == "mysql"
              else "CREATE DATABASE {}")
    with django_db_blocker.unblock():
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
            cursor.execute(create.format(connection.ops.quote_name(name)))
    try:
        yield url
    finally:
        with django_db_blocker.unblock():
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


def site_env(tmp_path, database_url, **overrides):
    """A production environment (DEBUG off, real keys) on ``database_url``, with the tests' cheap Argon2id cost
    (both releases derive with the same cost, so each opens the other's links)."""
    return production_env(tmp_path, DATABASE_URL=database_url, ARGON2_MEMORY_KIB="1024", ARGON2_TIME_COST="1",
                          **overrides)


def run_code(tree, script, *args, env, timeout=600):
    """Run ``script`` with the code in ``tree`` (a release's, or REPO_ROOT for today's); its JSON output, or fail
    with its error output."""
    env = {**env, "PYTHONPATH": str(tree)}
    if tree != REPO_ROOT:
        env["DJANGO_SETTINGS_MODULE"] = "upgrade_test_settings"
    done = subprocess.run([sys.executable, str(script), *args], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def manage(tree, *args, env, timeout=600):
    """``python manage.py ARGS`` with the code in ``tree``; the CompletedProcess."""
    env = {**env, "PYTHONPATH": str(tree)}
    if tree != REPO_ROOT:
        env["DJANGO_SETTINGS_MODULE"] = "upgrade_test_settings"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=timeout)
