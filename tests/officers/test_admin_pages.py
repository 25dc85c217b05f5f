"""Every page of the officers' admin through the test client: lists, change pages, refused adds and deletes,
read-only notes, and bounded query counts on the lists."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from elections.admin import officer_admin_site
from elections.models import (
    AuditEvent,
    Ballot,
    Candidate,
    CountRecord,
    Election,
    EligibleVoter,
    ExceptionRequest,
    Officer,
    RollBinding,
    VoteRecord,
)
from meta_sync.models import SyncRun

from .conftest import cast, make_election, make_request

pytestmark = pytest.mark.django_db

ELECTION_MODELS = [Election, Candidate, EligibleVoter, Officer, ExceptionRequest, AuditEvent, RollBinding, CountRecord]
FROM_META_REPOSITORY = [Election, Candidate, EligibleVoter, Officer]


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def populated(users, election_a):
    make_request(election_a, users["mallory"])
    AuditEvent.objects.create(actor="olivia", action="results.view", election=election_a)
    return {
        Election: election_a,
        Candidate: election_a.candidates.first(),
        EligibleVoter: election_a.voters.first(),
        Officer: election_a.officers.first(),
        ExceptionRequest: election_a.exception_requests.first(),
        AuditEvent: AuditEvent.objects.get(),
        RollBinding: RollBinding.objects.create(election=election_a, login="vera", voter=users["vera"],
                                                github_id="1234"),
        CountRecord: CountRecord.objects.create(election=election_a, cause=CountRecord.OPENED,
                                                inputs={"seats": 1, "candidates": ["alice"]}),
    }


def test_the_site_registers_the_election_models_and_never_ballots_or_vote_records():
    # Even a ballot table registered on Django's default site stays out of this one.
    admin.site.register(Ballot)
    try:
        officer_admin_site.get_urls()
    finally:
        admin.site.unregister(Ballot)
    registered = set(officer_admin_site._registry)
    assert set(ELECTION_MODELS) <= registered
    assert not registered & {Ballot, VoteRecord}


@pytest.mark.parametrize("persona", ["olivia", "root"])
@pytest.mark.parametrize("model", ELECTION_MODELS, ids=lambda m: m.__name__)
def test_each_page_opens_read_only_and_refuses_add_and_delete(login, populated, persona, model):
    client = login(persona)
    obj = populated[model]
    assert client.get(url(model, "changelist")).status_code == 200
    change = client.get(url(model, "change", obj.pk))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(url(model, "add")).status_code == 403
    assert client.get(url(model, "delete", obj.pk)).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    assert client.get(url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", FROM_META_REPOSITORY, ids=lambda m: m.__name__)
def test_meta_repository_data_says_where_it_changes(login, populated, model):
    client = login("olivia")
    for page in (client.get(url(model, "changelist")), client.get(url(model, "change", populated[model].pk))):
        assert "comes from the meta repository" in page.content.decode()


def test_an_officer_cannot_change_an_election_by_posting_to_its_page(login, populated, election_a):
    response = login("olivia").post(url(Election, "change", election_a.pk), {"name": "Renamed"})
    assert response.status_code == 403
    election_a.refresh_from_db()
    assert election_a.name == "Election club---a"


def test_the_audit_trail_cannot_be_deleted_even_by_an_operator(login, populated):
    client = login("root")
    event = populated[AuditEvent]
    changelist = client.get(url(AuditEvent, "changelist"))
    assert "delete_selected" not in changelist.content.decode()
    response = client.post(url(AuditEvent, "changelist"), {"action": "delete_selected", "_selected_action": [event.pk]})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in (200, 302)


def test_the_election_page_shows_turnout_and_a_link_to_the_officers_page(login, users, election_a):
    cast(election_a, {"alice": 1}, voter=users["vera"])
    page = login("olivia").get(url(Election, "change", election_a.pk)).content.decode()
    assert "Turnout" in page and "Votes cast over time" in page
    assert reverse("officers:overview", args=[election_a.key]) in page


def test_officers_do_not_see_accounts_or_sync_runs_but_operators_do(login, populated):
    officer = login("olivia")
    user_model = get_user_model()
    index = officer.get(reverse("admin:index")).content.decode()
    assert "Sync runs" not in index and "Users" not in index
    assert officer.get(url(user_model, "changelist")).status_code == 403
    operator = login("root")
    assert operator.get(url(user_model, "changelist")).status_code == 200
    assert operator.get(url(SyncRun, "changelist")).status_code == 200


def test_no_page_offers_to_change_a_password(login, populated):
    page = login("olivia").get(reverse("admin:index")).content.decode()
    assert "Change password" not in page
    response = login("olivia").get(reverse("admin:password_change"))
    assert response.status_code == 302


@pytest.fixture
def crowded(users, django_user_model):
    """An election with 500 voters on the roll, 300 votes and 100 exception requests."""
    election = make_election("crowd---2026", officers=["olivia"], voters=[f"voter{i}" for i in range(500)])
    requesters = django_user_model.objects.bulk_create(django_user_model(username=f"req{i}") for i in range(100))
    ExceptionRequest.objects.bulk_create(
        ExceptionRequest(election=election, requester=u, name=u.username, email=f"{u.username}@example.org",
                         contributions="Code.") for u in requesters
    )
    voters = django_user_model.objects.bulk_create(django_user_model(username=f"v{i}") for i in range(300))
    start = election.start_datetime
    VoteRecord.objects.bulk_create(
        VoteRecord(election=election, voter=v, voted_at=start + timedelta(minutes=7 * i)) for i, v in enumerate(voters)
    )
    AuditEvent.objects.bulk_create(AuditEvent(actor="olivia", action="export.ballots.csv", election=election,
                                              at=timezone.now()) for _ in range(150))
    return election


@pytest.mark.parametrize("persona", ["olivia", "root"])
@pytest.mark.parametrize("model", ELECTION_MODELS, ids=lambda m: m.__name__)
def test_list_pages_use_a_bounded_number_of_queries(login, crowded, persona, model, django_assert_max_num_queries):
    client = login(persona)
    with django_assert_max_num_queries(15):
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200


def test_the_officers_overview_uses_a_bounded_number_of_queries(login, crowded, django_assert_max_num_queries):
    client = login("olivia")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("officers:overview", args=[crowded.key]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "100 pending" in page
    assert "300 (60.0%)" in page


def test_the_read_only_note_names_the_repository_without_credentials(login, populated, settings):
    settings.META_REPO = "https://x-access-token:s3cret@github.com/example/meta"
    page = login("olivia").get(url(Candidate, "changelist")).content.decode()
    assert "https://github.com/example/meta" in page
    assert "s3cret" not in page


def test_the_app_index_lists_only_what_the_officer_may_see(login, populated):
    client = login("olivia")
    page = client.get(reverse("admin:app_list", args=["elections"])).content.decode()
    assert "Exception requests" in page and "Audit events" in page
    assert client.get(reverse("admin:app_list", args=["meta_sync"])).status_code == 404
