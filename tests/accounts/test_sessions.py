"""Session rows: anonymous visits leave none, an abandoned sign-in leaves one that expires within minutes, and
clearsessions removes the expired ones."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.views import SIGN_IN_START_SECONDS
from tests.browser.builders import build_election

pytestmark = pytest.mark.django_db


def test_anonymous_visits_of_public_pages_and_the_sign_in_page_create_no_session(client):
    build_election("steering---2026")
    for path in ("/", "/elections", "/elections/steering---2026", "/login", "/health", "/logout"):
        client.get(path)
    client.get("/oauth/complete/github/", {"error": "access_denied"})  # a cancelled sign-in
    assert Session.objects.count() == 0


def test_an_abandoned_sign_in_start_keeps_its_session_row_for_minutes_not_weeks(client, settings):
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    start = client.post("/oauth/login/github/", {"next": "/app"})
    assert start.status_code == 302
    (session,) = Session.objects.all()
    lifetime = session.expire_date - timezone.now()
    assert timedelta(seconds=SIGN_IN_START_SECONDS - 60) < lifetime <= timedelta(seconds=SIGN_IN_START_SECONDS)


def test_a_completed_sign_in_gets_a_session_of_the_usual_length_and_leaves_no_start_row(github, settings):
    client = Client()
    github(client, "olivia", 9001)
    (session,) = Session.objects.all()
    assert session.expire_date - timezone.now() > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_clearsessions_deletes_expired_sessions_only(client, settings):
    settings.SOCIAL_AUTH_GITHUB_KEY = "client-id"
    client.post("/oauth/login/github/", {"next": "/app"})
    Client().post("/oauth/login/github/", {"next": "/app"})
    assert Session.objects.count() == 2
    expired = Session.objects.order_by("pk").first()
    Session.objects.filter(pk=expired.pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    call_command("clearsessions")

    assert not Session.objects.filter(pk=expired.pk).exists() and Session.objects.count() == 1


def test_a_github_session_stays_signed_in_and_ends_when_it_expires_or_the_user_is_deactivated(github):
    """Sessions are read with a hand-written query and the user with another: an expired session, a deactivated
    user or a changed password must still sign the browser out, as Django's own backends do."""
    from django.contrib.auth import get_user_model

    def signed_in():
        client = Client()
        github(client, "olivia", 9001)
        assert client.get("/app").status_code == 200
        return client

    client = signed_in()
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/app").status_code == 302

    client = signed_in()
    account = get_user_model().objects.get(username="olivia")
    get_user_model().objects.filter(pk=account.pk).update(is_active=False)
    assert client.get("/app").status_code == 302
    get_user_model().objects.filter(pk=account.pk).update(is_active=True)

    client = signed_in()
    account.set_password("changed-elsewhere")
    account.save()
    assert client.get("/app").status_code == 302


def test_a_session_written_by_djangos_own_backend_is_read_as_it_was_written(github):
    from importlib import import_module

    from django.conf import settings

    client = Client()
    github(client, "olivia", 9001)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    theirs = import_module("django.contrib.sessions.backends.db").SessionStore(key)
    ours = import_module(settings.SESSION_ENGINE).SessionStore(key)
    assert dict(ours.load()) == dict(theirs.load()) != {}
    assert import_module(settings.SESSION_ENGINE).SessionStore("no-such-session-key").load() == {}


def test_the_user_of_a_session_is_loaded_with_every_field_as_the_orm_loads_it(django_user_model):
    from accounts.backends import active_user

    account = django_user_model.objects.create(username="olivia", first_name="Olivia", email="o@example.org",
                                               last_login=timezone.now())
    loaded = active_user(account.pk)
    expected = django_user_model.objects.get(pk=account.pk)
    for field in django_user_model._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded._state.db == "default" and not loaded._state.adding
    assert active_user("not-a-number") is None
    assert active_user(account.pk + 1000) is None
