"""The bundled example meta repository imports cleanly and the demo shows a running election."""

import io
import json

import pytest
from django.core.management import call_command

from elections.models import Election
from tests.conftest import EXAMPLE_META

pytestmark = pytest.mark.django_db


def sync_examples():
    out = io.StringIO()
    call_command("sync_meta", "--path", str(EXAMPLE_META), "--election-dir", "elections", "--format", "json",
                 stdout=out)
    return json.loads(out.getvalue())


def test_the_example_meta_repository_imports_without_errors():
    summary = sync_examples()
    assert summary["errors"] == []
    by_key = {election["key"]: election for election in summary["elections"]}
    assert set(by_key) == {"steering---2026", "tsc---2099", "board---2024"}
    assert {key: e["status"] for key, e in by_key.items()} == {
        "steering---2026": "running",
        "tsc---2099": "upcoming",
        "board---2024": "completed",
    }
    # "Dave" and "dave" are one voter; the all-digit login 1234 is a login, not a number.
    assert by_key["board---2024"]["voters"] == 5
    assert Election.objects.get(key="board---2024").voters.filter(login="1234").exists()


def test_the_demo_election_shows_on_the_home_page(client):
    sync_examples()
    response = client.get("/")
    assert response.status_code == 200
    assert "Example Community Steering Committee Election" in response.content.decode()


def test_a_demo_voter_can_sign_in_and_open_the_running_election(client, settings):
    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    sync_examples()
    client.post("/login/dev", {"username": "alice"})
    response = client.get("/app/elections/steering---2026")
    assert response.status_code == 200
    assert "Amara Okafor" in response.content.decode()
