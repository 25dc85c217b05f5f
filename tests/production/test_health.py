"""/health: 200 with a small JSON body when the database answers, 503 when it does not."""

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db


def test_health_answers_200_when_the_database_answers(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_when_the_database_does_not(client, monkeypatch):
    def unreachable():
        raise OperationalError("(2002, \"Can't connect to server on 'db.internal' (115)\")")

    # The database lies outside the site: make the default connection fail as an unreachable server does.
    monkeypatch.setattr(connections["default"], "cursor", unreachable)

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "OperationalError"}
    assert "db.internal" not in response.content.decode()


def test_health_refuses_writes(client):
    assert client.post("/health").status_code == 405
