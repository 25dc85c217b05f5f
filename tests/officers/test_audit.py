"""The audit trail: written with each action, in its transaction; admin actions call the services."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from elections.audit import audit_record
from elections.models import AuditEvent, Election, VoteRecord

from .conftest import cast, make_election

pytestmark = pytest.mark.django_db

ELECTION_YAML = """\
name: Club Board 2030
start_datetime: {start}
end_datetime: {end}
no_winners: 1
election_officers:
  - olivia
eligible_voters:
  - vera
"""


@pytest.fixture
def meta_repo(tmp_path, settings):
    folder = tmp_path / "elections" / "club" / "2030"
    folder.mkdir(parents=True)
    now = timezone.now()
    folder.joinpath("election.yaml").write_text(ELECTION_YAML.format(
        start=(now + timedelta(days=1)).isoformat(), end=(now + timedelta(days=8)).isoformat()))
    folder.joinpath("candidate-ann.md").write_text("---\nname: Ann\nID: ann\n---\nHello.\n")
    settings.META_PATH = tmp_path
    settings.META_REPO = ""
    settings.ELECTION_DIR = "elections"
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_the_actions_transaction(election_a):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor="olivia", action="results.view", election=election_a)
    with transaction.atomic():
        event = audit_record(actor="Olivia", action="results.view", election=election_a, detail={"n": 1})
    assert (event.actor, event.detail) == ("olivia", {"n": 1})


def test_an_audit_row_goes_with_its_failed_action(election_a):
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor="olivia", action="export.ballots.csv", election=election_a)
        raise ValueError("the export failed after its audit row was written")
    assert not AuditEvent.objects.exists()


def test_the_sync_admin_action_runs_the_sync_service_and_is_audited(login, meta_repo, election_a):
    client = login("root")
    response = client.post(reverse("admin:elections_election_changelist"),
                           {"action": "run_sync", "_selected_action": [election_a.pk]}, follow=True)
    assert "Sync finished" in response.content.decode()
    assert Election.objects.filter(key="club---2030", name="Club Board 2030").exists()
    event = AuditEvent.objects.get(action="meta.sync")
    assert (event.actor, event.detail["trigger"]) == ("root", "admin")


def test_only_operators_may_run_a_sync(login, meta_repo, election_a):
    client = login("olivia")
    changelist = client.get(reverse("admin:elections_election_changelist")).content.decode()
    assert 'value="run_sync"' not in changelist
    client.post(reverse("admin:elections_election_changelist"),
                {"action": "run_sync", "_selected_action": [election_a.pk]})
    assert not Election.objects.filter(key="club---2030").exists()
    assert not AuditEvent.objects.exists()


def test_an_officer_destroys_the_ballot_links_of_a_completed_delete_after_election(login, users):
    election = make_election("secret---2026", status="completed", officers=["olivia"], delete_after=True)
    cast(election, {"alice": 1}, voter=users["vera"])
    response = login("olivia").post(reverse("admin:elections_election_changelist"),
                                    {"action": "destroy_ballot_links", "_selected_action": [election.pk]},
                                    follow=True)
    assert "links of 1 vote record destroyed" in response.content.decode()
    record = VoteRecord.objects.get()
    assert bytes(record.sealed_link) == b"" and bytes(record.salt) == b""
    event = AuditEvent.objects.get(election=election)
    assert event.actor == "olivia"


def test_destroying_links_leaves_a_running_election_alone(login, users, election_a):
    election_a.delete_after = True
    election_a.save()
    cast(election_a, {"alice": 1}, voter=users["vera"])
    response = login("olivia").post(reverse("admin:elections_election_changelist"),
                                    {"action": "destroy_ballot_links", "_selected_action": [election_a.pk]},
                                    follow=True)
    assert "Nothing to destroy" in response.content.decode()
    assert bytes(VoteRecord.objects.get().sealed_link) == b"sealed"


def test_officers_read_the_audit_trail_of_their_elections_only(login, election_a, election_b):
    AuditEvent.objects.create(actor="olivia", action="results.view", election=election_a)
    AuditEvent.objects.create(actor="oscar", action="export.ballots.csv", election=election_b)
    AuditEvent.objects.create(actor="root", action="meta.sync")
    page = login("olivia").get(reverse("admin:elections_auditevent_changelist")).content.decode()
    assert "results.view" in page
    assert "export.ballots.csv" not in page and "meta.sync" not in page
    page = login("root").get(reverse("admin:elections_auditevent_changelist")).content.decode()
    assert "export.ballots.csv" in page and "meta.sync" in page


def test_the_sync_button_needs_no_selection_and_only_operators_see_it(login, meta_repo):
    sync_url = reverse("admin:elections_election_sync")
    officer = login("olivia")
    make_election("club---other", officers=["olivia"])
    assert "Sync the meta repository now" not in officer.get(
        reverse("admin:elections_election_changelist")).content.decode()
    assert officer.post(sync_url).status_code == 403
    operator = login("root")
    assert "Sync the meta repository now" in operator.get(
        reverse("admin:elections_election_changelist")).content.decode()
    assert operator.get(sync_url).status_code == 405
    response = operator.post(sync_url, follow=True)
    assert "Sync finished" in response.content.decode()
    assert AuditEvent.objects.get(action="meta.sync").actor == "root"


def test_the_overview_links_to_the_elections_audit_trail_in_the_admin(login, election_a, election_b):
    AuditEvent.objects.create(actor="olivia", action="results.view", election=election_a)
    AuditEvent.objects.create(actor="oscar", action="export.ballots.yaml", election=election_b)
    client = login("olivia")
    page = client.get(reverse("officers:overview", args=[election_a.key])).content.decode()
    link = f"{reverse('admin:elections_auditevent_changelist')}?election__id__exact={election_a.pk}"
    assert link in page
    assert "results.view" in client.get(link).content.decode()
    # The same filter pointed at election B shows nothing of it.
    other = client.get(f"{reverse('admin:elections_auditevent_changelist')}?election__id__exact={election_b.pk}")
    assert "export.ballots.yaml" not in other.content.decode()
    assert "0 audit events" in other.content.decode()
