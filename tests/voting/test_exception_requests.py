"""Exception requests: someone missing from the voter roll asks the officers to be added."""

from datetime import timedelta

import pytest

from elections.models import ExceptionRequest
from elections.voting.exception_requests import exception_request_submit
from elections.voting.services import AlreadyRequested

FORM = {
    "name": "Oscar Outsider",
    "email": "oscar@example.org",
    "chat_handle": "@oscar",
    "contributions": "Reviewed 40 pull requests in sig-docs.",
    "comments": "",
}


def url(election):
    return f"/app/elections/{election.key}/exception"


def test_an_ineligible_user_files_a_request_and_sees_its_status(outsider_client, outsider, running):
    page = outsider_client.get(url(running))
    assert page.status_code == 200 and 'name="contributions"' in page.content.decode()
    response = outsider_client.post(url(running), FORM)
    assert response.status_code == 302
    request = ExceptionRequest.objects.get()
    assert request.requester == outsider and request.status == ExceptionRequest.PENDING
    assert request.contributions == FORM["contributions"]
    html = outsider_client.get(url(running)).content.decode()
    assert "Status: <strong>Pending</strong>" in html
    detail = outsider_client.get(f"/app/elections/{running.key}").content.decode()
    assert "Your exception request is <strong>pending</strong>" in detail


def test_an_approved_request_makes_the_requester_eligible(outsider_client, outsider, running):
    outsider_client.post(url(running), FORM)
    ExceptionRequest.objects.update(status=ExceptionRequest.APPROVED, review_comment="Welcome")
    html = outsider_client.get(url(running)).content.decode()
    assert "Approved" in html and "Welcome" in html
    assert outsider_client.get(f"/app/elections/{running.key}/vote").status_code == 200


def test_one_request_per_user_and_election(outsider_client, outsider, running):
    outsider_client.post(url(running), FORM)
    response = outsider_client.post(url(running), {**FORM, "name": "Again"})
    assert response.status_code == 409
    assert ExceptionRequest.objects.count() == 1
    ExceptionRequest.objects.update(status=ExceptionRequest.DENIED)
    # A denied request is not reopened by asking again, through the view or the service.
    assert outsider_client.post(url(running), FORM).status_code == 409
    with pytest.raises(AlreadyRequested):
        exception_request_submit(election=running, requester=outsider, **FORM)


def test_an_eligible_voter_needs_no_request(voter_client, running):
    assert voter_client.get(url(running)).status_code == 403
    assert voter_client.post(url(running), FORM).status_code == 403
    assert ExceptionRequest.objects.count() == 0


def test_requests_close_at_the_exception_deadline(outsider_client, running, now):
    running.exception_due = now - timedelta(minutes=1)
    running.save()
    response = outsider_client.post(url(running), FORM)
    assert response.status_code == 403
    assert "deadline for exception requests" in response.content.decode()
    assert ExceptionRequest.objects.count() == 0


def test_without_exception_due_requests_close_when_voting_opens(outsider_client, upcoming, running):
    running.exception_due = None
    running.save()
    assert outsider_client.post(url(running), FORM).status_code == 403
    assert outsider_client.post(url(upcoming), FORM).status_code == 302


def test_an_incomplete_request_is_refused_with_messages(outsider_client, running):
    response = outsider_client.post(url(running), {**FORM, "email": "not-an-email", "contributions": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and "This field is required." in html
    assert ExceptionRequest.objects.count() == 0


def test_a_request_is_visible_to_its_requester_only(client, outsider, running, user_factory):
    client.force_login(outsider)
    client.post(url(running), FORM)
    client.force_login(user_factory("someone-else"))
    html = client.get(url(running)).content.decode()
    assert "oscar@example.org" not in html and FORM["contributions"] not in html
    assert 'name="contributions"' in html
