"""Who reaches the officers' admin and pages, and what each officer sees: their elections, nothing else."""

import pytest
from django.urls import reverse

from elections.models import AuditEvent

from .conftest import make_election, make_request

pytestmark = pytest.mark.django_db


def admin_url(name, *args):
    return reverse(f"admin:elections_{name}", args=args)


def test_an_officer_reaches_the_admin_without_staff_status_or_password(login, users, election_a, election_b):
    assert not users["olivia"].is_staff and not users["olivia"].has_usable_password()
    response = login("olivia").get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert election_a.name in page
    assert election_b.name not in page
    assert reverse("officers:overview", args=[election_a.key]) in page


def test_officer_logins_are_compared_case_insensitively(login, users, election_a, django_user_model):
    # election.yaml listed "Olivia"; a user whose login arrives in another case is still the officer.
    users["olivia"].username = "OLIVIA"
    users["olivia"].save()
    assert login("olivia").get(reverse("admin:index")).status_code == 200


def test_a_signed_in_user_who_officers_nothing_gets_a_clear_refusal(login, election_a):
    client = login("mallory")
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert "not an officer of any current election" in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_the_github_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "next=%2Fadmin%2F" in response.redirect_chain[-1][0]


def test_the_admin_login_page_does_not_redirect_off_site(login, election_a):
    response = login("olivia").get(reverse("admin:login") + "?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_an_archived_election_no_longer_makes_its_officers_officers(login, election_a):
    election_a.archived = True
    election_a.save()
    assert login("olivia").get(reverse("admin:index"), follow=True).status_code == 403


def test_the_officer_admin_link_shows_for_officers_and_operators_only(login, election_a):
    link = reverse("admin:index")
    assert f'href="{link}"' in login("olivia").get(reverse("elections:public_list")).content.decode()
    assert f'href="{link}"' in login("root").get(reverse("elections:public_list")).content.decode()
    assert f'href="{link}"' not in login("mallory").get(reverse("elections:public_list")).content.decode()


@pytest.mark.parametrize("model", ["election", "candidate", "eligiblevoter", "officer", "exceptionrequest",
                                   "auditevent"])
def test_an_officer_of_a_sees_nothing_of_b_in_the_admin_lists(login, users, election_a, election_b, model):
    make_request(election_b, users["mallory"], name="Bea Secret")
    make_request(election_a, users["vera"], name="Ann Visible")
    AuditEvent.objects.create(actor="oscar", action="results.view", election=election_b)
    AuditEvent.objects.create(actor="olivia", action="results.view", election=election_a)
    response = login("olivia").get(admin_url(f"{model}_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert election_b.name not in page
    assert "Bea Secret" not in page and "xena" not in page and "oscar" not in page


def test_an_officer_of_a_cannot_open_b_objects_by_direct_url(login, users, election_a, election_b):
    client = login("olivia")
    request_b = make_request(election_b, users["mallory"], name="Bea Secret")
    event_b = AuditEvent.objects.create(actor="oscar", action="results.view", election=election_b)
    for name, obj in [("election", election_b), ("candidate", election_b.candidates.first()),
                      ("eligiblevoter", election_b.voters.first()), ("officer", election_b.officers.first()),
                      ("exceptionrequest", request_b), ("auditevent", event_b)]:
        response = client.get(admin_url(f"{name}_change", obj.pk))
        # The admin answers "does not exist" (a redirect to the index), never the page.
        assert response.status_code == 302, name
        assert client.get(admin_url(f"{name}_change", obj.pk), follow=True).content.decode().count(
            "Bea Secret") == 0


def test_the_election_filter_lists_only_the_officers_elections(login, election_a, election_b):
    response = login("olivia").get(admin_url("candidate_changelist"))
    assert election_a.name in response.content.decode()
    assert election_b.name not in response.content.decode()


def test_an_operator_sees_every_election(login, election_a, election_b):
    page = login("root").get(admin_url("election_changelist")).content.decode()
    assert election_a.name in page and election_b.name in page


def test_an_officer_of_a_is_refused_b_officer_pages(login, users, election_a, election_b):
    client = login("olivia")
    completed = make_election("club---done", status="completed", officers=["oscar"])
    request_b = make_request(election_b, users["mallory"])
    urls = [
        reverse("officers:overview", args=[election_b.key]),
        reverse("officers:results", args=[completed.key]),
        reverse("officers:export", args=[completed.key, "ballots.csv"]),
        reverse("officers:export", args=[completed.key, "result.json"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("officers:review_exception", args=[election_b.key, request_b.pk]),
                           {"decision": "approve"})
    assert response.status_code == 403
    request_b.refresh_from_db()
    assert request_b.status == "pending"
    assert not AuditEvent.objects.exists()


def test_a_request_of_b_cannot_be_reviewed_through_the_url_of_a(login, users, election_a, election_b):
    request_b = make_request(election_b, users["mallory"])
    response = login("olivia").post(reverse("officers:review_exception", args=[election_a.key, request_b.pk]),
                                    {"decision": "approve"})
    assert response.status_code == 404
    request_b.refresh_from_db()
    assert request_b.status == "pending"


def test_officer_pages_need_sign_in_and_know_no_unknown_election(client, login, election_a):
    response = client.get(reverse("officers:overview", args=[election_a.key]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert login("olivia").get(reverse("officers:overview", args=["club---nope"])).status_code == 404


def test_the_overview_shows_turnout_and_requests_to_the_officer(login, users, election_a):
    make_request(election_a, users["mallory"], name="Mal Lory")
    response = login("olivia").get(reverse("officers:overview", args=[election_a.key]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mal Lory" in page and "Eligible voters" in page
    assert response["Cache-Control"].startswith("max-age=0")
