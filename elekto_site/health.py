"""``/health`` for load balancers and Kubernetes probes: 200 when the database answers, 503 when it does not.

Probes call it often and a load balancer may call it many times a second, so it costs little:

* a success is trusted for ``HEALTH_DATABASE_CHECK_SECONDS`` (1 s) in each process; a failure is never remembered;
* ``HealthFastPath`` answers a plain-HTTP ``GET`` or ``HEAD`` of ``/health`` before Django's request handling,
  with the headers the site's own answer carries (taken from that answer the first time), a fresh
  ``X-Request-ID``, and a log line only when the database does not answer. Everything else, ``/health`` over
  HTTPS or behind the proxy included, goes through Django and ``elekto_site.views.health``.
"""

import json
import logging
import re
import time
import uuid

from django.conf import settings
from django.db import connection

import elekto_site
from elekto_site import schema
from elekto_site.logging import request_id_var

logger = logging.getLogger("elekto.request")

OK = {"status": "ok", "database": "ok"}
# An id from the ingress is kept when it is short and plain (as RequestLogMiddleware does).
_INCOMING_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# When this process last saw the database answer (time.monotonic()).
_database_answered_at = None


def database_health():
    """(HTTP status, JSON body) of the health check."""
    global _database_answered_at
    now = time.monotonic()
    if _database_answered_at is not None and now - _database_answered_at < settings.HEALTH_DATABASE_CHECK_SECONDS:
        return _schema_health()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        _database_answered_at = None
        return 503, {"status": "unavailable", "database": type(exc).__name__}
    _database_answered_at = now
    return _schema_health()


def _schema_health():
    """503 while the database's schema is ahead of this process's release, so that Kubernetes takes the pod out of
    service during a rollout: it would refuse every write (elekto_site.schema). Read at most every few seconds."""
    try:
        refusal = schema.schema_ahead()
    except Exception as exc:  # a database failure here means "not healthy" too
        return 503, {"status": "unavailable", "database": type(exc).__name__}
    if refusal is None:
        return 200, OK
    return 503, {"status": "outdated", "database": "ok", "release": elekto_site.__version__,
                 "schema_generation": elekto_site.SCHEMA_GENERATION,
                 "database_schema_generation": refusal.database_generation,
                 "database_release": refusal.database_release}


class HealthFastPath:
    """WSGI middleware around the Django application (see elekto_site/wsgi.py)."""

    def __init__(self, application):
        self.application = application
        self.headers = None

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") != "/health" or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
                or environ.get("wsgi.url_scheme") != "http" or "HTTP_X_FORWARDED_PROTO" in environ):
            return self.application(environ, start_response)
        if self.headers is None:
            return self.application(environ, self._learning(start_response))
        started = time.monotonic()
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _INCOMING_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # What Django's request signals do around a request: drop a connection that is broken or too old.
        connection.close_if_unusable_or_obsolete()
        status, body = database_health()
        payload = json.dumps(body).encode()
        start_response("200 OK" if status == 200 else "503 Service Unavailable",
                       [*self.headers, ("Content-Length", str(len(payload))), ("X-Request-ID", request_id)])
        if status != 200:
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            token = request_id_var.set(request_id)
            try:
                logger.warning("%s /health %s %sms", environ["REQUEST_METHOD"], status, duration_ms,
                               extra={"method": environ["REQUEST_METHOD"], "path": "/health", "status": status,
                                      "duration_ms": duration_ms})
            finally:
                request_id_var.reset(token)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [payload]

    def _learning(self, start_response):
        """Serve this request through Django and keep its headers for the next ones (when it is a 200)."""

        def learn(status, headers, exc_info=None):
            if status.startswith("200"):
                self.headers = [(name, value) for name, value in headers
                                if name.lower() not in ("content-length", "x-request-id", "set-cookie", "vary")]
            return start_response(status, headers, exc_info)

        return learn
