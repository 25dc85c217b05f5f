"""Whatever a client sends, the voter pages answer with a clear page and a real status code, never a 500."""

from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elections.models import Ballot, SealedBallot, VoteRecord

ALLOWED = {200, 302, 303, 400, 403, 404, 409, 429}

rank_values = st.one_of(
    st.sampled_from(["", "1", "2", "3", "0", "4", "-1", "1.0", " 1", "x", "99999999999999999999"]),
    st.text(max_size=30),
)
field_names = st.sampled_from(["rank-alice", "rank-bob", "rank-carol", "rank-mallory", "rank-", "step", "mode",
                               "passphrase", "passphrase_again", "action"])
bodies = st.dictionaries(field_names, rank_values, max_size=10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, step=st.sampled_from(["review", "cast", "edit", "other", None]))
def test_any_ballot_submission_gets_a_clear_answer(voter_client, running, body, step):
    if step is not None:
        body = {**body, "step": step}
    response = voter_client.post(f"/app/elections/{running.key}/vote", body)
    assert response.status_code in ALLOWED
    # At most one ballot, whatever arrived.
    assert SealedBallot.objects.count() == VoteRecord.objects.count() <= 1
    assert not Ballot.objects.exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_passphrase_submission_gets_a_clear_answer(voter_client, running, body):
    response = voter_client.post(f"/app/elections/{running.key}/confirmation", body)
    assert response.status_code in ALLOWED


def test_an_unexpected_failure_shows_the_error_page_not_a_traceback(client, voter, running):
    client.raise_request_exception = False
    client.force_login(voter)
    with mock.patch("elections.voting.election_views.candidates_for_voter", side_effect=RuntimeError("boom")):
        response = client.get(f"/app/elections/{running.key}")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "boom" not in html and "Traceback" not in html


def test_a_refusal_page_explains_and_links_back(outsider_client, running):
    response = outsider_client.get(f"/app/elections/{running.key}/vote")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>You are not on the voter roll</h1>" in html
    assert f'href="/app/elections/{running.key}"' in html
