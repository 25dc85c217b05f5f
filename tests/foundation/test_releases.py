"""Releases: a version the operator can read, and a changelog with upgrade notes for each release."""

import subprocess
import sys

import pytest

import elekto_site
from tests.conftest import REPO_ROOT
from tests.production.support import production_env
from tests.upgrade.changelog import UPGRADING_ITEMS, releases


def test_manage_py_version_prints_the_release_and_the_schema_generation(tmp_path):
    done = subprocess.run([sys.executable, "manage.py", "version"], cwd=REPO_ROOT, env=production_env(tmp_path),
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Elekto {elekto_site.__version__} (schema generation "
                                  f"{elekto_site.SCHEMA_GENERATION}), Django ")


@pytest.mark.django_db
def test_the_officers_admin_shows_the_release_in_its_footer(admin_client):
    response = admin_client.get("/admin/")

    assert f"Elekto release {elekto_site.__version__}" in response.content.decode()


def test_the_changelog_names_this_code_as_its_newest_release():
    assert releases()[0].version == elekto_site.__version__


def test_every_release_has_upgrading_notes_for_migrations_old_pods_settings_and_after():
    for release in releases():
        assert release.upgrading_items() == list(UPGRADING_ITEMS), release.version


def test_schema_generations_never_go_down_and_this_code_writes_at_least_the_newest():
    generations = [release.generation for release in reversed(releases()) if release.generation is not None]
    assert generations == sorted(generations)
    assert elekto_site.SCHEMA_GENERATION >= generations[-1]


def test_each_release_made_names_a_commit_of_this_repository():
    named = [release for release in releases() if release.commit]
    assert named, "no release names its commit"
    if subprocess.run(["git", "rev-parse", "--git-dir"], cwd=REPO_ROOT, capture_output=True).returncode != 0:
        pytest.skip("not a git checkout: the commits cannot be looked up")
    for release in named:
        found = subprocess.run(["git", "cat-file", "-e", f"{release.commit}^{{commit}}"], cwd=REPO_ROOT,
                               capture_output=True)
        shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=REPO_ROOT,
                                 capture_output=True, text=True).stdout.strip() == "true"
        if found.returncode != 0 and shallow:
            pytest.skip("a shallow clone: older commits are not here")
        assert found.returncode == 0, f"{release.version} names {release.commit}, which is not in this repository"
