"""At every log level, no log line holds a ballot: ranks, receipt, suggested or chosen passphrase.

The production guide offers ``LOG_LEVEL=debug``; at that level Django's template engine logs each variable it
fails to resolve with the whole context of the page, which on the voting pages is the voter's ballot.
"""

import io
import logging
import logging.config
import re

import pytest
from django.conf import settings as django_settings

from elekto_site.logging import logging_config
from tests.voting.conftest import make_election, vote_data

# Candidates whose names and ids appear nowhere else in a log.
CANDIDATES = ("zanzibar", "quokka", "marmalade")
RANKS = {"zanzibar": 2, "quokka": 1, "marmalade": None}
CHOSEN = "plum orbit kettle saffron 91"
WEAK = "P@ssw0rd2024!"


@pytest.fixture(params=["plain", "json"])
def debug_log(request):
    """The site's own logging configuration at LOG_LEVEL=debug, written into a buffer."""
    buffer = io.StringIO()
    config = logging_config(level="DEBUG", fmt=request.param)
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(django_settings.LOGGING)


def page(election, name=""):
    return f"/app/elections/{election.key}/{name}"


def test_no_voting_page_logs_the_ballot_at_debug_level(voter_client, voter, now, debug_log):
    from datetime import timedelta

    election = make_election("debug---2026", start=now - timedelta(days=1), end=now + timedelta(days=1),
                             voters=[voter.username], candidates=CANDIDATES, allow_no_opinion=True)
    vote = page(election, "vote")

    assert voter_client.get(vote).status_code == 200
    review = voter_client.post(vote, vote_data(RANKS), follow=True)
    assert review.status_code == 200
    suggestion = re.search(r'name="suggestion" value="([a-z0-9-]+)"', review.content.decode()).group(1)
    # A refused passphrase shows the review again, with its errors.
    weak = vote_data(RANKS, step="cast", mode="cast", passphrase=WEAK, passphrase_again=WEAK)
    assert voter_client.post(vote, weak).status_code == 400
    cast = vote_data(RANKS, step="cast", mode="cast", passphrase=CHOSEN, passphrase_again=CHOSEN)
    receipt_page = voter_client.post(vote, cast, follow=True)
    receipt = receipt_page.context["receipt"]
    assert receipt

    # The passphrase pages: view, then change, then revoke.
    confirmation = page(election, "confirmation")
    assert voter_client.get(confirmation).status_code == 200
    assert voter_client.post(confirmation, {"action": "view", "passphrase": CHOSEN}).status_code == 200
    assert voter_client.post(confirmation, {"action": "view", "passphrase": "a wrong one"}).status_code == 403
    assert voter_client.get(vote).status_code == 200
    changed = {"zanzibar": 1, "quokka": 3, "marmalade": 2}
    assert voter_client.post(vote, vote_data(changed), follow=True).status_code == 200
    change = vote_data(changed, step="cast", mode="change", passphrase=CHOSEN)
    new_receipt = voter_client.post(vote, change, follow=True).context["receipt"]
    assert voter_client.get(confirmation + "?revoke").status_code == 200
    assert voter_client.post(confirmation, {"action": "revoke", "passphrase": CHOSEN}).status_code == 302

    logging.getLogger("elections").debug("the site logs at debug level")
    log = debug_log.getvalue()
    assert "the site logs at debug level" in log
    for secret in (suggestion, CHOSEN, WEAK, receipt, new_receipt):
        assert secret not in log
    for candidate in CANDIDATES:
        assert candidate not in log.lower()
