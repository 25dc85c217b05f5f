"""The count is frozen when the box opens or published ballots are loaded: a later change of its inputs in the meta
repository warns, and changes no published result until an officer recounts (both results kept and shown)."""

import io
import json
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from elections.audit import COUNT_RECOUNT
from elections.models import AuditEvent, Candidate, CountRecord, Election
from elections.officers import exports
from elections.officers.report import report_markdown, steering_report
from elections.officers.results import candidate_names
from elections.voting import services
from meta_sync.services import sync_meta
from tests.browser.builders import build_election, user
from tests.conftest import box_open_now, shared_fixture
from tests.security.conftest import PASSPHRASE

pytestmark = pytest.mark.django_db

KEY = "steering---2023"
# The published 2023 winners (results.md), with a limit of one seat per employer that they all meet.
PUBLISHED_WINNERS = ["soltysh", "pohly", "pacoxu", "justaugustus"]
REPRESENTATION = "\nrepresentation:\n  max_per_organization: 1\n"


@pytest.fixture
def meta(tmp_path):
    """A meta repository holding Kubernetes' steering 2023 folder, with a representation limit declared."""
    folder = tmp_path / "meta" / "elections" / "steering" / "2023"
    shutil.copytree(shared_fixture("meta", "kubernetes", "elections", "steering", "2023"), folder)
    election_yaml = folder / "election.yaml"
    election_yaml.write_text(election_yaml.read_text(encoding="utf-8") + REPRESENTATION, encoding="utf-8")
    return folder


def sync(folder):
    return sync_meta(path=folder.parents[2], election_dir="elections", trigger="test")


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def tally_json(key):
    out = io.StringIO()
    call_command("tally", key, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def everywhere(client):
    """(winners, ballots digest) as the results page, the report, the exports and ``tally`` give them."""
    election = Election.objects.get(key=KEY)
    page = client.get(reverse("officers:results", args=[KEY]))
    assert page.status_code == 200
    winners_on_page = [w["id"] for w in page.context["page"]["winners"]]
    report = steering_report(election)
    result_json = json.loads(exports.export_build(election, exports.RESULT_JSON).content)
    tally = tally_json(KEY)
    return {
        "page": (winners_on_page, page.context["page"]["ballots"]),
        "report": (report.result.winners, report.ballots_sha256),
        "result.json": (result_json["winners"], result_json["ballots_sha256"]),
        "tally": (tally["winners"], tally["ballots_sha256"]),
    }


@pytest.fixture
def officer_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create(username="dims"))
    return client


def test_kubernetes_2023_keeps_its_winners_under_its_ballots_digest_until_an_officer_recounts(meta, officer_client):
    sync(meta)
    call_command("load_ballots", KEY, str(meta / "ballots.csv"), stdout=io.StringIO())
    before = everywhere(officer_client)
    digest = before["tally"][1]
    assert before["page"] == (PUBLISHED_WINNERS, 209)
    assert {name: winners for name, (winners, _) in before.items()} == dict.fromkeys(before, PUBLISHED_WINNERS)
    assert {before["report"][1], before["result.json"][1]} == {digest}

    # Months later: one seat fewer, and two winners' employers changed to that of the first winner.
    edit(meta / "election.yaml", "no_winners: 4", "no_winners: 3")
    edit(meta / "candidate-pohly.md", "employer: Intel Corporation", "employer: Red Hat")
    edit(meta / "candidate-pacoxu.md", "employer: DaoCloud", "employer: Red Hat")
    summary = sync(meta)

    warnings = [w for outcome in summary.as_dict()["elections"] for w in outcome["warnings"]]
    assert any(w.startswith(f"{meta.relative_to(meta.parents[2])}/election.yaml: no_winners changed after the count")
               for w in warnings), warnings
    assert any("candidate-pohly.md: employer changed after the count (counted: Intel Corporation; now: Red Hat)"
               in w for w in warnings), warnings
    assert any("candidate-pacoxu.md: employer changed after the count" in w for w in warnings), warnings
    election = Election.objects.get(key=KEY)
    assert election.no_winners == 3 and set(warnings) <= set(election.sync_warnings)
    assert everywhere(officer_client) == before
    page = officer_client.get(reverse("officers:results", args=[KEY])).content.decode()
    assert "Changed in the meta repository since the count" in page
    assert "counted with Intel Corporation, now Red Hat" in page
    report_page = officer_client.get(reverse("officers:report", args=[KEY])).content.decode()
    assert "What the count used" in report_page and "(pohly)</span>: Intel Corporation" in report_page

    # An officer recounts under the new inputs, with a reason: the new result, and the earlier one kept.
    response = officer_client.post(reverse("officers:recount", args=[KEY]),
                                   {"reason": "The charter now gives the committee three seats."}, follow=True)
    after = everywhere(officer_client)
    assert after["tally"] == (["soltysh", "justaugustus", "ameukam"], digest)
    assert {name: winners for name, (winners, _) in after.items()} == dict.fromkeys(after, after["tally"][0])
    page = response.content.decode()
    assert "Earlier counts" in page
    names = candidate_names(election)
    assert [(e["seats"], e["winners"]) for e in response.context["count"]["earlier"]] == [
        (4, [names[c] for c in PUBLISHED_WINNERS])]
    assert all(names[c] in page for c in PUBLISHED_WINNERS)
    event = AuditEvent.objects.get(action=COUNT_RECOUNT)
    assert event.actor == "dims" and event.detail["reason"] == "The charter now gives the committee three seats."
    assert {c["field"] for c in event.detail["changes"]} == {"no_winners", "employer"}
    assert [r.cause for r in CountRecord.objects.filter(election=election)] == [CountRecord.RECOUNT,
                                                                                 CountRecord.LOADED]
    # The warnings the recount answered are gone, and the next sync has nothing more to say.
    assert not Election.objects.get(key=KEY).sync_warnings
    edit(meta / "election_desc.md", "", "\n")
    assert not [w for outcome in sync(meta).as_dict()["elections"] for w in outcome["warnings"]]


