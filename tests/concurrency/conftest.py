"""Concurrency tests: many requests at once against MariaDB, which is where production's locking happens.

SQLite serialises every write, so these tests say nothing there: they run only when DATABASE_URL is a mysql://
URL (CI runs the whole suite once on MariaDB). Argon2id stays at the cheap test cost from tests/conftest.py:
the bench measures the real one.
"""

import os
import threading

import pytest
from django.db import connection, connections

os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(autouse=True)
def _mariadb_only(db_vendor):
    if db_vendor != "mysql":
        pytest.skip("concurrency tests need MariaDB: run with DATABASE_URL=mysql://user@host:3306/name")


@pytest.fixture(scope="session")
def db_vendor():
    return connection.vendor


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server on 127.0.0.1, built with the HTTPS redirect off (it reads it at start)."""
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer(os.environ["DJANGO_LIVE_TEST_SERVER_ADDRESS"])
    yield server
    server.stop()


def run_at_once(jobs, *, timeout=60):
    """Run each job in its own thread and return their results in order.

    A job is ``(prepare, send)``: every thread runs its ``prepare()`` (sign-in, fetching the form), then waits
    at a barrier, so that all the ``send(prepared)`` calls start together. A job that raises returns its
    exception. Each thread uses its own database connection (Django's are per thread) and closes it at the
    end, so that the test's teardown does not wait on connections left open.
    """
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, prepare, send):
        try:
            prepared = prepare()
            barrier.wait(timeout=timeout)
            results[index] = send(prepared)
        except Exception as exc:  # the test reports it as a failed request, with its type
            barrier.abort()
            results[index] = exc
        finally:
            for alias in connections:
                connections[alias].close()

    threads = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "some requests never finished"
    return results
