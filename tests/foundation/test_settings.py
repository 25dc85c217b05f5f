"""The site refuses to start when misconfigured, and says why (system checks with stable ids)."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

GOOD_KEY = "a-test-key-that-is-long-and-not-published-0123456789"
GOOD_BOX_KEY = "zW5Jt1rYQe8pKqv3s0cXh2mN4bLd7gFa9oTuRiEwUy0="
GOOD_PEPPER = "a-pepper-that-is-long-and-not-published-0123456789"


def run_python(tmp_path, *args, **env_vars):
    """Run Python in a fresh interpreter with exactly the given environment (plus PATH and a scratch database)."""
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env_vars}
    return subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def run_manage(tmp_path, *args, **env_vars):
    return run_python(tmp_path, "manage.py", *args, **env_vars)


def production_env(**overrides):
    env = {"DEBUG": "off", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "elections.example.org",
           "BALLOT_BOX_KEY": GOOD_BOX_KEY, "PASSPHRASE_PEPPER": GOOD_PEPPER}
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_a_complete_production_configuration_passes_the_checks(tmp_path):
    result = run_manage(tmp_path, "check", **production_env())
    assert result.returncode == 0, result.stderr
    assert "elekto.E" not in result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_manage(tmp_path, "check", **production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "elekto.E001" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("published", ["change-me", "django-insecure-development-only-key"])
def test_it_refuses_a_published_secret_key(tmp_path, published):
    result = run_manage(tmp_path, "check", **production_env(SECRET_KEY=published))
    assert result.returncode != 0
    assert "elekto.E001" in result.stderr


def test_debug_mode_runs_without_a_secret_key(tmp_path):
    result = run_manage(tmp_path, "check", DEBUG="on")
    assert result.returncode == 0, result.stderr


def test_it_refuses_the_development_login_without_debug(tmp_path):
    result = run_manage(tmp_path, "check", **production_env(ELEKTO_DEV_LOGIN="on"))
    assert result.returncode != 0
    assert "elekto.E002" in result.stderr


def test_the_development_login_is_accepted_with_debug(tmp_path):
    result = run_manage(tmp_path, "check", DEBUG="on", ELEKTO_DEV_LOGIN="on")
    assert result.returncode == 0, result.stderr


def test_a_malformed_value_is_a_clear_check_error_not_a_traceback(tmp_path):
    result = run_manage(tmp_path, "check", **production_env(MIN_PASSPHRASE_LENGTH="twelve"))
    assert result.returncode != 0
    assert "elekto.E000" in result.stderr
    assert "MIN_PASSPHRASE_LENGTH" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unsupported_database_is_refused(tmp_path):
    env = production_env(DATABASE_URL="oracle://user:pw@127.0.0.1:1521/elekto")
    result = run_manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "elekto.E003" in result.stderr
    assert "postgres://" in result.stderr


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_a_postgresql_database_is_accepted_with_read_committed(tmp_path, scheme):
    code = (
        "from django.core.management import call_command; call_command('check'); "
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], int(d['OPTIONS']['isolation_level']))"
    )
    env = production_env(DJANGO_SETTINGS_MODULE="elekto_site.settings",
                         DATABASE_URL=f"{scheme}://elekto:pw@db.example:5432/elekto")
    result = run_python(tmp_path, "-c", f"import django; django.setup(); {code}", **env)
    assert result.returncode == 0, result.stderr
    assert "elekto.E003" not in result.stderr
    from psycopg import IsolationLevel

    assert result.stdout.split() == ["django.db.backends.postgresql", "elekto", str(int(IsolationLevel.READ_COMMITTED))]


def test_a_too_short_minimum_passphrase_length_is_refused(tmp_path):
    result = run_manage(tmp_path, "check", **production_env(MIN_PASSPHRASE_LENGTH="4"))
    assert result.returncode != 0
    assert "elekto.E004" in result.stderr


def test_an_empty_allowed_hosts_is_refused_when_debug_is_off(tmp_path):
    result = run_manage(tmp_path, "check", **production_env(ALLOWED_HOSTS=""))
    assert result.returncode != 0
    assert "elekto.E005" in result.stderr


def test_it_refuses_to_start_without_a_ballot_box_key_when_debug_is_off(tmp_path):
    result = run_manage(tmp_path, "check", **production_env(BALLOT_BOX_KEY=None))
    assert result.returncode != 0
    assert "elekto.E010" in result.stderr
    assert "BALLOT_BOX_KEY is not set" in result.stderr


@pytest.mark.parametrize("value", ["too-short", "ZGV2ZWxvcG1lbnQtb25seSBiYWxsb3QgYm94IGtleSE="])
def test_it_refuses_a_malformed_or_published_ballot_box_key(tmp_path, value):
    result = run_manage(tmp_path, "check", **production_env(BALLOT_BOX_KEY=value))
    assert result.returncode != 0
    assert "elekto.E010" in result.stderr


def test_it_refuses_a_malformed_old_ballot_box_key(tmp_path):
    result = run_manage(tmp_path, "check", **production_env(BALLOT_BOX_OLD_KEYS=f"{GOOD_BOX_KEY[:-4]}"))
    assert result.returncode != 0
    assert "BALLOT_BOX_OLD_KEYS is not a ballot box key" in result.stderr


@pytest.mark.parametrize("value", [None, "short-pepper", "development-only-passphrase-pepper-not-secret"])
def test_it_refuses_a_missing_short_or_published_pepper_when_debug_is_off(tmp_path, value):
    result = run_manage(tmp_path, "check", **production_env(PASSPHRASE_PEPPER=value))
    assert result.returncode != 0
    assert "elekto.E011" in result.stderr


def test_the_wsgi_application_refuses_to_start_when_misconfigured(tmp_path):
    result = run_python(tmp_path, "-c", "import elekto_site.wsgi", **production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "elekto.E001" in result.stderr
    assert "will not start" in result.stderr


def test_the_wsgi_application_starts_when_configured(tmp_path):
    result = run_python(tmp_path, "-c", "import elekto_site.wsgi; print('started')", **production_env())
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_mysql_urls_use_utf8mb4_and_strict_mode(tmp_path):
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    result = run_python(
        tmp_path, "-c", code,
        DJANGO_SETTINGS_MODULE="elekto_site.settings", DATABASE_URL="mysql://elekto:pw@db.example:3306/elekto",
    )
    assert result.returncode == 0, result.stderr
    assert '"charset": "utf8mb4"' in result.stdout
    assert "STRICT_TRANS_TABLES" in result.stdout
