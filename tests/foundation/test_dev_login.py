"""The development login exists only with DEBUG and ELEKTO_DEV_LOGIN both on."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def dev_login_on(settings):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True


def test_it_signs_in_as_the_typed_github_login_in_lower_case(client, dev_login_on):
    response = client.post("/login/dev", {"username": "Alice-Smith", "next": "/app"})
    assert response.status_code == 302
    assert response["Location"] == "/app"
    assert get_user_model().objects.filter(username="alice-smith").exists()
    assert client.get("/app").status_code == 200


def test_a_case_variant_signs_in_as_the_same_user(client, dev_login_on):
    client.post("/login/dev", {"username": "alice"})
    client.post("/logout")
    client.post("/login/dev", {"username": "ALICE"})
    assert get_user_model().objects.filter(username__iexact="alice").count() == 1


@pytest.mark.parametrize("debug, flag", [(False, True), (True, False), (False, False)])
def test_it_is_not_there_unless_debug_and_the_flag_are_both_on(client, settings, debug, flag):
    settings.DEBUG = debug
    settings.ELEKTO_DEV_LOGIN = flag
    response = client.post("/login/dev", {"username": "mallory"})
    assert response.status_code == 404
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_the_login_page_offers_it_only_when_enabled(client, settings):
    settings.DEBUG = False
    settings.ELEKTO_DEV_LOGIN = False
    assert "Development login" not in client.get("/login").content.decode()
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    assert "Development login" in client.get("/login").content.decode()


def test_it_rejects_something_that_is_not_a_github_login(client, dev_login_on):
    response = client.post("/login/dev", {"username": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert b"<script>alert(1)</script>" not in response.content
    assert get_user_model().objects.count() == 0


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"])
def test_it_never_redirects_off_site(client, dev_login_on, target):
    response = client.post("/login/dev", {"username": "alice", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/app"


def test_it_refuses_get(client, dev_login_on):
    assert client.get("/login/dev").status_code == 405


def test_logout_needs_post(client, dev_login_on):
    client.post("/login/dev", {"username": "alice"})
    assert client.get("/logout").status_code == 200  # a confirmation page; still signed in
    assert client.get("/app").status_code == 200
    assert client.put("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/app").status_code == 302  # back to the login page
