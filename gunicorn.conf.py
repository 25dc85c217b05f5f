"""gunicorn settings, read from the environment: ``gunicorn -c gunicorn.conf.py elekto_site.wsgi``.

Sizing: each worker is a process holding the whole site (see docs/production.md for the measured memory);
each thread can derive one Argon2id key at a time, which needs ARGON2_MEMORY_KIB (19 MiB by default, 64 MiB at
most) while it runs. Memory at peak is about workers x (worker RSS + threads x Argon2 memory).
"""

import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name}={value!r} is not a whole number") from None


bind = os.environ.get("GUNICORN_BIND", "").strip() or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("GUNICORN_WORKERS", 2)
# More than one thread makes gunicorn use its gthread worker: requests waiting on the database, on GitHub or
# on an Argon2id derivation (which runs outside the GIL) do not hold a whole process. Measured side by side on
# 2 workers, 4 threads served two to three times the pages and about 1.5 times the ballots that one thread
# (the sync worker) did (docs/performance.md).
threads = _int("GUNICORN_THREADS", 4)
# gthread, accepting a connection only while a thread is free, so that a burst of connections is spread over the
# workers (elekto_site/gunicorn_worker.py); with one thread, gunicorn's sync worker, as gunicorn would choose.
worker_class = "elekto_site.gunicorn_worker.BalancedThreadWorker" if threads > 1 else "sync"
# A request that takes longer than this is killed; casting a ballot takes well under a second.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle a worker after this many requests, so that a slow memory leak never reaches the container limit. A
# restart costs a worker's start-up (about a second of one core) and its warm caches, so it is sized in hours
# of peak traffic, not seconds: 10 million requests is about an hour of /health at the most a worker serves on
# this hardware, and days of election-day traffic (BENCHMARKS.md measures both; 0 turns recycling off).
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1_000_000)

# The site logs one line per request itself (with its request id, without query strings); gunicorn's access
# log is off unless GUNICORN_ACCESS_LOG names a file or "-" for standard output.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "").strip() or None
# %(U)s is the path without its query string: OAuth callbacks carry codes in the query string.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"

# Heartbeat files of the workers go to /tmp, which is a writable emptyDir in Kubernetes (the root file
# system is read-only there).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "").strip() or None
# No runtime control socket: the worker count comes from the environment (the ConfigMap), so every pod runs
# as its manifest says, and two servers on one machine never contend for ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True


def on_starting(server):
    """Run the site's configuration checks in the master, before it binds the port or forks a worker.

    A misconfigured site (elekto.E00x) then stops gunicorn at once with the checks' messages and a non-zero
    status, instead of workers that fail to boot and are restarted in a loop while the port is open. Django is
    set up here once; the workers forked afterwards inherit it.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elekto_site.settings")
    import django
    from django.db import connections

    django.setup()
    from elekto_site.checks import fail_on_configuration_errors

    try:
        fail_on_configuration_errors()
    finally:
        # The checks need no database; make sure no connection is inherited by the workers all the same.
        connections.close_all()

