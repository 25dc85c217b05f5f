"""A rolling update cannot corrupt the database: the previous release's code, run against a database that today's
code migrated to a newer schema generation, refuses every write and changes nothing.

The previous release is the newest one CHANGELOG.md names with a commit and the schema guard whose generation is
lower than today's code's: its own code comes from git and runs with the shared virtualenv, as its pods would run
during the rollout. Until a release raises the generation past a guarded release, there is nothing to refuse and
the test says so.
"""

import json

import pytest

import elekto_site
from elections.ballot_box.crypto import wrapping_key_generate
from tests.conftest import REPO_ROOT
from tests.upgrade.changelog import previous_guarded_release
from tests.upgrade.support import PASSPHRASE, manage, release_tree, run_code, scratch_database, site_env

HERE = REPO_ROOT / "tests" / "upgrade"
POSTS = ["voter casts", "voter changes", "voter revokes", "voter views", "exception request", "officer opens the box",
         "officer reopens", "operator's admin", "webhook", "sign out", "language"]
# Commands that write in the state the test sets up (a command with nothing to do writes nothing, and has
# nothing to refuse): an import, a key rotation under way, the session clean-up, a new operator.
COMMANDS = [
    ["sync_meta", "--path", "examples/meta"],
    ["rewrap_ballot_boxes"],
    ["clearsessions"],
    ["createsuperuser", "--noinput", "--username", "mallory", "--email", "mallory@example.org"],
]


@pytest.fixture(scope="module")
def rollout(tmp_path_factory, django_db_setup, django_db_blocker):
    previous = previous_guarded_release(elekto_site.SCHEMA_GENERATION)
    if previous is None:
        pytest.skip(f"no release named in CHANGELOG.md has the schema guard and a schema generation below this "
                    f"code's ({elekto_site.SCHEMA_GENERATION}): no previous release's pods have anything to refuse")
    tmp_path = tmp_path_factory.mktemp("rollout")
    old = release_tree(previous.commit, tmp_path / f"release-{previous.version}")
    with scratch_database(tmp_path, django_db_blocker) as database_url:
        env = site_env(tmp_path, database_url, ALLOWED_HOSTS="testserver,elections.example.org",
                       SECURE_SSL_REDIRECT="off", SCHEMA_GENERATION_CHECK_SECONDS="0")
        migrated = manage(REPO_ROOT, "migrate", "--noinput", env=env)
        assert migrated.returncode == 0, migrated.stderr
        setup = run_code(REPO_ROOT, HERE / "guarded_database.py", "setup", PASSPHRASE, env=env)
        before = run_code(REPO_ROOT, HERE / "guarded_database.py", "snapshot", env=env)
        answers = run_code(old, HERE / "previous_release_writes.py", PASSPHRASE, json.dumps(setup), env=env)
        # The operator has started rotating the ballot box key: rewrap_ballot_boxes has every box to re-wrap.
        rotating = {**env, "BALLOT_BOX_KEY": wrapping_key_generate(), "BALLOT_BOX_OLD_KEYS": env["BALLOT_BOX_KEY"]}
        commands = {" ".join(command): manage(old, *command, env=rotating) for command in COMMANDS}
        after = run_code(REPO_ROOT, HERE / "guarded_database.py", "snapshot", env=env)
    return {"previous": previous, "answers": answers, "commands": commands, "before": before, "after": after}


def test_every_post_of_the_previous_release_is_refused_with_503(rollout):
    answers = rollout["answers"]

    assert {label: answers[label] for label in POSTS} == dict.fromkeys(POSTS, 503)


def test_every_management_command_that_writes_stops_with_the_message(rollout):
    previous = rollout["previous"]
    for command, done in rollout["commands"].items():
        assert done.returncode != 0, command
        assert (f"This server runs release {previous.version} (schema generation {previous.generation}); the "
                f"database was upgraded to release {elekto_site.__version__} (schema generation "
                f"{elekto_site.SCHEMA_GENERATION}): finish the rollout") in done.stderr, command


def test_its_health_takes_it_out_of_service(rollout):
    status, body = rollout["answers"]["health"]

    assert status == 503
    assert body["status"] == "outdated"
    assert body["database_schema_generation"] == elekto_site.SCHEMA_GENERATION


def test_nothing_in_the_database_changed(rollout):
    before, after = rollout["before"], rollout["after"]

    assert after.keys() == before.keys()
    assert [table for table in before if after[table] != before[table]] == []
