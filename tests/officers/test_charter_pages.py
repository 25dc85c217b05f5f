"""Officers' pages for the charter: rules disclosed on the results page and in the exports, disqualification,
reopening a counted election, the robustness panel and the report to the steering body."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from elections.audit import CANDIDATE_DISQUALIFY, CANDIDATE_REINSTATE
from elections.counting.tally import ballots_digest, read_ballots_csv
from elections.models import AuditEvent, BallotBox, Disqualification
from elections.officers.results import election_tally
from tests.officers.conftest import cast_many, make_election, make_request

pytestmark = pytest.mark.django_db

# Wikipedia's Schulze example (45 voters): Schulze elects E, Ranked Pairs A.
WIKIPEDIA = [(5, "acbed"), (5, "adecb"), (8, "bedac"), (3, "cabed"), (7, "caebd"), (2, "cbade"), (7, "dceba"),
             (8, "ebadc")]
EMPLOYERS = {"a": "Acme", "b": "Globex", "c": "acme ", "d": "", "e": "Acme"}


def charter_election(status="completed", **fields):
    election = make_election("steering---2026", status=status, officers=["olivia"], candidates=list("abcde"),
                             voters=[f"voter{i}" for i in range(60)], seats=3, **fields)
    for candidate in election.candidates.all():
        candidate.info = {"employer": EMPLOYERS[candidate.candidate_id]}
        candidate.name = candidate.candidate_id.upper() + " Person"
        candidate.save()
    cast_many(election, [(n, {c: i + 1 for i, c in enumerate(order)}) for n, order in WIKIPEDIA])
    return election


KUBERNETES_RULES = {
    "representation": {"field": "employer", "max_per_organization": 2,
                       "continuing": [{"login": "member", "organization": "ACME"}], "same_organization": []},
    "seat_terms": [{"seats": 2, "term": "two years"}, {"seats": 1, "term": "one year"}],
}


def test_the_results_page_applies_and_discloses_the_limit_and_the_seat_terms(login):
    # Ranking E, A, C, B, D; Acme already has a continuing member, so E joins and A and C are passed over.
    election = charter_election(charter=KUBERNETES_RULES)

    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()

    assert "Charter rules" in page
    assert "A Person (place 2) was passed over by the representation limit" in page
    assert "Acme already holds 2 of at most 2 seats: member (continuing), E Person (elected)" in page
    assert "B Person took the seat instead." in page
    assert "Proportional representation limits were invoked for this election." in page
    assert "<td>two years</td>" in page and "<td>one year</td>" in page
    # The robustness panel flags the first seat.
    assert "Would another method have changed it?" in page
    assert "Seat 1: Schulze elects E Person; Ranked Pairs would elect A Person." in page


def test_the_results_page_says_which_candidates_were_counted_as_having_no_organization(login):
    election = charter_election(charter={"representation": {"max_per_organization": 1}})
    election.candidates.filter(candidate_id="b").update(info={"employer": "NA - Independent"})

    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()

    assert ("Counted as having no organization, so never against the limit: B Person (“NA - Independent”), "
            "D Person (no “employer” given).") in page
    # Acme holds its one seat; B and D never count against the limit.
    assert election_tally(election).winners == ["e", "b", "d"]


def test_the_draft_results_md_and_result_json_disclose_the_rules(login):
    election = charter_election(charter=KUBERNETES_RULES)
    client = login("olivia")

    markdown = client.get(reverse("officers:export", args=[election.key, "results.md"])).content.decode()
    data = client.get(reverse("officers:export", args=[election.key, "result.json"])).json()

    assert "1. E Person (e)\n2. B Person (b)\n3. D Person (d)" in markdown
    assert "| 1 | E Person (e) | two years |" in markdown
    assert "\n\nProportional representation limits were invoked for this election.\n" in markdown
    assert data["winners"] == ["e", "b", "d"]
    assert [s["candidate"] for s in data["charter"]["skipped"]] == ["a", "c"]
    assert data["charter"]["limits_invoked"] is True


def test_an_officer_disqualifies_a_candidate_after_the_close_and_the_seats_move_down(login):
    election = charter_election()
    client = login("olivia")

    response = client.post(reverse("officers:disqualify", args=[election.key]),
                           {"candidate": "e", "reason": "Campaigned with company resources"})

    assert response.status_code == 302
    row = Disqualification.objects.get(candidate__election=election)
    assert (row.candidate.candidate_id, row.decided_by) == ("e", "olivia")
    event = AuditEvent.objects.get(action=CANDIDATE_DISQUALIFY)
    assert event.detail == {"candidate": "e", "reason": "Campaigned with company resources"}
    page = client.get(reverse("officers:results", args=[election.key])).content.decode()
    assert "E Person was disqualified: Campaigned with company resources." in page
    markdown = client.get(reverse("officers:export", args=[election.key, "results.md"])).content.decode()
    assert "1. A Person (a)\n2. C Person (c)\n3. B Person (b)" in markdown
    assert "| 1 | E Person (e) (disqualified) |" in markdown

    client.post(reverse("officers:reinstate", args=[election.key]), {"candidate": "e", "reason": "Mistaken"})
    assert not Disqualification.objects.exists()
    assert AuditEvent.objects.filter(action=CANDIDATE_REINSTATE).count() == 1


def test_disqualifying_needs_a_reason_the_close_an_officer_and_a_post(login):
    running = charter_election(status="running")
    client = login("olivia")
    url = reverse("officers:disqualify", args=[running.key])

    client.post(url, {"candidate": "e", "reason": "Too early"})
    assert not Disqualification.objects.exists()
    # Not even what it would change: that is a result, and there is none before the close.
    assert client.get(url, {"candidate": "e"}).status_code == 403
    assert client.put(url).status_code == 405

    completed = make_election("other---2026", status="completed", officers=["olivia"])
    client.post(reverse("officers:disqualify", args=[completed.key]), {"candidate": "alice", "reason": "  "})
    assert not Disqualification.objects.exists()
    assert login("mallory").post(reverse("officers:disqualify", args=[completed.key]),
                                 {"candidate": "alice", "reason": "x"}).status_code == 403
    assert not AuditEvent.objects.filter(action=CANDIDATE_DISQUALIFY).exists()


def test_disqualifying_is_a_step_of_its_own_choose_see_the_new_winners_confirm(login):
    election = charter_election()
    client = login("olivia")
    url = reverse("officers:disqualify", args=[election.key])
    results = client.get(reverse("officers:results", args=[election.key])).content.decode()
    # The results page only leads to the step: no form that disqualifies from it.
    assert f'href="{url}"' in results and f'action="{url}"' not in results

    choose = client.get(url)
    assert choose.status_code == 200
    html = choose.content.decode()
    assert html.count('name="candidate"') == 5 and " checked" not in html
    assert f'method="post" action="{url}"' not in html

    preview = client.get(url, {"candidate": "e"})
    assert preview.context["winners_now"] == ["E Person", "A Person", "C Person"]
    assert preview.context["winners_after"] == ["A Person", "C Person", "B Person"]
    assert preview.context["unseated"] == ["E Person"] and preview.context["elected"] == ["B Person"]
    assert "Loses a seat: E Person." in preview.content.decode()
    assert not Disqualification.objects.exists()
    seen = AuditEvent.objects.filter(action="results.view").order_by("pk").last()
    assert seen.detail["winners_after"] == ["a", "c", "b"]

    # No reason: nothing decided, back to the step with the candidate still chosen.
    refused = client.post(url, {"candidate": "e", "reason": " "})
    assert refused["Location"] == f"{url}?candidate=e" and not Disqualification.objects.exists()
    done = client.post(url, {"candidate": "e", "reason": "Campaigned with company resources"})
    assert done["Location"] == reverse("officers:results", args=[election.key])
    assert Disqualification.objects.get().candidate.candidate_id == "e"
    # Once disqualified, no longer among the choices.
    assert [c.candidate_id for c in client.get(url).context["choices"]] == ["a", "b", "c", "d"]


def test_the_report_to_the_steering_body(login, users):
    election = charter_election(charter=KUBERNETES_RULES)
    make_request(election, users["vera"], status="approved")
    make_request(election, users["mallory"], status="denied")
    client = login("olivia")

    page = client.get(reverse("officers:report", args=[election.key])).content.decode()
    report = client.get(reverse("officers:export", args=[election.key, "report.md"])).content.decode()
    ballots = client.get(reverse("officers:export", args=[election.key, "ballots.csv"])).content.decode()

    again = client.get(reverse("officers:export", args=[election.key, "ballots.csv"])).content.decode()

    # The digest of the ballots counted is the digest of any exported file, whatever its (random) row order.
    digests = {ballots_digest(*read_ballots_csv(io.StringIO(text))) for text in (ballots, again)}
    assert len(digests) == 1
    digest = digests.pop()
    for text in (page, report):
        assert digest in text
        assert "Proportional representation limits were invoked for this election." in text
    assert "2 requested, 1 granted, 1 denied" in report
    assert "- Ballots counted: 45" in report
    assert "| 2 | A Person (a) | Acme |  |" in report
    assert "| 1 ⚠ | E Person | A Person | E Person |" in report
    assert "Seat 1: Schulze elects E Person; Ranked Pairs would elect A Person." in report
    assert "No tie affected a seat." in report


def test_the_report_waits_for_the_close(login):
    election = charter_election(status="running")

    response = login("olivia").get(reverse("officers:report", args=[election.key]))
    assert response.status_code == 403 and "No results yet" in response.content.decode()


def test_officers_reopen_a_counted_election_from_their_page(login):
    election = charter_election()
    client = login("olivia")

    overview = client.get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "A counted election stays counted" in overview
    client.post(reverse("officers:reopen", args=[election.key]), {"reason": "A roll error"})

    election.refresh_from_db()
    assert election.reopened_at is not None
    assert "Reopened: the next sync may move the close later." in client.get(
        reverse("officers:overview", args=[election.key])).content.decode()


def test_an_opened_box_offers_no_reopening_and_says_why(login):
    election = charter_election()
    BallotBox.objects.create(election=election, public_key=b"k" * 32, opened_at=election.end_datetime,
                             opened_by="olivia")

    overview = login("olivia").get(reverse("officers:overview", args=[election.key])).content.decode()
    assert "A counted election stays counted" in overview
    assert "ballot box is opened and its key destroyed" in overview.replace("&#x27;", "'")
    assert reverse("officers:reopen", args=[election.key]) not in overview
    assert "Reopen the election" not in overview


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_manage_py_tally_discloses_the_rules_in_every_format(fmt):
    election = charter_election(charter=KUBERNETES_RULES)
    out = io.StringIO()

    call_command("tally", election.key, "--format", fmt, stdout=out)

    text = out.getvalue()
    assert "Proportional representation limits were invoked for this election." in text
    assert "was passed over by the representation limit" in text
    if fmt == "text":
        assert "Seat 1 (two years): e" in text and "Seat 3 (one year): d" in text
        assert f"Ballots SHA-256 (normalised): {election_tally(election).ballots_sha256}" in text
    elif fmt == "json":
        data = json.loads(text)
        assert data["winners"] == ["e", "b", "d"]
        assert data["charter"]["seat_terms"][2] == {"seat": 3, "candidate": "d", "term": "one year"}
    else:
        assert "| 3 | D Person (d) | one year |" in text


def test_the_rules_and_the_panel_read_in_the_officers_language_while_results_md_stays_english(login):
    election = charter_election(charter=KUBERNETES_RULES)
    client = login("olivia")

    page = client.get(reverse("officers:results", args=[election.key]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    markdown = client.get(reverse("officers:export", args=[election.key, "results.md"]),
                          HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Bei dieser Wahl kamen die Grenzen der proportionalen Vertretung zur Anwendung." in page
    assert "A Person (Platz 2) wurde wegen der Vertretungsgrenze übergangen" in page
    assert "Sitz 1: Schulze wählt E Person; Ranked Pairs würde A Person wählen." in page
    assert "Proportional representation limits were invoked for this election." in markdown


def test_the_long_results_page_opens_with_a_link_to_each_of_its_parts(login):
    import re

    election = charter_election(charter=KUBERNETES_RULES)
    page = login("olivia").get(reverse("officers:results", args=[election.key])).content.decode()
    contents = page.split('<nav class="page-contents"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([\w-]+)"', contents)
    assert len(targets) == 10
    for target in targets:
        assert f'id="{target}"' in page, target
    assert page.index('class="page-contents"') < page.index('id="winners-title"')
