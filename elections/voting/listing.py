"""Election lists and pages built from parts rendered once per content version.

What a list row or an election's public part shows changes only when the meta sync imports, and when time passes
an election's start or end. The sync raises ``ContentVersion`` in the same transaction as its writes
(``content_changed``); each process keeps what it rendered for the version it last saw, so:

* a page is never behind an import: every request reads the version (one primary-key query) and a new version
  drops everything rendered for the old one;
* a row is rendered once per version, language and status, whatever the number of requests, and a list page
  joins the rows of the page it shows: its cost follows the page, not the number of elections;
* nothing per visitor is ever kept here (no messages, tokens, sign-in state or badges): the page around the rows
  is rendered for each request.
"""

import threading
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from elections.markdown import render_markdown
from elections.models import Candidate, ContentVersion, Election
from elections.templatetags.elekto import public_election_row, status_badge, voter_badge, when_line

# Elections a list page shows.
PAGE_SIZE = 50
LIST_FIELDS = ("key", "name", "organization", "start_datetime", "end_datetime")


# Read on every list and election page: built once, so that a request only copies and compiles it.
_CONTENT_VERSION = ContentVersion.objects.filter(pk=1).values_list("value", flat=True)


def content_version():
    """The current content version (0 before the first import), in one primary-key query."""
    return next(iter(_CONTENT_VERSION.all()), 0)


def content_changed():
    """Raise the content version; call it inside the transaction that changes what election pages show."""
    if not ContentVersion.objects.filter(pk=1).update(value=F("value") + 1):
        ContentVersion.objects.get_or_create(pk=1)
        ContentVersion.objects.filter(pk=1).update(value=F("value") + 1)


@dataclass(frozen=True)
class ListedElection:
    """What a list row needs of an election; shared, read-only, between requests and threads."""

    pk: int
    key: str
    name: str
    organization: str
    start_datetime: object
    end_datetime: object

    UPCOMING, RUNNING, COMPLETED = Election.UPCOMING, Election.RUNNING, Election.COMPLETED
    status_at = Election.status_at


@dataclass(frozen=True)
class ElectionPage:
    """The public part of an election's page: the election (read-only), its standing candidates sorted by name,
    the withdrawn ones, and the description as HTML."""

    election: Election
    candidates: tuple
    withdrawn: tuple
    description: SafeString
    version: int


class _Store:
    """What this process rendered for one content version; emptied when the version changes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version = None
        self.items = {}

    def get(self, version, key, build):
        with self.lock:
            if version != self.version:
                self.version, self.items = version, {}
            if key in self.items:
                return self.items[key]
        value = build()
        with self.lock:
            if version == self.version:
                self.items[key] = value
        return value

    def clear(self):
        with self.lock:
            self.version, self.items = None, {}


_store = _Store()


def forget():
    """Drop everything this process rendered (tests change the database behind the sync's back)."""
    _store.clear()


def listed_elections(version):
    """Every visible election in list order (newest start first), as ``ListedElection`` rows."""
    return _store.get(version, ("elections",), lambda: tuple(
        ListedElection(pk=pk, key=key, name=name, organization=organization, start_datetime=start,
                       end_datetime=end)
        for pk, key, name, organization, start, end in Election.objects.visible().values_list("pk", *LIST_FIELDS)
    ))


def election_page(version, key):
    """The ``ElectionPage`` of the visible election ``key``, or None when there is none."""

    def build():
        election = Election.objects.visible().filter(key=key).first()
        if election is None:
            return None
        candidates = list(Candidate.objects.filter(election=election).order_by("name", "candidate_id"))
        return ElectionPage(
            election=election,
            candidates=tuple(c for c in candidates if not c.withdrawn),
            withdrawn=tuple(c for c in candidates if c.withdrawn),
            description=render_markdown(election.description, baselevel=2),
            version=version,
        )

    return _store.get(version, ("page", key), build)


def shared_part(version, key, render):
    """The HTML ``render()`` returns, rendered once for ``version`` and ``key`` (see ``{% shared_part %}``)."""
    return _store.get(version, key, lambda: mark_safe(render()))  # noqa: S308 - a rendered template


def rows_with_status(elections, status, now):
    """The elections (in order) whose status at ``now`` is ``status``; all of them when ``status`` is empty."""
    if not status:
        return list(elections)
    return [e for e in elections if e.status_at(now) == status]


def paginate(rows, page_number):
    """The ``Page`` of ``rows`` numbered ``page_number`` (the last page for a number past the end, the first for
    anything that is not a number)."""
    return Paginator(rows, PAGE_SIZE).get_page(page_number)


def _cached_row(version, kind, election, status, render):
    key = ("row", kind, translation.get_language(), election.pk, status)
    return _store.get(version, key, lambda: render(election, status))


def public_rows_html(version, elections, now):
    """The ``<li>`` rows of the public list for ``elections``, joined."""
    return mark_safe("".join(  # noqa: S308 - each row is built with format_html
        _cached_row(version, "public", election, election.status_at(now), _public_row)
        for election in elections
    ))


def voter_rows_html(version, elections, now, badges):
    """The ``<li>`` rows of a signed-in list, each with the voter's badge (``badges``: pk -> badge name)."""
    badge_html = {badge: voter_badge(badge) for badge in {*badges.values(), "not-eligible"}}
    parts = []
    for election in elections:
        before, after = _cached_row(version, "voter", election, election.status_at(now), _voter_row)
        parts += ["<li>", before, badge_html[badges.get(election.pk, "not-eligible")], after, "</li>"]
    return mark_safe("".join(parts))  # noqa: S308 - the parts are built with format_html


def _public_row(election, status):
    return "<li>" + public_election_row(election, status) + "</li>"


def _voter_row(election, status):
    before = format_html('<a href="{}">{}</a> {} ', reverse("elections:detail", args=[election.key]), election.name,
                         status_badge(status))
    organization = format_html("{} · ", election.organization) if election.organization else ""
    after = format_html('\n<div class="muted">{}{}</div>', organization, when_line(election, status))
    return before, after
