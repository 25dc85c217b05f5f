"""Project-wide guarantees: migrations match the models; the pages render; health answers."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_there_are_no_pending_model_changes_without_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_home_page_renders_for_a_visitor(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Community elections" in response.content
    assert b'href="/login' in response.content


@pytest.mark.django_db
def test_health_answers_ok_with_a_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
