"""CSRF: every URL of the site refuses a POST without a valid token, except the two that are signed otherwise.

The URLs are enumerated from the URLconf, so a view added later (and a form on it) is covered without anyone
remembering to add it here; a new ``csrf_exempt`` view fails this test until it is listed below with its reason.
"""

import logging

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from elections.models import ExceptionRequest
from tests.security.conftest import KEY, vote_form

# Views that may accept a POST without a CSRF token, and what authenticates them instead.
CSRF_EXEMPT = {
    "meta_sync:webhook_sync": "GitHub webhook, authenticated by the HMAC signature of its body",
    "social:complete": "OAuth callback from GitHub, bound to the session by the OAuth state parameter",
    "github_callback": "Elekto's OAuth callback path, kept for OAuth apps moved from Elekto: social:complete's view",
    "set_language": "the language switcher: it changes only the display language, and its form is on cached pages",
}


def _parameter_names(pattern):
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def named_routes(patterns=None, namespace=""):
    """(full name, names of its URL parameters) for every named route of the URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            for name, params in named_routes(pattern.url_patterns, inner):
                yield name, _parameter_names(pattern) + params
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", _parameter_names(pattern)


@pytest.fixture
def sample_values(election, mallory, operator):
    request_row = ExceptionRequest.objects.create(
        election=election, requester=mallory, name="Mallory", email="m@example.org", contributions="Things."
    )
    return {
        "key": KEY,
        "candidate_id": "amara",
        "pk": request_row.pk,
        "kind": "ballots.csv",
        "object_id": str(request_row.pk),
        "app_label": "elections",
        "backend": "github",
        "association_id": "1",
        "content_type_id": "1",
        "user_id": str(operator.pk),
    }


def reversed_routes(sample_values):
    routes, unreachable = [], []
    for name, params in named_routes():
        kwargs = {param: sample_values.get(param, "1") for param in params}
        try:
            routes.append((name, reverse(name, kwargs=kwargs)))
        except NoReverseMatch:
            unreachable.append(name)
    return routes, unreachable


@pytest.fixture
def operator_voter(operator, election):
    # The operator is also an officer and a voter of the election, so every view would act on a POST.
    election.officers.create(login=operator.username)
    election.voters.create(login=operator.username)
    return operator


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_a_csrf_token(client_for, operator_voter, sample_values, caplog, settings):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    routes, unreachable = reversed_routes(sample_values)
    assert not unreachable, f"routes the test cannot build a URL for: {unreachable}"
    assert len(routes) > 20
    client = client_for(operator_voter, csrf=True)
    accepted = []
    for name, path in routes:
        if name in CSRF_EXEMPT:
            continue
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
            response = client.post(path, {"username": "mallory", "decision": "approve", "action": "revoke",
                                          **vote_form({"amara": 1}, step="cast")})
        refused = any(record.name == "django.security.csrf" for record in caplog.records)
        if not (refused and response.status_code == 403):
            accepted.append(f"{name} {path} -> {response.status_code}")
    assert not accepted, "POSTs without a CSRF token that were not refused:\n" + "\n".join(accepted)


@pytest.mark.django_db
def test_the_forms_of_the_site_are_among_the_routes_checked(sample_values):
    routes = dict(reversed_routes(sample_values)[0])
    for name in ("accounts:dev_login", "accounts:logout", "elections:vote", "elections:confirmation",
                 "elections:exception", "officers:review_exception"):
        assert name in routes


@pytest.mark.django_db
def test_every_csrf_exempt_view_is_listed_with_its_reason(client_for, sample_values, caplog):
    routes, _ = reversed_routes(sample_values)
    client = client_for(csrf=True)
    client.raise_request_exception = False
    exempt = set()
    for name, path in routes:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
            client.post(path, {})
        if not any(record.name == "django.security.csrf" for record in caplog.records):
            exempt.add(name)
    assert exempt == set(CSRF_EXEMPT)


@pytest.mark.django_db
def test_a_post_with_a_valid_token_is_accepted(client_for, settings):
    """The control: the refusals above come from the missing token, not from the test client."""
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    client = client_for(csrf=True)
    client.get(reverse("accounts:login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(reverse("accounts:dev_login"), {"username": "alice", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(reverse("elections:dashboard")).status_code == 200


@pytest.mark.django_db
def test_a_token_from_another_session_is_refused(client_for, alice, election, settings):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    attacker = client_for(csrf=True)
    attacker.get(reverse("accounts:login"))
    foreign_token = attacker.cookies[settings.CSRF_COOKIE_NAME].value
    victim = client_for(alice, csrf=True)
    response = victim.post(reverse("elections:vote", args=[KEY]),
                           {**vote_form({"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}, step="cast"),
                            "csrfmiddlewaretoken": foreign_token})
    assert response.status_code == 403
    assert not election.ballots.exists() and not election.sealed_ballots.exists()
