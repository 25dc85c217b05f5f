"""Logging for the site: plain or JSON lines, a request id on every record, and redaction of secrets.

``logging_config(level=..., fmt=...)`` returns the ``LOGGING`` dictionary used by the settings. Every record
goes through one console handler whose filters add the request id and redact what must never reach a log:
passphrases, ballots and ranks, tokens, secrets, cookies, Authorization headers, and any value the current
request posted. This module imports nothing from Django so the settings can import it.
"""

import contextvars
import json
import logging
import re
import time

# The id of the request being served in this thread, set by elekto_site.middleware.RequestLogMiddleware.
request_id_var = contextvars.ContextVar("request_id", default="-")

REDACTED = "[redacted]"

# Names whose values are secret: passphrases (chosen or suggested), ballots (ranks, "No opinion"), tokens, secrets,
# cookies, credentials.
SENSITIVE_NAME = (
    r"passphrase|password|passwd|ranks?|ballot|opinion|suggestion|token|secret|cookie|authorization|signature"
    r"|sessionid|csrfmiddlewaretoken|api[_-]?key|sealed_link|salt|receipt"
)
# A key containing a sensitive name, optionally quoted, e.g. passphrase, 'new_passphrase', HTTP_COOKIE, rank-alice.
_KEY = rf"""(?P<key>["']?[\w.\[\]-]*?(?:{SENSITIVE_NAME})[\w.\[\]-]*["']?)"""
# A value: quoted, a list or a flat dict (a QueryDict or ranks repr), or a bare word with an optional auth scheme.
_VALUE = (
    r"""(?P<value>"[^"]*"|'[^']*'|\[[^\]]*\]|\{[^}]*\}"""
    r"""|(?:(?:Bearer|Basic|Token|sha256=)\s*)?[^\s&,;'"}\]]+)"""
)
_KEY_VALUE = re.compile(rf"{_KEY}(?P<sep>\s*[:=]\s*){_VALUE}", re.IGNORECASE)
# A value that opens a bracket, maybe after a name (a repr such as dict_items([...]) or a nested list): it is
# redacted up to its balancing bracket, nested brackets and quoted text included.
_KEY_BRACKETED = re.compile(rf"{_KEY}(?P<sep>\s*[:=]\s*)(?P<opening>\w*[\[{{(])", re.IGNORECASE)
_CLOSING = {"[": "]", "{": "}", "(": ")"}
# Raw header lines: everything after "Authorization:" or "Cookie:" up to the end of the line is secret.
_HEADER_LINE = re.compile(
    r"(?P<key>\b(?:proxy-)?authorization|\bset-cookie|\bcookie|\bx-hub-signature(?:-256)?)(?P<sep>\s*:\s*)[^\r\n]*",
    re.IGNORECASE,
)
_SENSITIVE_KEY = re.compile(SENSITIVE_NAME, re.IGNORECASE)
# Posted values shorter than this are not searched for in free text (a rank "1" would blank every digit);
# values of sensitive fields are, from this length.
_MIN_POSTED_VALUE = 8
_MIN_SENSITIVE_VALUE = 4

# LogRecord attributes that are not "extra" fields passed by the caller.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _bracketed_end(text, start):
    """The index just past the bracket that balances the one at ``text[start]`` (or the end of ``text``)."""
    expected = []
    quote = None
    i = start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in _CLOSING:
            expected.append(_CLOSING[char])
        elif expected and char == expected[-1]:
            expected.pop()
            if not expected:
                return i + 1
        i += 1
    return len(text)


def _redact_bracketed(text):
    parts = []
    position = 0
    while match := _KEY_BRACKETED.search(text, position):
        end = _bracketed_end(text, match.end() - 1)
        parts.append(f"{text[position:match.start()]}{match['key']}{match['sep']}{REDACTED}")
        position = end
    parts.append(text[position:])
    return "".join(parts)


def redact(text):
    """Return ``text`` with the values of sensitive keys and header lines replaced by ``[redacted]``.

    A value in brackets (a list, a dict, a repr such as ``dict_items([...])``) is replaced up to its balancing
    bracket, however deeply nested.
    """
    text = _HEADER_LINE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)
    text = _redact_bracketed(text)
    return _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)


def _posted_values(record):
    """Values the current request posted, when Django has already parsed them (never read the body here)."""
    request = getattr(record, "request", None)
    post = getattr(request, "_post", None)
    if post is None or not hasattr(post, "lists"):
        return []
    values = []
    for key, items in post.lists():
        shortest = _MIN_SENSITIVE_VALUE if _SENSITIVE_KEY.search(key) else _MIN_POSTED_VALUE
        values.extend(str(v) for v in items if len(str(v)) >= shortest)
    # Longest first, so a value that contains another is replaced whole.
    return sorted(set(values), key=len, reverse=True)


def _scrub(text, posted):
    for value in posted:
        text = text.replace(value, REDACTED)
    return redact(text)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id``: the id of the request being served, or ``-`` outside a request.

    Django logs 4xx and 5xx responses after the middleware has returned, with the request attached to the
    record; its id is taken from there.
    """

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = getattr(getattr(record, "request", None), "id", None) or request_id_var.get()
        return True


class RedactingFilter(logging.Filter):
    """Rewrites a record so that its message, traceback and extra fields carry no secret.

    The message is formatted once and replaced by its redacted text; the traceback is formatted into
    ``exc_text`` and redacted the same way (formatters reuse ``exc_text``). Extra fields with a sensitive
    name are replaced whole.
    """

    def filter(self, record):
        posted = _posted_values(record)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep the template, drop the arguments
            message = str(record.msg)
        record.msg = _scrub(message, posted)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _scrub(record.exc_text, posted)
        if record.stack_info:
            record.stack_info = _scrub(record.stack_info, posted)
        for name in set(vars(record)) - _RECORD_ATTRIBUTES:
            if _SENSITIVE_KEY.search(name):
                setattr(record, name, REDACTED)
        return True


class ClientErrorFilter(logging.Filter):
    """Drops the traceback from Django's log line for a refused request (403, 404, 400): the line itself says
    what was refused, and a traceback there reads like a crash. Server errors (5xx) keep theirs."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.") and status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


# Extra fields copied into a JSON line when a record carries them (the request log line does).
JSON_EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and request fields."""

    def format(self, record):
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in JSON_EXTRA_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str)


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
LOG_FORMATS = ("plain", "json")


def logging_config(*, level="INFO", fmt="plain"):
    """The ``LOGGING`` dictionary: everything to one console handler (stderr), redacted, in ``fmt``."""
    formatter = {"()": JsonFormatter} if fmt == "json" else {"format": PLAIN_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "redact": {"()": RedactingFilter},
            "client_errors": {"()": ClientErrorFilter},
        },
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id", "client_errors", "redact"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own defaults send these to handlers of their own (and to mail_admins); route them
            # through the redacting console handler instead.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # SQL with its parameters would put ranks and sealed links next to a request id: never log it.
            "django.db.backends": {"handlers": [], "level": "WARNING", "propagate": True},
            # At DEBUG, the template engine logs each variable it cannot resolve with the page's whole context:
            # on the voting pages, the voter's ranks, receipt and passphrases. It logs nothing else of use.
            "django.template": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
