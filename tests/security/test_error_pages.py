"""Requests an attacker or a scanner sends every day get a plain 4xx page, never a server error."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost:99999", "a" * 300])
def test_a_request_for_a_host_the_site_does_not_serve_gets_400(client, host):
    client.raise_request_exception = False
    response = client.get("/elections", HTTP_HOST=host)
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/app/elections/%00", "/elections/a%00b", "/elections?status=%00",
                                  "/app/elections/a/candidates/%00", "/app/elections/" + "x" * 2000,
                                  "/elections/..%2f..%2fetc",
                                  "/app/elections/no-such/candidates/none", "/app/elections/no-such/admin/results"])
def test_odd_paths_get_a_not_found_page(client_for, alice, path):
    client = client_for(alice)
    client.raise_request_exception = False
    assert client.get(path).status_code == 404
