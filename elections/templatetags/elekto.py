"""Small tags for the election pages, written in Python because they appear in every row of long lists
(an ``{% include %}`` per row made the election list several times slower)."""

from datetime import UTC

from django import template
from django.utils.html import format_html

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
