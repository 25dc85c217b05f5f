"""Small tags for the election pages, written in Python because they appear in every row of long lists
(an ``{% include %}`` per row made the election list several times slower)."""

from datetime import UTC

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from elections.models import Election

register = template.Library()

VOTER_BADGES = {
    "voted": ("voted", "✓ Voted"),
    "eligible": ("eligible", "Eligible"),
}


@register.simple_tag
def utc_time(value):
    """A ``<time>`` in UTC, which ``local-time.js`` completes with the reader's local time."""
    if value is None:
        return ""
    value = value.astimezone(UTC)
    return format_html(
        '<time class="js-local-time" datetime="{}">{} {} {} {}, {} UTC</time>',
        value.strftime("%Y-%m-%dT%H:%M:%SZ"),
        value.strftime("%a"),
        value.day,
        value.strftime("%b"),
        value.year,
        value.strftime("%H:%M"),
    )


@register.simple_tag
def status_badge(status):
    return format_html(
        '<span class="badge {}"><span class="visually-hidden">Election status: </span>{}</span>',
        status,
        status.capitalize(),
    )


@register.simple_tag
def voter_badge(badge):
    css, text = VOTER_BADGES.get(badge, ("not-eligible", "Not eligible"))
    return format_html('<span class="badge {}">{}</span>', css, text)


@register.simple_tag
def election_row(election, now=None):
    """One signed-in list row: the election's name (to its page), status, the voter's badge, and the next
    date that matters. ``election`` carries ``badge`` (see elections.views)."""
    status = election.status_at(now or timezone.now())
    if status == Election.UPCOMING:
        when = format_html("voting opens {}", utc_time(election.start_datetime))
    elif status == Election.COMPLETED:
        when = format_html("voting closed {}", utc_time(election.end_datetime))
    else:
        when = format_html("voting closes {}", utc_time(election.end_datetime))
    organization = format_html("{} · ", election.organization) if election.organization else ""
    return format_html(
        '<a href="{}">{}</a> {} {}\n<div class="muted">{}{}</div>',
        reverse("elections:detail", args=[election.key]),
        election.name,
        status_badge(status),
        voter_badge(election.badge),
        organization,
        when,
    )
