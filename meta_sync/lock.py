"""One sync of the meta repository at a time, site-wide: ``sync_lock``, and ``SyncBusy`` when another sync holds
it."""

import contextlib
import hashlib
import threading
import time
from pathlib import Path

from django.db import connection


class SyncBusy(Exception):
    """Another sync holds the lock."""


_process_lock = threading.Lock()


def _sqlite_lock_file():
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        return None  # an in-memory database lives in this process only: the process lock is enough
    return Path(f"{name}.meta-sync.lock")


def _acquire_file_lock(path, deadline):
    import fcntl

    handle = open(path, "a+")  # noqa: SIM115 - closed by the caller's ExitStack
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                return None
            time.sleep(0.05)


# The PostgreSQL advisory-lock key of the meta sync: a fixed 64-bit number ("elekto_meta_sync" hashed).
PG_SYNC_LOCK_KEY = int.from_bytes(hashlib.sha256(b"elekto_meta_sync").digest()[:8], "big", signed=True)


def _pg_try_advisory_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [PG_SYNC_LOCK_KEY])
        (acquired,) = cursor.fetchone()
    return acquired


def _try_until(deadline, attempt):
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@contextlib.contextmanager
def sync_lock(*, timeout=0.0):
    """Hold the site-wide sync lock, or raise ``SyncBusy`` after ``timeout`` seconds.

    A thread lock covers this process; across processes MariaDB/MySQL use ``GET_LOCK`` (named after the
    database), PostgreSQL an advisory lock (``pg_try_advisory_lock``) and SQLite an exclusive ``flock`` on a file
    next to the database.
    """
    deadline = time.monotonic() + timeout
    acquired = _process_lock.acquire(timeout=timeout) if timeout > 0 else _process_lock.acquire(blocking=False)
    if not acquired:
        raise SyncBusy("another sync of the meta repository is running")
    try:
        with contextlib.ExitStack() as stack:
            if connection.vendor == "mysql":
                lock_name = f"elekto_meta_sync:{connection.settings_dict['NAME']}"[:64]
                with connection.cursor() as cursor:
                    cursor.execute("SELECT GET_LOCK(%s, %s)", [lock_name, max(0, int(deadline - time.monotonic()))])
                    (acquired,) = cursor.fetchone()
                if acquired != 1:
                    raise SyncBusy("another sync of the meta repository is running")

                def release():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT RELEASE_LOCK(%s)", [lock_name])

                stack.callback(release)
            elif connection.vendor == "postgresql":
                # A session-level advisory lock; advisory locks belong to one database, so the key needs only
                # to be the same for every process of this site.
                if not _try_until(deadline, _pg_try_advisory_lock):
                    raise SyncBusy("another sync of the meta repository is running")

                def release():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [PG_SYNC_LOCK_KEY])

                stack.callback(release)
            elif connection.vendor == "sqlite" and (lock_file := _sqlite_lock_file()) is not None:
                handle = _acquire_file_lock(lock_file, deadline)
                if handle is None:
                    raise SyncBusy("another sync of the meta repository is running")
                stack.callback(handle.close)
            yield
    finally:
        _process_lock.release()
