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
    assert set(by_key) == {"steering---2026", "tsc---2099", "board---2024", "council---2025"}
    assert {key: e["status"] for key, e in by_key.items()} == {
        "steering---2026": "running",
        "tsc---2099": "upcoming",
        "board---2024": "completed",
        "council---2025": "completed",
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


def test_the_demos_completed_council_shows_a_cycle_settled_and_a_charter_limit_at_work(client, settings):
    from elections.officers.results import election_tally

    sync_examples()
    call_command("load_ballots", "council---2025", str(EXAMPLE_META / "elections/council/2025/ballots.csv"),
                 stdout=io.StringIO())
    council = Election.objects.get(key="council---2025")
    result = election_tally(council)
    assert (result.ballots, len(result.candidates), result.seats) == (100, 9, 3)
    # First choices in a circle: Ana beats Ben, Ben beats Cleo, Cleo beats Ana.
    beats = result.pairwise
    assert beats["ana"]["ben"] > beats["ben"]["ana"]
    assert beats["ben"]["cleo"] > beats["cleo"]["ben"]
    assert beats["cleo"]["ana"] > beats["ana"]["cleo"]
    # Schulze settles it; the limit of one seat per employer passes Cleo over for Dev.
    assert [group[0] for group in result.ranking[:4]] == ["ana", "ben", "cleo", "dev"]
    assert result.winners == ["ana", "ben", "dev"]
    assert "Dev Raman (dev)" in council.results and "passed over" in council.results

    settings.DEBUG = True
    settings.ELEKTO_DEV_LOGIN = True
    client.post("/login/dev", {"username": "olivia"})
    page = client.get("/app/elections/council---2025/admin/results").content.decode()
    assert "Northwind Systems already holds 1 of at most 1 seats" in page
    assert "<svg" in page and "Why, in plain words" in page
