"""/health: 200 with a small JSON body when the database answers, 503 when it does not."""

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db


def test_health_answers_200_when_the_database_answers(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_when_the_database_does_not(client, monkeypatch):
    def unreachable():
        raise OperationalError("(2002, \"Can't connect to server on 'db.internal' (115)\")")

    # The database lies outside the site: make the default connection fail as an unreachable server does.
    monkeypatch.setattr(connections["default"], "cursor", unreachable)

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "OperationalError"}
    assert "db.internal" not in response.content.decode()


def test_health_refuses_writes(client):
    assert client.post("/health").status_code == 405


# --- the fast path: probes answered before Django's request handling --------------------------------------------


def _wsgi_get(application, path="/health", method="GET", **extra):
    import io

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
               "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), **extra}
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.fixture
def fast_path(settings):
    from django.core.handlers.wsgi import WSGIHandler

    from elekto_site.health import HealthFastPath

    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    return HealthFastPath(WSGIHandler())


@pytest.mark.django_db(transaction=True)
def test_a_probe_gets_the_same_answer_and_headers_without_django(fast_path, monkeypatch):
    first = _wsgi_get(fast_path)  # served by Django, whose headers the fast path keeps
    from django.core.handlers import base

    # From now on Django's handler is never reached.
    monkeypatch.setattr(base.BaseHandler, "get_response", lambda *args: pytest.fail("Django handled a probe"))
    second = _wsgi_get(fast_path)
    assert first[0] == second[0] == "200 OK"
    assert first[2] == second[2] == b'{"status": "ok", "database": "ok"}'
    for name in ("Content-Type", "Cache-Control", "Content-Security-Policy", "X-Frame-Options",
                 "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"):
        assert second[1][name] == first[1][name], name
    assert second[1]["X-Request-ID"] != first[1]["X-Request-ID"]
    assert _wsgi_get(fast_path, method="HEAD")[2] == b""
    assert _wsgi_get(fast_path, HTTP_X_REQUEST_ID="ingress-id-1234")[1]["X-Request-ID"] == "ingress-id-1234"


@pytest.mark.django_db(transaction=True)
def test_a_probe_reports_a_database_that_does_not_answer_and_logs_it(fast_path, monkeypatch, caplog):
    _wsgi_get(fast_path)

    def unreachable():
        raise OperationalError("(2002, \"Can't connect to server on 'db.internal' (115)\")")

    monkeypatch.setattr(connections["default"], "cursor", unreachable)
    with caplog.at_level("WARNING", logger="elekto.request"):
        status, headers, body = _wsgi_get(fast_path)
    assert status.startswith("503")
    assert body == b'{"status": "unavailable", "database": "OperationalError"}'
    assert "GET /health 503" in caplog.text
    monkeypatch.undo()
    assert _wsgi_get(fast_path)[0] == "200 OK"


@pytest.mark.django_db(transaction=True)
def test_only_plain_http_get_and_head_of_health_take_the_fast_path(fast_path, monkeypatch):
    _wsgi_get(fast_path)
    handled = []
    from django.core.handlers.wsgi import WSGIHandler

    real = WSGIHandler.__call__

    def spy(self, environ, start_response):
        handled.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        return real(self, environ, start_response)

    monkeypatch.setattr(WSGIHandler, "__call__", spy)
    assert _wsgi_get(fast_path, method="POST")[0].startswith("403")  # CSRF, as for any POST without a token
    _wsgi_get(fast_path, HTTP_X_FORWARDED_PROTO="https")
    _wsgi_get(fast_path, path="/health/")
    assert handled == [("POST", "/health"), ("GET", "/health"), ("GET", "/health/")]
