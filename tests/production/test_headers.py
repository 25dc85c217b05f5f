"""Security headers on every response: CSP without inline script, framing, referrer, HSTS, request id."""

import re

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.django_db


def _csp(response):
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.split()
    return directives


@pytest.mark.parametrize("url", ["/health", "/no-such-page"])
def test_every_response_carries_the_browser_security_headers(client, url):
    response = client.get(url)

    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert {"camera=()", "microphone=()", "geolocation=()"} <= set(response["Permissions-Policy"].split(", "))


def test_no_template_needs_inline_script_or_style():
    # The policy allows scripts and styles only from static files; inline ones would be blocked.
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(REPO_ROOT)}: {match.group(0).strip()}"
        for path in sorted((REPO_ROOT / "templates").rglob("*.html"))
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_it_sends_hsts_over_https_only(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    assert client.get("/health", secure=True)["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "Strict-Transport-Security" not in client.get("/health")


def test_behind_the_proxy_it_redirects_plain_http_to_https_except_health(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600

    plain = client.get("/elections/", headers={"X-Forwarded-Proto": "http"})
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/elections/"

    proxied = client.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"].startswith("max-age=3600")

    # Kubernetes probes reach the pod over plain HTTP.
    assert client.get("/health").status_code == 200


def test_each_response_has_its_own_request_id(client):
    first = client.get("/health")["X-Request-ID"]
    second = client.get("/health")["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_it_keeps_the_request_id_set_by_the_ingress(client):
    response = client.get("/health", headers={"X-Request-ID": "2f1e6b0c9d8a4f3e8b7c6d5e4f3a2b1c"})

    assert response["X-Request-ID"] == "2f1e6b0c9d8a4f3e8b7c6d5e4f3a2b1c"


@pytest.mark.parametrize("incoming", ["<script>alert(1)</script>", "x" * 200, "short", "id with spaces here"])
def test_it_replaces_a_request_id_that_is_not_a_plain_token(client, incoming):
    response = client.get("/health", headers={"X-Request-ID": incoming})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
