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
