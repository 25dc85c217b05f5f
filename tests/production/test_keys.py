"""Keys: no ballot box stays under the published development key, and no secret keeps a documented placeholder."""

from datetime import timedelta

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.management import call_command
from django.utils import timezone

from elections.ballot_box import crypto
from elections.ballot_box.box import BallotBoxRefused, ballot_box_open
from elections.models import BallotBox, Election
from elections.voting.services import ballot_cast
from tests.conftest import REPO_ROOT, TEST_BALLOT_BOX_KEY
from tests.production.support import production_env, run_python
from tests.voting.conftest import PASSPHRASE, make_election

DEVELOPMENT_KEY = "ZGV2ZWxvcG1lbnQtb25seSBiYWxsb3QgYm94IGtleSE="  # settings.DEV_BALLOT_BOX_KEY, published
CHECK_DEPLOY = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('check', '--deploy')"
)


def key_id(text):
    return crypto.wrapping_key_id(crypto.wrapping_key_parse(text))


@pytest.fixture
def box_under_the_development_key(db, settings):
    """A running election whose box was made with DEBUG on and no BALLOT_BOX_KEY (the development key), with two
    ballots; the site now runs with its own key and DEBUG off."""
    settings.BALLOT_BOX_KEY = DEVELOPMENT_KEY
    now = timezone.now()
    election = make_election("steering---2026", start=now - timedelta(days=1), end=now + timedelta(days=6),
                             voters=["vera-voter", "victor-voter"])
    for login in ("vera-voter", "victor-voter"):
        ballot_cast(election=election, voter=get_user_model().objects.create(username=login),
                    ranks={"alice": 1, "bob": 2, "carol": None}, passphrase=PASSPHRASE)
    settings.BALLOT_BOX_KEY = TEST_BALLOT_BOX_KEY
    settings.DEBUG = False
    assert BallotBox.objects.get(election=election).wrapping_key_id == key_id(DEVELOPMENT_KEY)
    return election


def deploy_errors():
    """What check --deploy says about the ballot boxes (the tests' own settings are no production configuration)."""
    return [message for message in checks.run_checks(include_deployment_checks=True) if message.id == "elekto.E012"]


def close(election):
    Election.objects.filter(pk=election.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))
    election.refresh_from_db()


def test_check_deploy_fails_while_a_box_is_wrapped_under_the_development_key(box_under_the_development_key):
    (error,) = deploy_errors()

    assert error.id == "elekto.E012"
    assert "steering---2026" in error.msg
    assert "rewrap_ballot_boxes" in error.hint


def test_rewrap_moves_the_box_off_the_development_key_with_debug_off_and_it_opens_under_the_real_key(
        box_under_the_development_key, settings):
    assert settings.BALLOT_BOX_OLD_KEYS == []

    call_command("rewrap_ballot_boxes", verbosity=0)

    assert BallotBox.objects.get().wrapping_key_id == key_id(TEST_BALLOT_BOX_KEY)
    assert deploy_errors() == []
    close(box_under_the_development_key)
    assert ballot_box_open(election=box_under_the_development_key, actor="system").ballots == 2


def test_opening_a_box_under_the_development_key_says_to_rewrap_it_first(box_under_the_development_key):
    close(box_under_the_development_key)

    with pytest.raises(BallotBoxRefused, match="development key: run python manage.py rewrap_ballot_boxes"):
        ballot_box_open(election=box_under_the_development_key, actor="system")


def test_check_deploy_is_clean_without_boxes_under_the_development_key(db):
    assert deploy_errors() == []


def _manifest_secrets():
    secret = yaml.safe_load((REPO_ROOT / "deploy" / "kubernetes" / "secret.yaml").read_text())
    configmap = yaml.safe_load((REPO_ROOT / "deploy" / "kubernetes" / "configmap.yaml").read_text())
    return {**{name: value for name, value in secret["stringData"].items() if value},
            "GITHUB_CLIENT_ID": configmap["data"]["GITHUB_CLIENT_ID"], "META_REPO": configmap["data"]["META_REPO"]}


def test_check_deploy_fails_on_every_placeholder_of_the_kubernetes_manifests(tmp_path):
    placeholders = _manifest_secrets()
    placeholders.pop("DATABASE_URL")  # the check must not try to reach the example's MySQL server
    result = run_python(CHECK_DEPLOY, production_env(tmp_path, **placeholders))

    assert result.returncode != 0
    for name in placeholders:
        assert f"elekto.E013) {name} still holds the placeholder" in result.stderr, name


def test_the_site_refuses_to_start_with_the_placeholder_pepper_alone(tmp_path):
    pepper = _manifest_secrets()["PASSPHRASE_PEPPER"]
    result = run_python("import elekto_site.wsgi", production_env(tmp_path, PASSPHRASE_PEPPER=pepper))

    assert result.returncode != 0
    assert "elekto.E013: PASSPHRASE_PEPPER still holds the placeholder" in result.stderr
    assert "will not start" in result.stderr


def test_a_placeholder_password_in_the_database_url_is_refused(tmp_path):
    url = _manifest_secrets()["DATABASE_URL"]
    result = run_python("import django; django.setup(); from django.core.management import call_command; "
                        "call_command('check')", production_env(tmp_path, DATABASE_URL=url))

    assert result.returncode != 0
    assert "DATABASE_URL still holds the placeholder" in result.stderr
