"""Election lists and pages built from parts rendered once per content version: never behind an import, never
holding anything of one visitor for another, paginated, filtered by status."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from elections.voting import listing
from meta_sync.services import sync_meta
from tests.meta_sync.conftest import MetaRepo

from .conftest import make_election


@pytest.fixture
def meta_repo(tmp_path):
    return MetaRepo(tmp_path / "meta")


def _sync(repo):
    summary = sync_meta(path=repo.root, election_dir="elections", trigger="command")
    assert summary.exit_code == 0, summary.as_dict()
    return summary


@pytest.mark.django_db
def test_a_page_shows_an_import_at_once_to_every_kind_of_visitor(meta_repo, voter):
    meta_repo.add_election("board/2030", name="Board Election 2030", voters=(voter.username,))
    _sync(meta_repo)
    visitor, member = Client(), Client()
    member.force_login(voter)
    pages = ["/elections", "/elections/board---2030", "/app/elections", "/app/elections/board---2030"]
    for path in pages:
        client = member if path.startswith("/app") else visitor
        assert "Board Election 2030" in client.get(path).content.decode()

    meta_repo.edit("board/2030/election.yaml", "Board Election 2030", "Governing Board 2030")
    meta_repo.edit("board/2030/election_desc.md", "# Board Election 2030", "# A new description")
    _sync(meta_repo)
    for path in pages:
        html = (member if path.startswith("/app") else visitor).get(path).content.decode()
        assert "Governing Board 2030" in html and "Board Election 2030" not in html, path
    assert "A new description" in visitor.get("/elections/board---2030").content.decode()

    meta_repo.remove("board/2030")
    _sync(meta_repo)
    assert "Governing Board 2030" not in visitor.get("/elections").content.decode()
    assert visitor.get("/elections/board---2030").status_code == 404
    assert member.get("/app/elections/board---2030").status_code == 404


@pytest.mark.django_db
def test_an_import_raises_the_content_version_and_a_no_op_sync_does_not(meta_repo):
    meta_repo.add_election("board/2030")
    _sync(meta_repo)
    version = listing.content_version()
    _sync(meta_repo)
    assert listing.content_version() == version
    meta_repo.edit("board/2030/election.yaml", "Test Election", "Renamed Election")
    _sync(meta_repo)
    assert listing.content_version() == version + 1


@pytest.mark.django_db
def test_the_status_shown_follows_the_clock_without_an_import(client):
    now = timezone.now()
    make_election("soon---2030", start=now + timedelta(minutes=5), end=now + timedelta(days=5), name="Soon")
    html = client.get("/elections").content.decode()
    assert 'class="badge upcoming"' in html and "Voting opens" in html
    later = now + timedelta(minutes=10)
    with mock.patch("django.utils.timezone.now", return_value=later):
        html = client.get("/elections").content.decode()
        assert 'class="badge running"' in html and 'class="badge upcoming"' not in html
        assert client.get("/elections?status=running").context["elections"][0].key == "soon---2030"


@pytest.mark.django_db
def test_a_message_for_one_visitor_is_never_shown_to_another(client, running):
    # A failed sign-in leaves a message for that visitor; the next page they see shows it.
    first = client.get("/oauth/complete/github/?error=access_denied", follow=True)
    assert first.status_code == 200
    assert "rejected" in first.content.decode() or "cancel" in first.content.decode().lower()
    for path in ("/elections", f"/elections/{running.key}", "/"):
        other = Client().get(path)
        html = other.content.decode()
        assert 'class="messages"' not in html, path
        assert "rejected" not in html and "cancelled" not in html.lower(), path


@pytest.mark.django_db
def test_a_public_page_viewed_signed_in_never_shows_that_user_to_a_visitor(voter, running):
    member = Client()
    member.force_login(voter)
    assert voter.username in member.get("/elections").content.decode()
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get("/elections").content.decode()
    assert voter.username not in html and "Sign out" not in html


@pytest.mark.django_db
def test_each_visitor_gets_their_own_csrf_token_on_public_pages(running, settings):
    # The sign-in page carries a form (and so a token) when GitHub sign-in is configured.
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    settings.SOCIAL_AUTH_GITHUB_SECRET = "client-secret"
    tokens = set()
    for _ in range(2):
        visitor = Client()
        visitor.get(f"/elections/{running.key}")
        visitor.get("/login")
        tokens.add(visitor.cookies["csrftoken"].value)
    assert len(tokens) == 2


@pytest.mark.django_db
def test_lists_are_paginated_newest_first_and_keep_the_status_filter(client, voter):
    now = timezone.now()
    for number in range(listing.PAGE_SIZE + 5):
        make_election(f"history---{number:03d}", start=now - timedelta(days=400 - number),
                      end=now - timedelta(days=390 - number), name=f"History {number:03d}", candidates=())
    first = client.get("/elections?status=completed")
    assert len(first.context["elections"]) == listing.PAGE_SIZE
    assert first.context["elections"][0].key == f"history---{listing.PAGE_SIZE + 4:03d}"
    html = first.content.decode()
    assert f"Elections 1–{listing.PAGE_SIZE} of {listing.PAGE_SIZE + 5}" in html
    assert 'href="?status=completed&amp;page=2"' in html
    second = client.get("/elections?status=completed&page=2")
    assert [e.key for e in second.context["elections"]] == [f"history---{n:03d}" for n in range(4, -1, -1)]
    # A page past the end shows the last page; a page that is not a number, the first.
    assert client.get("/elections?page=99").context["elections"][0].key == "history---004"
    assert client.get("/elections?page=x").context["elections"][0].key == "history---054"
    client.force_login(voter)
    assert len(client.get("/app/elections?page=2").context["elections"]) == 5


@pytest.mark.django_db
def test_the_public_list_filters_by_status_and_refuses_an_unknown_filter(client, running, upcoming, completed):
    for status, election in (("running", running), ("upcoming", upcoming), ("completed", completed)):
        response = client.get(f"/elections?status={status}")
        assert [e.key for e in response.context["elections"]] == [election.key]
        assert 'aria-current="page">' + status.capitalize() in response.content.decode()
    assert len(client.get("/elections").context["elections"]) == 3
    assert client.get("/elections?status=everything").status_code == 400


@pytest.mark.django_db
def test_signed_in_lists_take_the_same_queries_for_ten_or_a_hundred_elections(
    voter, django_assert_max_num_queries
):
    member = Client()
    member.force_login(voter)
    now = timezone.now()

    def add(count, offset):
        for number in range(offset, offset + count):
            make_election(f"many---{number:03d}", start=now - timedelta(days=1), end=now + timedelta(days=1),
                          voters=[voter.username] if number % 2 else [], candidates=())

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        listing.forget()
        counts = []
        for path in ("/app", "/app/elections", "/elections"):
            member.get(path)
            with CaptureQueriesContext(connection) as captured:
                assert member.get(path).status_code == 200
            counts.append(len(captured))
        return counts

    add(10, 0)
    few = queries()
    add(90, 10)
    assert queries() == few
    with django_assert_max_num_queries(8):
        member.get("/app/elections")


@pytest.mark.django_db
def test_shared_parts_of_an_election_page_follow_the_version_language_and_status(voter_client, running, now):
    """The window, description and candidate links are rendered once per content version, language and status:
    each part keeps its own place (an election and a candidate with the same id do not share one), a new version
    shows the new text, another language its own words, and a status change its own window."""
    url = f"/app/elections/{running.key}"
    first = voter_client.get(url).content.decode()
    assert first.count("Contributors with 50 or more contributions.") == 1
    for name in ("Alice", "Bob", "Carol"):
        assert f">{name}</a></li>" in first

    type(running).objects.filter(pk=running.pk).update(description="A new description for the voters.")
    assert "A new description" not in voter_client.get(url).content.decode()  # no import: the version is the same
    listing.content_changed()
    assert "A new description for the voters." in voter_client.get(url).content.decode()

    german = voter_client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Abstimmung" in german and "Voting closes" not in german

    # No import, only time passing the end: the window part of the new status is rendered.
    with mock.patch("django.utils.timezone.now", return_value=running.end_datetime + timedelta(minutes=1)):
        closed = voter_client.get(url).content.decode()
    assert "Voting closed" in closed and "Voting closes" not in closed
