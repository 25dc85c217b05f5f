"""Logging: one line per request with its id, JSON on demand, and no secret ever written."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings
from django.test import Client

from elekto_site.logging import logging_config
from tests.production.support import production_env, run_python

PASSPHRASE = "correct-horse-battery-staple-42"
TOKEN = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
SESSION_ID = "k3m9x0q2w8e7r6t5y4u3i2o1p0a9s8d7"


@pytest.fixture
def log_output():
    """Reconfigure logging as the settings do, but into a buffer; return a function that applies a format."""
    buffer = io.StringIO()

    def configure(fmt="plain"):
        config = logging_config(level="INFO", fmt=fmt)
        config["handlers"]["console"]["stream"] = buffer
        logging.config.dictConfig(config)
        return buffer

    yield configure
    logging.config.dictConfig(django_settings.LOGGING)


@pytest.mark.django_db
def test_each_request_logs_one_line_with_its_request_id(client, log_output):
    buffer = log_output("plain")

    response = client.get("/health?code=oauth-code-from-github")

    lines = [line for line in buffer.getvalue().splitlines() if "elekto.request" in line]
    assert len(lines) == 1
    assert f"[{response['X-Request-ID']}] GET /health 200 " in lines[0]
    assert "oauth-code-from-github" not in buffer.getvalue()


@pytest.mark.django_db
def test_json_mode_writes_one_object_per_line_with_the_request_fields(client, log_output):
    buffer = log_output("json")

    response = client.get("/health")

    entries = [json.loads(line) for line in buffer.getvalue().splitlines()]
    request_entries = [e for e in entries if e["logger"] == "elekto.request"]
    assert len(request_entries) == 1
    entry = request_entries[0]
    assert entry["request_id"] == response["X-Request-ID"]
    assert (entry["method"], entry["path"], entry["status"], entry["level"]) == ("GET", "/health", 200, "INFO")
    assert entry["duration_ms"] >= 0
    assert entry["time"].endswith("Z")


@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_records_never_carry_passphrases_ranks_tokens_or_credentials(log_output, fmt):
    buffer = log_output(fmt)
    logger = logging.getLogger("elections.test")

    logger.warning("passphrase=%s for alice", PASSPHRASE)
    logger.warning("ballot received: %s", {"ranks": {"alice": 1, "bob": 2}, "election": "steering-2026"})
    logger.warning("GitHub answered for access_token: %s", TOKEN)
    logger.warning("headers: %s", {"HTTP_AUTHORIZATION": f"token {TOKEN}", "HTTP_COOKIE": f"sessionid={SESSION_ID}"})
    logger.warning("raw request\nAuthorization: Bearer %s\nCookie: sessionid=%s\n", TOKEN, SESSION_ID)
    logger.warning("POST body: passphrase=%s&rank-alice=1&csrfmiddlewaretoken=abcdef123456", PASSPHRASE)
    logger.warning("webhook", extra={"signature": "sha256=" + "ab" * 32, "token": TOKEN})
    try:
        raise ValueError(f"bad form {{'passphrase': ['{PASSPHRASE}']}}")
    except ValueError:
        logger.exception("vote failed")

    output = buffer.getvalue()
    for secret in (PASSPHRASE, TOKEN, SESSION_ID, "abcdef123456", "ab" * 32, "'alice': 1"):
        assert secret not in output
    assert output.count("[redacted]") >= 9
    # What is not secret stays readable.
    assert "for alice" in output and "steering-2026" in output and "vote failed" in output


def test_a_page_context_logged_whole_loses_its_ranks_suggestion_and_receipt(log_output):
    # The shape in which Django's template engine writes a page's context when a variable is missing.
    buffer = log_output("plain")
    context = (
        "{'election': <Election: Steering 2026>, 'ranked': [(1, ['Quokka', 'Zanzibar']), (2, ['Walrus'])], "
        "'no_opinion': ['Marmalade'], 'suggestion': 'rsjf-x5df-w84w-87mr-3hma', 'lowest_rank': 4, "
        "'hidden_ranks': dict_items([('rank-quokka', '1'), ('rank-walrus', '2')]), 'receipt': 'ABCD-EFGH-JKLM', "
        "'min_length': 12}"
    )

    logging.getLogger("elections.test").warning("Failed lookup for key [counted] in %s", context)

    output = buffer.getvalue()
    for secret in ("Quokka", "Zanzibar", "Walrus", "Marmalade", "rsjf-x5df", "rank-quokka", "ABCD-EFGH"):
        assert secret not in output
    # What follows a redacted value is still read as it was.
    assert "'election': <Election: Steering 2026>" in output and "'min_length': 12}" in output


@pytest.mark.django_db
@pytest.mark.urls("tests.production.urls")
def test_a_failing_view_logs_the_error_without_the_posted_passphrase_or_ranks(log_output):
    buffer = log_output("plain")
    client = Client(raise_request_exception=False)

    response = client.post(
        "/test-only/failing-ballot",
        {"passphrase": PASSPHRASE, "rank-alice": "1", "rank-bob": "2", "comment": "a long posted comment"},
    )

    assert response.status_code == 500
    output = buffer.getvalue()
    assert "Internal Server Error: /test-only/failing-ballot" in output
    assert "RuntimeError: could not seal the ballot" in output
    assert f"[{response['X-Request-ID']}] POST /test-only/failing-ballot 500" in output
    assert PASSPHRASE not in output
    assert "a long posted comment" not in output
    assert "rank-alice': ['1']" not in output


def test_the_settings_select_json_logging_from_the_environment(tmp_path):
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('elections').warning('token=%s seen', 'gho_secret_value_123')"
    )

    result = run_python(script, production_env(tmp_path, LOG_FORMAT="json", LOG_LEVEL="WARNING"))

    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["level"] == "WARNING" and entry["logger"] == "elections"
    assert entry["message"] == "token=[redacted] seen"


def test_sql_is_never_logged_even_at_debug_level(tmp_path):
    # SQL parameters hold ranks and sealed links; next to a request id they could tie a ballot to a voter.
    script = (
        "import django; django.setup(); from django.conf import settings; settings.DEBUG = True; "
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('SELECT %s', ['ranks-in-a-query'])"
    )

    result = run_python(script, production_env(tmp_path, LOG_LEVEL="DEBUG"))

    assert result.returncode == 0, result.stderr
    assert "ranks-in-a-query" not in result.stderr
