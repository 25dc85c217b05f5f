"""Upgrading from release 1.0.0 (the code of 2026-11-25) loses nothing.

Release 1.0.0's own code, from git, migrates an empty database and its voters cast, change and revoke ballots in a
running election; today's ``migrate`` upgrades that database; then today's code lets the same voters view, change
and revoke with the passphrases they chose under 1.0.0, closes the election, opens its box and counts. One run per
database (module scope), shared by the tests below; on PostgreSQL, which 1.0.0 did not support, its code runs
through a settings module that only names the database.
"""

import json
from collections import Counter

import pytest

from tests.conftest import REPO_ROOT
from tests.upgrade.changelog import releases
from tests.upgrade.support import PASSPHRASE, manage, release_tree, run_code, scratch_database, site_env

HERE = REPO_ROOT / "tests" / "upgrade"


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory, django_db_setup, django_db_blocker):
    (release,) = [release for release in releases() if release.version == "1.0.0"]
    tmp_path = tmp_path_factory.mktemp("upgrade-from-1.0.0")
    old = release_tree(release.commit, tmp_path / "release-1.0.0")
    with scratch_database(tmp_path, django_db_blocker) as database_url:
        env = site_env(tmp_path, database_url)
        story = run_code(old, HERE / "release_1_0_0_votes.py", PASSPHRASE, env=env)
        migrated = manage(REPO_ROOT, "migrate", "--noinput", env=env)
        assert migrated.returncode == 0, migrated.stderr
        again = manage(REPO_ROOT, "migrate", "--noinput", env=env)
        after = run_code(REPO_ROOT, HERE / "upgraded_site.py", PASSPHRASE, json.dumps(story), env=env)
    return {"story": story, "migrate_again": again, "after": after}


def test_every_ballot_is_counted_exactly_once_with_the_ranks_it_was_cast_with(upgrade):
    story, after = upgrade["story"], upgrade["after"]
    expected = [[ballot["receipt"], ballot["ranks"]] for login, ballot in story["ballots"].items()
                if ballot and login not in ("tia-changes-today", "rob-revokes-today")]
    expected += [[after["today"]["tia-changes-today"]["receipt"], after["today"]["tia-changes-today"]["ranks"]],
                 [after["today"]["rae-revoked"]["receipt"], after["today"]["rae-revoked"]["ranks"]]]

    assert after["opened"] == len(expected) == 5
    assert after["counted"] == sorted(expected, key=str)
    assert Counter(receipt for receipt, _ in after["counted"]).most_common(1)[0][1] == 1
    assert after["running_tally"]["ballots"] == 5


def test_voters_keep_their_passphrases_to_view_change_and_revoke(upgrade):
    story, after = upgrade["story"], upgrade["after"]
    views = after["views"]

    # A ballot cast under 1.0.0 shows its receipt; its ranks stay sealed with the others until the count.
    assert views["kim-kept"] == {"receipt": story["ballots"]["kim-kept"]["receipt"], "ranks": None}
    assert views["cai-changed"] == {"receipt": story["ballots"]["cai-changed"]["receipt"], "ranks": None}
    assert views["ren-recast"]["receipt"] == story["ballots"]["ren-recast"]["receipt"]
    assert views["rae-revoked"] == {"refused": "NotVoted"}
    assert after["wrong_passphrase"] == "refused"
    # Changed with today's code: the new ballot shows in full; revoked: gone; revoked under 1.0.0: votes again.
    changed = after["today"]["tia-changes-today"]
    assert changed["receipt"] == changed["cast"] != story["ballots"]["tia-changes-today"]["receipt"]
    assert changed["ranks"] == {"alice": 2, "bob": 3, "carol": 1}
    assert after["today"]["rob-revokes-today"] == {"refused": "NotVoted"}
    assert after["today"]["rae-revoked"]["receipt"] == after["today"]["rae-revoked"]["cast"]


def test_nothing_of_a_running_election_is_readable_after_the_upgrade(upgrade):
    story, after = upgrade["story"], upgrade["after"]

    # 1.0.0 kept a running election's ballots readable, and showed a voter their ranks.
    assert story["readable_before_the_upgrade"] == 5
    assert story["viewed"] == story["ballots"]["kim-kept"]
    assert after["readable_ballots_of_the_running_election"] == 0
    assert after["sealed_after_migrate"] == 5
    assert after["plaintext_after_migrate"] == []
    assert after["plaintext_of_the_completed_election"] == 6  # the search does find readable ballots
    assert after["readable_ballots_while_running"] == 0
    assert after["plaintext_while_running"] == []


def test_a_completed_elections_count_is_the_same_before_and_after(upgrade):
    before, after = upgrade["story"]["past_tally"], upgrade["after"]["past_tally"]

    for key in ("candidates", "ballots", "ranking", "winners", "tie", "pairwise", "strongest_paths"):
        assert after[key] == before[key], key


def test_migrating_twice_changes_nothing(upgrade):
    again = upgrade["migrate_again"]

    assert again.returncode == 0, again.stderr
    assert "No migrations to apply." in again.stdout
