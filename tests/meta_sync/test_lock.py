"""One sync at a time, across threads, processes and (on MariaDB and PostgreSQL) database connections."""

import threading
import time

import pytest
from django.db import connection

from elections.models import Election
from meta_sync.lock import SyncBusy, sync_lock
from meta_sync.services import sync_meta

pytestmark = pytest.mark.django_db


def test_a_sync_waits_for_the_lock_or_gives_up(irregular_repo):
    with sync_lock():
        with pytest.raises(SyncBusy):
            sync_meta(path=irregular_repo.root, election_dir="elections", trigger="command", lock_timeout=0.1)
    assert not Election.objects.exists()
    sync_meta(path=irregular_repo.root, election_dir="elections", trigger="command", lock_timeout=0.1)
    assert Election.objects.count() == 2


def test_another_thread_cannot_take_the_lock_while_it_is_held():
    results = []
    with sync_lock():
        def attempt():
            try:
                with sync_lock(timeout=0):
                    results.append("acquired")
            except SyncBusy:
                results.append("busy")
            finally:
                from django.db import connections

                connections.close_all()

        worker = threading.Thread(target=attempt)
        worker.start()
        worker.join()
    assert results == ["busy"]


@pytest.mark.mariadb
def test_another_database_connection_holding_the_lock_blocks_a_sync(irregular_repo):
    if connection.vendor != "mysql":
        pytest.skip("GET_LOCK is MariaDB/MySQL; SQLite uses a file lock next to the database")
    import MySQLdb

    params = connection.get_connection_params()
    params.pop("init_command", None)
    other = MySQLdb.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "passwd",
                                                                       "password", "database", "db"}})
    lock_name = f"elekto_meta_sync:{connection.settings_dict['NAME']}"[:64]
    try:
        cursor = other.cursor()
        cursor.execute("SELECT GET_LOCK(%s, 0)", [lock_name])
        assert cursor.fetchone()[0] == 1
        with pytest.raises(SyncBusy):
            sync_meta(path=irregular_repo.root, election_dir="elections", trigger="command")
        cursor.execute("SELECT RELEASE_LOCK(%s)", [lock_name])
    finally:
        other.close()
    assert sync_meta(path=irregular_repo.root, election_dir="elections", trigger="command").exit_code == 0


def test_on_postgresql_another_connection_holding_the_advisory_lock_blocks_a_sync(irregular_repo):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; MariaDB uses GET_LOCK, SQLite a file lock")
    import psycopg

    from meta_sync.lock import PG_SYNC_LOCK_KEY

    params = connection.get_connection_params()
    other = psycopg.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "password",
                                                                       "dbname"}}, autocommit=True)
    try:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [PG_SYNC_LOCK_KEY]).fetchone()[0] is True
        started = time.monotonic()
        with pytest.raises(SyncBusy):
            sync_meta(path=irregular_repo.root, election_dir="elections", trigger="command", lock_timeout=0.5)
        assert time.monotonic() - started >= 0.5  # it waited for the lock before giving up
        other.execute("SELECT pg_advisory_unlock(%s)", [PG_SYNC_LOCK_KEY])
    finally:
        other.close()
    assert sync_meta(path=irregular_repo.root, election_dir="elections", trigger="command").exit_code == 0
    # The lock was released after the sync: another connection can take it.
    other = psycopg.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "password",
                                                                       "dbname"}}, autocommit=True)
    try:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [PG_SYNC_LOCK_KEY]).fetchone()[0] is True
    finally:
        other.close()


def test_on_sqlite_another_process_holding_the_lock_file_blocks_a_sync(tmp_path):
    import fcntl
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    database = tmp_path / "site.sqlite3"
    code = (
        "import django; django.setup()\n"
        "from meta_sync.lock import SyncBusy, sync_lock\n"
        "try:\n"
        "    with sync_lock(timeout=0.2):\n"
        "        print('acquired')\n"
        "except SyncBusy:\n"
        "    print('busy')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "elekto_site.settings", "DATABASE_URL": f"sqlite:///{database}"}
    with open(f"{database}.meta-sync.lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True,
                                text=True, timeout=60)
    assert result.stdout.strip() == "busy", result.stderr
