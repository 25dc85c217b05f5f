"""Small tags for the election pages, written in Python because they appear in every row of long lists
(an ``{% include %}`` per row made the election list several times slower)."""

import json
from datetime import UTC

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext, pgettext_lazy

from elections.models import Election

register = template.Library()

VOTER_BADGES = {
    "voted": ("voted", pgettext_lazy("voter badge", "✓ Voted")),
    "eligible": ("eligible", pgettext_lazy("voter badge", "Eligible")),
}


def _sentence(text, **pieces):
    """A translated sentence with HTML pieces in it: the sentence is escaped, the pieces are safe HTML."""
    return mark_safe(conditional_escape(text) % {name: conditional_escape(piece) for name, piece in pieces.items()})


def utc_datetime_text(value):
    """``value`` in UTC, written the way the current language writes a date and time (without "UTC")."""
    # Translators: how a date and time are written, in Django's date format syntax (D: short weekday, j: day,
    # M: short month, F: month, Y: year, H:i: 24-hour time; a backslash keeps a letter as it is).
    return dateformat.format(value.astimezone(UTC), pgettext("date and time format", "D j M Y, H:i"))


@register.simple_tag
def app_name():
    """The site's name (``APP_NAME``), for pages rendered without the request's context processors."""
    return settings.APP_NAME


@register.simple_tag
def utc_time(value):
    """A ``<time>`` in UTC, which ``local-time.js`` completes with the reader's local time."""
    if value is None:
        return ""
    value = value.astimezone(UTC)
    return format_html(
        '<time class="js-local-time" datetime="{}">{} UTC</time>',
        value.strftime("%Y-%m-%dT%H:%M:%SZ"),
        utc_datetime_text(value),
    )


@register.filter
def json_text(value):
    """``value`` as compact JSON, keys sorted: how the officers' pages show a recorded input of the count."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.filter
def status_label(status):
    """An election status ("running") as the page's language says it ("Running")."""
    return Election.STATUS_LABELS.get(status, status)


@register.simple_tag
def status_badge(status):
    return format_html(
        '<span class="badge {}"><span class="visually-hidden">{} </span>{}</span>',
        status,
        gettext("Election status:"),
        status_label(status),
    )


@register.simple_tag
def voter_badge(badge):
    css, text = VOTER_BADGES.get(badge, ("not-eligible", pgettext("voter badge", "Not eligible")))
    return format_html('<span class="badge {}">{}</span>', css, text)


def when_line(election, status):
    """The next date that matters for an election in ``status``."""
    if status == Election.UPCOMING:
        return _sentence(gettext("voting opens %(time)s"), time=utc_time(election.start_datetime))
    if status == Election.COMPLETED:
        return _sentence(gettext("voting closed %(time)s"), time=utc_time(election.end_datetime))
    return _sentence(gettext("voting closes %(time)s"), time=utc_time(election.end_datetime))


def public_election_row(election, status):
    """One public list row: the name (to the public page), status, organization and the voting window."""
    organization = format_html('<div class="muted">{}</div>', election.organization) if election.organization else ""
    opens, closes = utc_time(election.start_datetime), utc_time(election.end_datetime)
    if status == Election.UPCOMING:
        opened = _sentence(gettext("Voting opens %(opens)s"), opens=opens)
    else:
        opened = _sentence(gettext("Voting opened %(opens)s"), opens=opens)
    if status == Election.COMPLETED:
        closed = _sentence(gettext("Voting closed %(closes)s"), closes=closes)
    else:
        closed = _sentence(gettext("Voting closes %(closes)s"), closes=closes)
    return format_html(
        '<a href="{}">{}</a>\n{}{}\n<div class="muted">{}</div>\n<div class="muted">{}</div>',
        reverse("elections:public_detail", args=[election.key]),
        election.name,
        status_badge(status),
        organization,
        opened,
        closed,
    )
