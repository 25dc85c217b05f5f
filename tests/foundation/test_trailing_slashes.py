"""Every page answers with or without its trailing slash: a GET of the other spelling is redirected to the page's
own address, a POST is served where it was sent (a redirect would lose the form)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from elections.models import Election, ExceptionRequest
from tests.browser.builders import build_election, user

pytestmark = pytest.mark.django_db

KEY = "steering---2026"
# A value for each part of an address, so that every pattern names a real page.
SAMPLES = {"key": KEY, "candidate_id": "amara", "kind": "ballots.csv", "request_id": "1", "backend": "github",
           "association_id": "1"}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            # Django's admin has its own catch-all for its addresses.
            if getattr(pattern, "app_name", None) != "admin":
                yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _address(route, pk):
    path = route
    for name, value in {**SAMPLES, "pk": str(pk)}.items():
        for converter in ("str", "path", "int", "slug"):
            path = path.replace(f"<{converter}:{name}>", value)
    assert "<" not in path, f"no sample value for {route}"
    return "/" + path


def _other(address):
    return address[:-1] if address.endswith("/") else address + "/"


def addresses():
    """Every address pattern but the home page's (no other spelling) and those whose other spelling is a pattern
    too (Elekto's ``results/``, kept apart from ``results``)."""
    routes = {route for route in _routes(get_resolver().url_patterns) if route and not route.startswith("^")}
    return sorted(route for route in routes if _other(route) not in routes)


@pytest.fixture
def officer_client():
    build_election(KEY, voters=("olivia", "alice"), officers=("olivia",))
    client = Client()
    client.force_login(user("olivia"))
    return client


@pytest.fixture
def exception_pk():
    return ExceptionRequest.objects.create(
        election=Election.objects.get(key=KEY), requester=user("alice"), name="Alice", email="a@example.org",
        contributions="Docs").pk


@pytest.mark.parametrize("route", addresses())
def test_a_get_of_the_other_spelling_is_redirected_to_the_page(route, officer_client, exception_pk):
    page = _address(route, exception_pk)
    other = _other(page)
    response = officer_client.get(other, {"q": "1"})
    assert response.status_code == 301, (other, response.status_code)
    assert response["Location"] == f"{page}?q=1"
    assert officer_client.head(other).status_code == 301


@pytest.mark.parametrize("route", addresses())
def test_a_post_to_the_other_spelling_is_answered_as_at_the_page(route, officer_client, exception_pk):
    page = _address(route, exception_pk)
    other = officer_client.post(_other(page), {})
    # A second officer client, so that a sign-out posted to the first one changes nothing for this one.
    same = Client()
    same.force_login(user("olivia"))
    answer = same.post(page, {})
    # (GitHub's sign-in address carries a fresh state each time: compared without its query.)
    assert (other.status_code, other.get("Location", "").split("?")[0]) == (
        answer.status_code, answer.get("Location", "").split("?")[0])
    assert other.get("Location") not in (page, f"http://testserver{page}"), f"{_other(page)} redirected the form"


def test_a_post_is_served_with_the_pages_own_checks(officer_client):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user("olivia"))
    assert strict.post(f"/app/elections/{KEY}/vote/", {"rank-amara": "1"}).status_code == 403


def test_an_address_of_no_page_either_way_stays_not_found(officer_client):
    assert officer_client.get("/app/elections/nothing/here/").status_code == 404
    assert officer_client.get("/no-such-page/").status_code == 404
    assert officer_client.post("/no-such-page").status_code == 404