def test_the_published_inputs_recount_the_published_ballots_exactly(meta):
    sync(meta)
    call_command("load_ballots", KEY, str(meta / "ballots.csv"), stdout=io.StringIO())
    edit(meta / "candidate-pohly.md", "employer: Intel Corporation", "employer: Red Hat")
    sync(meta)

    published = tally_json(KEY)
    inputs = published["inputs"]

    assert inputs["seats"] == 4 and inputs["charter"] == {"representation": {
        "field": "employer", "max_per_organization": 1, "continuing": [], "same_organization": []}}
    assert inputs["organizations"]["pohly"] == "Intel Corporation"
    assert inputs["recorded"]["cause"] == CountRecord.LOADED
    # The same inputs, written back into the folder, give the same count from the folder alone.
    edit(meta / "candidate-pohly.md", "employer: Red Hat", f"employer: {inputs['organizations']['pohly']}")
    out = io.StringIO()
    call_command("tally", "--ballots", str(meta / "ballots.csv"), "--election-folder", str(meta), "--format",
                 "json", stdout=out)
    recount = json.loads(out.getvalue())
    assert (recount["winners"], recount["ballots_sha256"]) == (published["winners"], published["ballots_sha256"])
    report = report_markdown(steering_report(Election.objects.get(key=KEY)))
    assert "## What the count used" in report and "Patrick Ohly (pohly): Intel Corporation" in report


def test_opening_the_box_records_the_inputs_and_a_later_seat_change_changes_no_winner():
    election = build_election("club---2026", voters=("v1", "v2", "v3"), officers=("dims",))
    for voter, ranks in (("v1", {"amara": 1, "bjorn": 2, "chen": 3, "dolores": 4}),
                         ("v2", {"amara": 2, "bjorn": 1, "chen": 3, "dolores": 4}),
                         ("v3", {"amara": 1, "bjorn": 3, "chen": 2, "dolores": 4})):
        services.ballot_cast(election=election, voter=user(voter), ranks=ranks,
                             passphrase=PASSPHRASE)
    box_open_now(election)

    record = CountRecord.objects.get(election=election)
    assert record.cause == CountRecord.OPENED and record.inputs["seats"] == 1
    assert record.inputs["candidates"] == ["amara", "bjorn", "chen", "dolores"]
    Election.objects.filter(pk=election.pk).update(no_winners=2)
    Candidate.objects.filter(election=election, candidate_id="bjorn").update(withdrawn=True)
    counted = tally_json("club---2026")
    assert counted["winners"] == ["amara"] and counted["inputs"]["seats"] == 1


def test_recounting_with_nothing_changed_or_without_a_reason_is_refused(meta, officer_client):
    sync(meta)
    call_command("load_ballots", KEY, str(meta / "ballots.csv"), stdout=io.StringIO())
    url = reverse("officers:recount", args=[KEY])

    unchanged = officer_client.post(url, {"reason": "Just to see"}, follow=True).content.decode()
    edit(meta / "election.yaml", "no_winners: 4", "no_winners: 3")
    sync(meta)
    no_reason = officer_client.post(url, {"reason": "  "}, follow=True).content.decode()

    assert "a recount would change nothing" in unchanged
    assert "Give the reason" in no_reason
    assert CountRecord.objects.count() == 1 and not AuditEvent.objects.filter(action=COUNT_RECOUNT).exists()
    assert officer_client.get(url).status_code == 405
    outsider = Client()
    outsider.force_login(get_user_model().objects.create(username="mallory"))
    assert outsider.post(url, {"reason": "mine"}).status_code in (403, 404)
    assert CountRecord.objects.count() == 1
