"""Concurrency tests: many requests at once, on whichever database the suite runs on.

They run on all three databases, each with its own way of keeping one ballot per voter: SQLite serialises
writers (IMMEDIATE transactions and a busy timeout; the test database is a file, see tests/conftest.py, so each
live-server thread has its own connection), MariaDB and PostgreSQL lock rows and check unique constraints
between concurrent transactions. Argon2id stays at the cheap test cost from tests/conftest.py: the bench
measures the real one.
"""

import os
import threading

import pytest
from django.db import connection, connections

os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def simultaneous_connections():
    """How many HTTP connections a test opens at once: each holds a database connection on the live server.

    MariaDB allows 151 connections by default, PostgreSQL 100, which other clients of the server share.
    """
    return 30 if connection.vendor == "postgresql" else 50


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
