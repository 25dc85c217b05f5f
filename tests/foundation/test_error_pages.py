"""Error pages in the demo (DEBUG on): the site's own 404 page, and refusals logged without a traceback."""

import io
import logging
import sys

import pytest
from django.core.exceptions import PermissionDenied

from elekto_site.logging import PLAIN_FORMAT, logging_config
from tests.browser.builders import build_election, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True


@pytest.mark.parametrize("path", ["/no-such-page", "/elections/no-such-election", "/app/elections/nope/admin/"])
def test_with_debug_on_an_unknown_page_is_the_sites_404_not_a_list_of_url_patterns(client, debug, path):
    client.force_login(user("alice"))
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no such page" in html
    assert "URLconf" not in html and "DEBUG = True" not in html


def test_with_debug_on_a_server_error_still_shows_its_traceback(client, debug, settings):
    # The 404 page changes nothing about real errors: developers keep Django's debug page for those.
    settings.ROOT_URLCONF = "tests.foundation.broken_urls"
    client.raise_request_exception = False
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Traceback" in response.content.decode()


def console_output(records):
    """Format records exactly as the site's console handler does (its filters and format, in order)."""
    config = logging_config()
    console = config["handlers"]["console"]
    filters = [config["filters"][name]["()"]() for name in console["filters"]]
    formatter = logging.Formatter(PLAIN_FORMAT)
    out = io.StringIO()
    for record in records:
        if all(f.filter(record) for f in filters):
            out.write(formatter.format(record) + "\n")
    return out.getvalue()


def record_with_exception(status, exception):
    """A ``django.request`` record as ``django.utils.log.log_response`` makes it, the exception attached."""
    try:
        raise exception
    except Exception:
        exc_info = sys.exc_info()
    return logging.makeLogRecord({
        "name": "django.request", "levelno": logging.WARNING, "levelname": "WARNING",
        "msg": "Forbidden (Permission denied): %s", "args": ("/app/elections/x/admin/",),
        "status_code": status, "exc_info": exc_info,
    })


def test_a_refused_page_is_logged_in_one_line_without_a_traceback(client, caplog):
    build_election("steering---2026")
    client.force_login(user("mallory"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/app/elections/steering---2026/admin/").status_code == 403
    forbidden = [r for r in caplog.records if r.name == "django.request" and r.status_code == 403]
    assert "Forbidden" in console_output(forbidden)
    output = console_output([record_with_exception(403, PermissionDenied("You are not an officer."))])
    assert "Forbidden (Permission denied)" in output
    assert "Traceback" not in output


def test_a_server_error_is_logged_with_its_traceback():
    output = console_output([record_with_exception(500, RuntimeError("broken"))])
    assert "Traceback" in output and "RuntimeError: broken" in output
