"""Production settings: check --deploy is clean, cookies and HTTPS are hardened, static files are hashed."""

import gzip
import json

from tests.production.support import production_env, run_python

CHECK_DEPLOY = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('check', '--deploy', '--fail-level', 'WARNING')"
)

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({name: getattr(s, name, None) for name in ["
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', "
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER', 'SESSION_ENGINE', "
    "'CACHES', 'STORAGES', 'MIDDLEWARE']}, default=str))"
)


def test_check_deploy_reports_no_issue_with_the_production_environment(tmp_path):
    result = run_python(CHECK_DEPLOY, production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout + result.stderr


def test_check_deploy_flags_a_site_that_does_not_redirect_to_https(tmp_path):
    result = run_python(CHECK_DEPLOY, production_env(tmp_path, SECURE_SSL_REDIRECT="off"))

    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_with_debug_off_cookies_are_secure_and_https_is_enforced(tmp_path):
    result = run_python(PRINT_SETTINGS, production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # Sessions in the shared database work whichever replica serves the next request.
    assert values["SESSION_ENGINE"] == "accounts.sessions"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    middleware = values["MIDDLEWARE"]
    assert middleware.index("elekto_site.middleware.RequestLogMiddleware") == 1
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"


def test_with_a_cache_url_sessions_are_cached_and_still_stored_in_the_database(tmp_path):
    result = run_python(PRINT_SETTINGS, production_env(tmp_path, CACHE_URL="dbcache://elekto_cache"))

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "elekto_cache",
    }


def test_malformed_production_variables_stop_the_site_with_a_clear_message(tmp_path):
    env = production_env(
        tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", CACHE_URL="nosuchcache://x", LOG_FORMAT="xml"
    )

    result = run_python(CHECK_DEPLOY, env)

    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER='X-Forwarded-Proto' is not valid: it must be HEADER,value" in result.stderr
    assert "CACHE_URL cannot be used" in result.stderr
    assert "LOG_FORMAT='xml' is not valid" in result.stderr


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path):
    static_root = tmp_path / "static"
    script = (
        "import sys, django; django.setup(); from django.conf import settings; "
        "settings.STATIC_ROOT = sys.argv[1]; from django.core.management import call_command; "
        "call_command('collectstatic', '--noinput', verbosity=0)"
    )

    result = run_python(script, production_env(tmp_path), str(static_root), timeout=120)

    assert result.returncode == 0, result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css" and hashed.startswith("css/site.") and hashed.endswith(".css")
    assert (static_root / hashed).is_file()
    assert gzip.decompress((static_root / f"{hashed}.gz").read_bytes()) == (static_root / hashed).read_bytes()
