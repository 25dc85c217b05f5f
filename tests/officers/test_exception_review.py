"""Officers review exception requests: approve (the requester may then vote) or deny, with a comment,
from their page or from the admin; each review is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from elections.models import AuditEvent, ExceptionRequest
from elections.voting.exception_requests import exception_request_review

from .conftest import make_election, make_request

pytestmark = pytest.mark.django_db


def review(client, row, **data):
    return client.post(reverse("officers:review_exception", args=[row.election.key, row.pk]), data)


def test_an_officer_approves_a_request_and_the_requester_may_vote(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    assert not election_a.is_eligible("mallory")
    response = review(login("olivia"), row, decision="approve", comment="  Maintains the docs site. ")
    assert response.status_code == 302
    assert response["Location"] == reverse("officers:overview", args=[election_a.key])
    row.refresh_from_db()
    assert (row.status, row.reviewed_by, row.review_comment) == ("approved", "olivia", "Maintains the docs site.")
    assert row.reviewed_at is not None
    assert election_a.is_eligible("mallory")
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.election) == ("olivia", "exception.review", election_a)
    assert event.detail == {"request": row.pk, "requester": "mallory", "decision": "approved",
                            "previous": "pending", "comment": "Maintains the docs site."}


def test_the_overview_shows_who_reviewed_and_why(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    client = login("olivia")
    review(client, row, decision="deny", comment="No contributions found.")
    page = client.get(reverse("officers:overview", args=[election_a.key])).content.decode()
    assert "by olivia" in page and "No contributions found." in page
    assert "denied" in page
    assert not election_a.is_eligible("mallory")


def test_a_review_can_be_changed_while_voting_runs_and_each_is_audited(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    client = login("olivia")
    review(client, row, decision="deny")
    review(client, row, decision="approve", comment="Found the contributions after all.")
    row.refresh_from_db()
    assert row.status == "approved"
    details = [e.detail for e in AuditEvent.objects.order_by("at", "pk")]
    assert [(d["previous"], d["decision"]) for d in details] == [("pending", "denied"), ("denied", "approved")]


def test_no_review_once_voting_has_closed(login, users):
    election = make_election("closed---2026", status="completed", officers=["olivia"])
    row = make_request(election, users["mallory"])
    response = review(login("olivia"), row, decision="approve")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "pending"
    assert not AuditEvent.objects.exists()
    page = login("olivia").get(response["Location"]).content.decode()
    assert "can no longer change who may vote" in page


def test_a_review_needs_a_decision_and_a_post(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    client = login("olivia")
    assert client.get(reverse("officers:review_exception", args=[election_a.key, row.pk])).status_code == 405
    review(client, row, decision="maybe")
    row.refresh_from_db()
    assert row.status == "pending"
    assert not AuditEvent.objects.exists()


def test_the_review_returns_only_to_a_same_site_page(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    response = review(login("olivia"), row, decision="deny", next="https://evil.example/")
    assert response["Location"] == reverse("officers:overview", args=[election_a.key])


def test_the_service_refuses_a_reviewer_who_does_not_officer_the_election(users, election_a, election_b):
    row = make_request(election_a, users["mallory"])
    with pytest.raises(PermissionDenied):
        exception_request_review(request=row, reviewer=users["oscar"], approve=True, comment="")
    assert ExceptionRequest.objects.get(pk=row.pk).status == "pending"
    # An operator may review any election's requests.
    exception_request_review(request=row, reviewer=users["root"], approve=True, comment="")
    assert ExceptionRequest.objects.get(pk=row.pk).reviewed_by == "root"


def test_the_service_refuses_after_the_close(users):
    election = make_election("closed---2026", status="completed", officers=["olivia"])
    row = make_request(election, users["mallory"])
    with pytest.raises(ValidationError):
        exception_request_review(request=row, reviewer=users["olivia"], approve=True, comment="")


def test_admin_actions_approve_after_a_confirmation_with_a_comment(login, users, election_a, election_b,
                                                                   django_user_model):
    rows = [make_request(election_a, users["mallory"]), make_request(election_a, users["vera"])]
    other = make_request(election_b, django_user_model.objects.create_user(username="zed"))
    client = login("olivia")
    changelist = reverse("admin:elections_exceptionrequest_changelist")
    selected = [r.pk for r in rows] + [other.pk]
    confirm = client.post(changelist, {"action": "approve", "_selected_action": selected})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Approve 2 requests" in page  # B's request is not in the officer's queryset
    assert ExceptionRequest.objects.filter(status="approved").count() == 0
    done = client.post(changelist, {"action": "approve", "_selected_action": selected, "apply": "1",
                                    "comment": "Welcome"}, follow=True)
    assert "Approved 2 requests." in done.content.decode()
    assert set(ExceptionRequest.objects.filter(status="approved").values_list("pk", flat=True)) == {r.pk for r in rows}
    assert ExceptionRequest.objects.get(pk=other.pk).status == "pending"
    assert AuditEvent.objects.filter(action="exception.review", detail__comment="Welcome").count() == 2


def test_admin_action_deny(login, users, election_a):
    row = make_request(election_a, users["mallory"])
    login("olivia").post(reverse("admin:elections_exceptionrequest_changelist"),
                         {"action": "deny", "_selected_action": [row.pk], "apply": "1", "comment": "No."})
    row.refresh_from_db()
    assert (row.status, row.review_comment, row.reviewed_by) == ("denied", "No.", "olivia")


def test_the_admin_change_page_offers_the_review_form(login, users, election_a):
    row = make_request(election_a, users["mallory"], email="mal@example.org")
    page = login("olivia").get(reverse("admin:elections_exceptionrequest_change", args=[row.pk])).content.decode()
    assert "mal@example.org" in page
    assert reverse("officers:review_exception", args=[election_a.key, row.pk]) in page
    assert 'value="approve"' in page
