"""Election data built straight into the database, for the browser, security and concurrency tests.

The meta repository import has its own tests; these suites need elections in a precise state (running, upcoming,
completed, with hostile text in them) without depending on files, so they write the rows the import would write.
"""

from datetime import timedelta
from urllib.parse import urlparse

from django.contrib.auth import get_user_model
from django.utils import timezone

from elections.models import Candidate, Election, EligibleVoter, Officer

DEFAULT_CANDIDATES = (
    ("amara", "Amara Okafor"),
    ("bjorn", "Björn Lindqvist"),
    ("chen", "Chen Wei"),
    ("dolores", "Dolores Ruiz"),
)


def window(status, now=None):
    """(start, end) that puts an election in ``status`` at ``now``."""
    now = now or timezone.now()
    if status == Election.RUNNING:
        return now - timedelta(days=1), now + timedelta(days=7)
    if status == Election.UPCOMING:
        return now + timedelta(days=7), now + timedelta(days=14)
    return now - timedelta(days=14), now - timedelta(days=1)


def build_election(
    key="steering---2026",
    *,
    status=Election.RUNNING,
    candidates=DEFAULT_CANDIDATES,
    voters=("alice", "bob", "carol"),
    officers=("olivia",),
    bios=None,
    **fields,
):
    start, end = window(status)
    defaults = {
        "path": key.replace("---", "/"),
        "name": f"Election {key}",
        "organization": "Example Community",
        "start_datetime": start,
        "end_datetime": end,
        "no_winners": 1,
        "allow_no_opinion": True,
        "show_candidate_fields": ["employer"],
        "eligibility": "Contributors with ten or more contributions in the past year.",
        "exception_description": "Ask an officer if your contributions were not counted.",
        "exception_due": end - timedelta(hours=1),
        "description": "## About this election\n\nChoose the committee.",
    }
    defaults.update(fields)
    election = Election.objects.create(key=key, **defaults)
    bios = bios or {}
    Candidate.objects.bulk_create(
        Candidate(
            election=election,
            candidate_id=candidate_id,
            name=name,
            info={"employer": f"{name}'s employer"},
            bio=bios.get(candidate_id, f"## Why I run\n\n{name} wants a better community."),
        )
        for candidate_id, name in candidates
    )
    EligibleVoter.objects.bulk_create(EligibleVoter(election=election, login=login) for login in voters)
    Officer.objects.bulk_create(Officer(election=election, login=login) for login in officers)
    return election


def at(path):
    """A ``wait_for_url`` predicate: the page's path is exactly ``path`` (a glob would also match ?next=path)."""
    return lambda url: urlparse(url).path == path


def user(username):
    return get_user_model().objects.get_or_create(username=username)[0]
