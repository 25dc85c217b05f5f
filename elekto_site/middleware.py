"""Request id, one log line per request, and the browser security headers Django does not set itself."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.encoding import escape_uri_path

import elekto_site
from elekto_site import schema
from elekto_site.logging import request_id_var

request_logger = logging.getLogger("elekto.request")

# An id from the ingress (ingress-nginx sets X-Request-ID) is kept when it is short and plain, so one id
# follows a request through the proxy's log and ours; anything else is replaced by a fresh one.
_INCOMING_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    """Gives each request an id (``request.id``, the ``X-Request-ID`` response header, every log record made
    while it is served) and logs one line when it is answered: method, path, status, duration.

    Only the path is logged: neither the query string (OAuth callbacks carry codes in it) nor the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = incoming if _INCOMING_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class NulCharacterMiddleware:
    """A path or query string holding a NUL character names nothing on this site: answer 404 at once.

    Such a value would otherwise reach a database lookup, and PostgreSQL refuses text holding NUL with an error
    (a 500 page) where SQLite and MariaDB simply find nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise Http404("No such page.")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy (Django sets X-Frame-Options, Referrer-Policy,
    nosniff and HSTS). A view that needs a different policy sets the header itself; it is kept."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = "; ".join(f"{name} {value}" for name, value in settings.CONTENT_SECURITY_POLICY.items())
        self.permissions_policy = ", ".join(f"{name}=()" for name in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class NotFoundPageMiddleware:
    """With DEBUG on (the demo, development), a page that does not exist gets the site's own 404 page rather than
    Django's debug page, which lists every URL pattern and looks like a crash. Tracebacks of real errors (500)
    still show; the reason for a 404 is logged (``django.request``) as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No resolver match: no URL pattern matched, and Django answered with its debug page.
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        return None


def schema_ahead_response(request, refusal):
    """The 503 page of a write refused by the schema guard (elekto_site.schema); the log line was written."""
    response = render(request, "503_upgrading.html", status=503)
    response["Retry-After"] = "60"
    return response


class SchemaGuardMiddleware:
    """A POST (or any unsafe method) to a process whose code is older than the database's schema is refused with
    a 503 page before the view runs. A write made anywhere else is refused by the guard on the connection
    (elekto_site.schema.guard_writes) and reaches the same page through ``elekto_site.views.server_error``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            refusal = schema.schema_ahead()
            if refusal is not None:
                schema.logger.error("%s", refusal, extra={"schema_database": refusal.database_generation,
                                                         "schema_code": elekto_site.SCHEMA_GENERATION})
                return schema_ahead_response(request, refusal)
        return self.get_response(request)


def _page_at(path):
    """Whether ``path`` names a page. A trailing slash taken into a part of the address (a candidate's
    ``<path:candidate_id>``) names none: no key or ID ends with one."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return not (path.endswith("/") and any(str(value).endswith("/") for value in match.kwargs.values()))


class TrailingSlashMiddleware:
    """Every page answers with or without a trailing slash: its links were typed, pasted and published both
    ways (the voters' pages have none, as in Elekto; the officers' overview and Django's admin have one).

    A GET or HEAD of the other spelling is redirected (301) to the page's own address, with its query string. Any
    other method is never redirected, since a browser would not send the form again: the request is served by the
    page it names, with the page's own checks (CSRF among them). Only addresses that match no page are looked at,
    so the site's own addresses cost nothing; after CommonMiddleware, whose APPEND_SLASH would redirect a POST.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _other_spelling(path):
        if path == "/":
            return None
        return path[:-1] if path.endswith("/") else path + "/"

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            other = self._other_spelling(request.path_info)
            if other and not _page_at(request.path_info) and _page_at(other):
                request.path = request.path[: len(request.path) - len(request.path_info)] + other
                request.path_info = other
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        other = self._other_spelling(request.path_info)
        if other is None or _page_at(request.path_info) or not _page_at(other):
            return response
        target = request.path[: len(request.path) - len(request.path_info)] + other
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(escape_uri_path(target) + (f"?{query}" if query else ""))
