"""Officers in a real browser: an exception request reviewed; after the election, results, exports, results.md."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from elections.models import Ballot, Election, ExceptionRequest
from elections.voting import services
from tests.browser.builders import at, build_election, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "steering---2026"
NAME = "Steering Committee 2026"
RESULTS_MD = "# Results of the 2026 election\n\nThe community elected **Amara Okafor**.\n"


def test_an_ineligible_user_asks_for_an_exception_and_an_officer_approves_it(
    new_page, sign_in, shoot, assert_accessible
):
    build_election(KEY, name=NAME)
    eve = new_page()
    sign_in(eve, "eve")
    eve.goto(f"/app/elections/{KEY}")
    assert eve.locator(".badge.not-eligible").first.is_visible()
    eve.get_by_role("link", name="Request an exception").click()
    eve.wait_for_url(at(f"/app/elections/{KEY}/exception"))
    eve.get_by_label("Your name").fill("Eve Example")
    eve.get_by_label("Email address").fill("eve@example.org")
    eve.get_by_label("Your contributions to the community").fill("Organised the 2025 contributor summit.")
    shoot(eve, "exception-form")
    assert_accessible(eve, "exception request")
    eve.get_by_role("button", name="Send my request").click()
    eve.get_by_text("Your request was sent").wait_for()
    assert "Pending" in eve.get_by_text("Status:").inner_text()
    shoot(eve, "exception-sent")

    olivia = new_page()
    sign_in(olivia, "olivia")
    olivia.goto(f"/app/elections/{KEY}/admin/")
    request_card = olivia.locator("article.exception-request").filter(has_text="Eve Example")
    assert "pending" in request_card.get_by_role("heading").inner_text()
    assert "Organised the 2025 contributor summit." in request_card.inner_text()
    shoot(olivia, "officer-overview")
    assert_accessible(olivia, "officer overview")
    request_card.get_by_label("Comment").fill("Summit organisers count as contributors.")
    request_card.get_by_role("button", name="Approve: may vote").click()
    olivia.get_by_text("was approved").wait_for()
    shoot(olivia, "officer-approved")
    row = ExceptionRequest.objects.get()
    assert (row.status, row.reviewed_by) == (ExceptionRequest.APPROVED, "olivia")

    eve.goto(f"/app/elections/{KEY}")
    assert eve.get_by_role("link", name="Vote", exact=True).is_visible()
    shoot(eve, "eligible-after-approval")


@pytest.fixture
def completed_election():
    """An election in which three voters cast ballots while it ran, now closed and with its results.md."""
    election = build_election(KEY, name=NAME, voters=("alice", "bob", "carol"), results=RESULTS_MD)
    ballots = {
        "alice": {"amara": 1, "bjorn": 2, "chen": 3, "dolores": None},
        "bob": {"amara": 1, "bjorn": 3, "chen": 2, "dolores": 4},
        "carol": {"amara": 2, "bjorn": 1, "chen": None, "dolores": None},
    }
    for login, ranks in ballots.items():
        services.ballot_cast(election=election, voter=user(login), ranks=ranks, passphrase="a passphrase of mine")
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        start_datetime=now - timedelta(days=10), end_datetime=now - timedelta(minutes=5)
    )
    return election


def test_after_the_election_the_officer_reads_the_results_and_downloads_the_ballots(
    completed_election, page, sign_in, shoot, assert_accessible
):
    sign_in(page, "olivia")
    page.goto(f"/app/elections/{KEY}/admin/")
    # The ballots are still sealed: the officer opens the box first.
    assert page.get_by_role("link", name="See the results, explained").count() == 0
    page.get_by_label("I want to open the ballot box of this election now.").check()
    page.get_by_role("button", name="Open the ballot box").click()
    page.get_by_text("The ballot box is open: 3 ballots can now be counted.").wait_for()
    shoot(page, "officer-opened-the-box")
    page.get_by_role("link", name="See the results, explained").click()
    page.wait_for_url(at(f"/app/elections/{KEY}/admin/results"))

    winners = page.locator("section").filter(has=page.get_by_role("heading", name="Winner"))
    assert "Amara Okafor" in winners.inner_text()
    assert page.get_by_role("table").count() >= 3, "ranking, pairwise matrix and strongest paths"
    expect(page.get_by_role("img", name="Head-to-head results as a heat map")).to_be_visible()
    explanation = page.locator("section").filter(has=page.get_by_role("heading", name="Why, in plain words"))
    assert "Amara Okafor" in explanation.inner_text()
    shoot(page, "officer-results")
    assert_accessible(page, "results")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ballots.csv").first.click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    header, body = rows[0], [r for r in rows[1:] if r]
    assert len(body) == 3
    receipts = set(Ballot.objects.values_list("receipt", flat=True))
    receipt_column = [i for i, name in enumerate(header) if "receipt" in name.lower()]
    assert receipt_column, f"ballots.csv has no receipt column: {header}"
    assert {r[receipt_column[0]] for r in body} == receipts


def test_after_the_election_anyone_reads_the_published_results(completed_election, page, shoot, assert_accessible):
    page.goto(f"/app/elections/{KEY}/results")
    assert page.get_by_role("heading", name=f"Results: {NAME}").is_visible()
    # results.md's own title says the same: it is not repeated under the page's heading.
    assert page.get_by_role("heading", name="Results of the 2026 election").count() == 0
    assert page.locator(".prose strong").inner_text() == "Amara Okafor"
    shoot(page, "public-results")
    assert_accessible(page, "public results")


def test_nobody_sees_results_before_the_election_closes(page, sign_in, shoot):
    build_election(KEY, name=NAME, results=RESULTS_MD)
    sign_in(page, "olivia")
    response = page.goto(f"/app/elections/{KEY}/admin/results")
    assert response.status == 403
    shoot(page, "officer-results-refused")
    response = page.goto(f"/app/elections/{KEY}/results")
    assert response.status in (403, 404, 409)
    assert "Amara Okafor" not in page.content()


def test_an_officer_disqualifies_in_a_step_of_its_own_after_seeing_what_it_changes(
    completed_election, page, sign_in, shoot, assert_accessible
):
    from elections.models import Disqualification
    from tests.conftest import box_open_now

    box_open_now(completed_election)
    sign_in(page, "olivia")
    page.goto(f"/app/elections/{KEY}/admin/results")
    # The results page only leads to the step, at its end.
    assert page.locator("form[action$='/disqualify']").count() == 0
    page.get_by_role("link", name="Disqualify a candidate").last.click()
    page.get_by_role("heading", name="Disqualify a candidate").wait_for()
    radios = page.get_by_role("radio")
    assert radios.count() == 4 and not any(radios.nth(i).is_checked() for i in range(4))
    page.get_by_label("Amara Okafor").check()
    page.get_by_role("button", name="See what it changes").click()
    changes = page.locator("section[aria-labelledby=changes-title]")
    # Without her, Björn Lindqvist and Chen Wei are level (one ballot each way; "No opinion" on the third).
    expect(changes).to_contain_text("Loses a seat: Amara Okafor.")
    expect(changes).to_contain_text("Winners if Amara Okafor is disqualified No winner is decided.")
    shoot(page, "disqualify-step")
    assert_accessible(page, "disqualify step")
    assert not Disqualification.objects.exists()
    page.get_by_label("Reason (published with the result)").fill("Campaigned with company resources")
    page.get_by_role("button", name="Disqualify Amara Okafor").click()
    page.wait_for_url(at(f"/app/elections/{KEY}/admin/results"))
    assert Disqualification.objects.get().candidate.candidate_id == "amara"
    expect(page.locator("section[aria-labelledby=winners-title]")).to_contain_text("No winner is decided.")
