"""A bad or malicious merge into the meta repository: each attempt ends in an error naming the file, costs little,
takes nothing over, and leaves the other elections importing."""

import datetime as dt
import os
import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from elections.models import Election
from meta_sync.parser import CANDIDATE_ID_PATTERN, parse_meta_tree
from meta_sync.services import sync_meta

pytestmark = pytest.mark.django_db

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
NESTED = Path(__file__).parent / "fixtures" / "nested"
BEFORE_VOTING = dt.datetime(2029, 6, 1, tzinfo=dt.UTC)
DURING_VOTING = dt.datetime(2030, 1, 15, tzinfo=dt.UTC)


def _sync(root, election_dir="elections", **kwargs):
    kwargs.setdefault("now", BEFORE_VOTING)
    return sync_meta(path=root, election_dir=election_dir, trigger="command", **kwargs)


def _errors(summary, key):
    return next(e for e in summary.elections if e.key == key).errors


def _measured(function):
    """(result, peak bytes allocated, seconds) of ``function()``."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1], time.perf_counter() - started
    finally:
        tracemalloc.stop()


# --- YAML bombs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["tie_break", "candidate info"])
def test_an_alias_bomb_is_refused_cheaply_and_the_other_elections_import(meta_repo, where):
    meta_repo.add_election("bomb")
    meta_repo.add_election("fine", name="Fine Election")
    if where == "tie_break":
        shutil.copy(HOSTILE / "bomb-tie_break.yaml", meta_repo.folder("bomb") / "election.yaml")
        bad_file = "elections/bomb/election.yaml"
    else:
        shutil.copy(HOSTILE / "candidate-bomb.md", meta_repo.folder("bomb") / "candidate-bomb.md")
        bad_file = "elections/bomb/candidate-bomb.md"

    summary, peak, seconds = _measured(lambda: _sync(meta_repo.root))

    # Expanded, the bomb is 387 million strings (several GB); refused, it costs what reading its text costs.
    assert peak < 4_000_000, f"peak {peak} bytes"
    assert seconds < 2.0
    assert any(error.startswith(f"{bad_file}: refused (line ") and "aliases" in error
               for error in _errors(summary, "bomb"))
    assert not Election.objects.filter(key="bomb").exists()
    assert Election.objects.get(key="fine").name == "Fine Election"
    assert summary.exit_code == 1


def test_the_bomb_alone_costs_less_than_a_millisecond_per_line():
    from meta_sync.parser.files import _load_yaml
    from meta_sync.parser.problems import _Collector

    report = _Collector([])
    text = (HOSTILE / "bomb-tie_break.yaml").read_text()
    result, peak, seconds = _measured(lambda: _load_yaml(text, "election.yaml", report))
    assert result is None
    assert peak < 1_000_000 and seconds < 0.1
    assert [p.field for p in report.problems] == [""]


def test_an_anchor_bomb_under_an_existing_election_keeps_its_last_good_state(meta_repo):
    meta_repo.add_election("e", name="Good Name")
    _sync(meta_repo.root)
    shutil.copy(HOSTILE / "bomb-tie_break.yaml", meta_repo.folder("e") / "election.yaml")

    summary = _sync(meta_repo.root)

    election = Election.objects.get(key="e")
    assert election.name == "Good Name" and not election.archived
    assert election.sync_errors and "aliases" in election.sync_errors[0]
    assert summary.exit_code == 1


def test_deep_nesting_is_refused_with_the_file_named(meta_repo):
    meta_repo.add_election("deep")
    shutil.copy(HOSTILE / "deep-voters.yaml", meta_repo.folder("deep") / "voters.yaml")

    summary = _sync(meta_repo.root)

    assert _errors(summary, "deep") == [
        "elections/deep/voters.yaml: refused (line 1): nested deeper than 20 levels"]


def test_a_file_larger_than_the_limit_is_not_read(meta_repo):
    meta_repo.add_election("big")
    meta_repo.write("big/election_desc.md", "x" * 2_000_001)

    summary = _sync(meta_repo.root)

    assert _errors(summary, "big") == ["elections/big/election_desc.md: file is larger than 2000000 bytes"]


# --- Symbolic links ---------------------------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path):
    """A folder outside the meta repository holding an election and a secret file."""
    folder = tmp_path / "outside" / "secret-election"
    folder.mkdir(parents=True)
    (folder / "election.yaml").write_text("name: Outside\nstart_datetime: 2030-01-01\nend_datetime: 2030-02-01\n")
    (folder / "voters.yaml").write_text("eligible_voters: [intruder]\n")
    secret = tmp_path / "outside" / "secret.txt"
    secret.write_text("the operator's secret\n")
    return folder


def test_a_symlinked_election_folder_is_not_followed(meta_repo, outside):
    meta_repo.add_election("fine")
    os.symlink(outside, meta_repo.folder("linked"))

    summary = _sync(meta_repo.root)

    assert {"path": "elections/linked", "message": "symbolic link to a folder: not followed, nothing below it is "
                                                    "read"} in summary.errors
    assert list(Election.objects.values_list("key", flat=True)) == ["fine"]
    assert summary.exit_code == 1


def test_a_symlinked_folder_between_the_election_dir_and_an_election_is_not_followed(meta_repo, outside):
    os.symlink(outside.parent, meta_repo.folder("group"))
    summary = _sync(meta_repo.root)
    assert [e["path"] for e in summary.errors] == ["elections/group"]
    assert not Election.objects.exists()


@pytest.mark.parametrize("name", ["election.yaml", "voters.yaml", "election_desc.md", "results.md",
                                  "candidate-alice.md"])
def test_a_symlinked_file_is_not_read(meta_repo, outside, name):
    meta_repo.add_election("e")
    target = meta_repo.folder("e") / name
    target.unlink(missing_ok=True)
    os.symlink(outside.parent / "secret.txt", target)

    summary = _sync(meta_repo.root)

    assert f"elections/e/{name}: is a symbolic link: not followed (commit the file itself)" in _errors(summary, "e")
    assert not Election.objects.filter(key="e").exists()
    assert "secret" not in str(summary.as_dict())


def test_a_symlinked_election_dir_or_meta_folder_is_refused(meta_repo, outside, tmp_path):
    real = tmp_path / "real-elections"
    shutil.move(str(meta_repo.elections), real)
    os.symlink(real, meta_repo.elections)
    summary = _sync(meta_repo.root)
    assert summary.exit_code == 2 and "is a symbolic link" in summary.fatal
    assert not Election.objects.exists()

    link = tmp_path / "meta-link"
    os.symlink(outside.parent, link)
    summary = _sync(link, election_dir=".")
    assert summary.exit_code == 2
    summary = _sync(link, election_dir="secret-election")
    assert summary.exit_code == 2 and "is a symbolic link" in summary.fatal
    assert not Election.objects.exists()


def test_the_command_refuses_a_symlinked_meta_path(outside, tmp_path):
    link = tmp_path / "meta-link"
    os.symlink(outside.parent, link)
    with pytest.raises(CommandError, match="is a symbolic link") as refusal:
        call_command("sync_meta", "--path", str(link), "--election-dir", "secret-election")
    assert refusal.value.returncode == 2
    assert not Election.objects.exists()


# --- Keys -------------------------------------------------------------------------------------------------------


def test_a_folder_with_the_key_separator_in_its_name_is_refused(meta_repo):
    meta_repo.add_election("x---y")
    meta_repo.add_election("-lead")
    summary = _sync(meta_repo.root)
    assert "the folder name would make the key 'x---y'" in _errors(summary, "x---y")[0]
    assert "the folder name would make the key '-lead'" in _errors(summary, "-lead")[0]
    assert not Election.objects.exists()


def test_another_folder_never_takes_over_an_existing_key(meta_repo):
    """An election imported from ``x---y`` before keys were checked keeps its key; ``x/y`` is refused."""
    meta_repo.add_election("x/y", name="Legitimate")
    _sync(meta_repo.root)
    Election.objects.filter(key="x---y").update(path="elections/x---y")  # as imported from a folder x---y
    meta_repo.remove("x")
    meta_repo.add_election("x---y", name="Legitimate")
    meta_repo.edit("x---y/voters.yaml", "voter-one", "voter-three")
    meta_repo.add_election("x/y", name="Intruder")
    meta_repo.write("x/y/voters.yaml", "eligible_voters: [intruder]\n")

    summary = _sync(meta_repo.root)

    legitimate = Election.objects.get(key="x---y")
    assert legitimate.name == "Legitimate" and legitimate.path == "elections/x---y"
    assert sorted(legitimate.voters.values_list("login", flat=True)) == ["voter-three", "voter-two"]
    assert [(e["path"], e["message"]) for e in summary.errors] == [(
        "elections/x/y", "its key 'x---y' is the key of the election in elections/x---y; two folders cannot share "
                         "a key (folder names are joined with '---'): rename this folder")]
    assert Election.objects.count() == 1


def test_the_same_key_from_two_new_folders_imports_the_unambiguous_one_only(meta_repo):
    meta_repo.add_election("x/y", name="Nested")
    meta_repo.add_election("x---y", name="Flat")
    summary = _sync(meta_repo.root)
    assert Election.objects.get(key="x---y").path == "elections/x/y"
    assert [e["path"] for e in summary.errors] == ["elections/x---y"]


# --- Candidate IDs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("candidate_id", ["a/b", "../etc", ".hidden", "a b", "a?b", "a#b", "ä", "x" * 101, "a\\b",
                                          "<script>"])
def test_an_invalid_candidate_id_is_an_error_naming_the_file_and_field(meta_repo, candidate_id):
    meta_repo.add_election("e")
    meta_repo.write("e/candidate-odd.md", f'---\nname: Odd\nID: "{candidate_id}"\n---\nBio.\n')

    summary = _sync(meta_repo.root)

    [error] = _errors(summary, "e")
    assert error.startswith("elections/e/candidate-odd.md: ID: ")
    assert "is not a candidate ID" in error
    assert not Election.objects.filter(key="e").exists()


def test_a_file_name_used_as_id_is_validated_too(meta_repo):
    meta_repo.add_election("e")
    meta_repo.write("e/candidate-a b.md", "---\nname: Spaced\n---\nBio.\n")
    summary = _sync(meta_repo.root)
    assert any("candidate-a b.md: ID: 'a b' is not a candidate ID" in e for e in _errors(summary, "e"))


def test_real_candidate_ids_are_valid():
    from tests.conftest import shared_fixture

    root = shared_fixture("meta")
    for tree in sorted(root.iterdir()):
        for election in parse_meta_tree(tree, "elections").elections:
            assert election.ok, election.errors
            assert all(CANDIDATE_ID_PATTERN.match(c.candidate_id) for c in election.candidates)


@pytest.mark.parametrize("candidate_id", ["a.b", "a_b", "a-", "A1", "x" * 100, "0123", "a..b"])
def test_no_page_answers_500_for_any_valid_id(client, meta_repo, django_user_model, candidate_id, settings):
    settings.ELEKTO_DEV_LOGIN = True
    meta_repo.add_election("e", candidates=("alice",))
    meta_repo.write("e/candidate-odd.md", f'---\nname: Odd\nID: "{candidate_id}"\n---\nBio.\n')
    assert _sync(meta_repo.root).exit_code == 0
    election = Election.objects.get(key="e")
    Election.objects.filter(pk=election.pk).update(start_datetime=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    voter = django_user_model.objects.create_user(username="voter-one")
    officer = django_user_model.objects.create_user(username="officer-one")
    _walk_pages(client, voter, officer, candidate_id)


def test_a_slash_in_an_id_stored_before_validation_does_not_break_the_pages(client, meta_repo, django_user_model):
    meta_repo.add_election("e")
    _sync(meta_repo.root)
    election = Election.objects.get(key="e")
    Election.objects.filter(pk=election.pk).update(start_datetime=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    election.candidates.filter(candidate_id="bob").update(candidate_id="a/b")
    voter = django_user_model.objects.create_user(username="voter-one")
    officer = django_user_model.objects.create_user(username="officer-one")
    _walk_pages(client, voter, officer, "a/b")


def _walk_pages(client, voter, officer, candidate_id):
    key = "e"
    for user, urls in (
        (None, [reverse("elections:public_list"), reverse("elections:public_detail", args=[key])]),
        (voter, [reverse("elections:dashboard"), reverse("elections:list"), reverse("elections:detail", args=[key]),
                 reverse("elections:candidate", args=[key, candidate_id]), reverse("elections:vote", args=[key]),
                 reverse("elections:confirmation", args=[key]), reverse("elections:results", args=[key])]),
        (officer, [reverse("officers:overview", args=[key])]),
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
    client.force_login(voter)
    page = client.get(reverse("elections:candidate", args=[key, candidate_id]))
    assert page.status_code == 200
    detail = client.get(reverse("elections:detail", args=[key])).content.decode()
    assert reverse("elections:candidate", args=[key, candidate_id]) in detail
    # Through the form: the ballot with this ID is reviewed without error.
    form = client.get(reverse("elections:vote", args=[key]))
    fields = {name: "1" for name in form.context["form"].fields}
    response = client.post(reverse("elections:vote", args=[key]), {**fields, "step": "review"}, follow=True)
    assert response.redirect_chain == [(reverse("elections:vote_review", args=[key]), 303)]
    assert response.status_code == 200
    # Once voting has closed: the results and every export.
    Election.objects.filter(key=key).update(end_datetime=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
    urls = [reverse("elections:results", args=[key]), reverse("elections:candidate", args=[key, candidate_id])]
    client.force_login(officer)
    urls += [reverse("officers:overview", args=[key]), reverse("officers:results", args=[key])]
    from elections.officers import exports

    urls += [reverse("officers:export", args=[key, kind]) for kind in exports.KINDS]
    for url in urls:
        assert client.get(url).status_code < 500, url


# --- Nested ELECTION_DIR ----------------------------------------------------------------------------------------


def test_keys_are_the_path_below_a_nested_election_dir():
    tree = parse_meta_tree(NESTED, "steering/elections")
    assert tree.ok
    assert [(e.key, e.path) for e in tree.elections] == [
        ("2022", "steering/elections/2022"), ("tech---2023", "steering/elections/tech/2023")]
    assert all(e.ok for e in tree.elections)


def test_the_command_imports_a_nested_layout_with_the_right_keys(settings, capsys):
    call_command("sync_meta", "--path", str(NESTED), "--election-dir", "steering/elections/")
    assert sorted(Election.objects.values_list("key", "path")) == [
        ("2022", "steering/elections/2022"), ("tech---2023", "steering/elections/tech/2023")]

    settings.ELECTION_DIR = "steering/elections"
    call_command("sync_meta", "--path", str(NESTED))
    assert "2 unchanged" in capsys.readouterr().out


def test_switching_election_dir_keeps_each_election_and_its_old_links(meta_repo, tmp_path, client,
                                                                      django_user_model):
    """An Istio-style repository imported before nested dirs were understood had keys like elections---2022."""
    root = tmp_path / "istio"
    shutil.copytree(NESTED, root)
    _sync(root, election_dir="steering")
    assert set(Election.objects.values_list("key", flat=True)) == {"elections---2022", "elections---tech---2023"}

    summary = _sync(root, election_dir="steering/elections")

    assert {(e.key, e.action) for e in summary.elections} == {("2022", "renamed"), ("tech---2023", "renamed")}
    assert Election.objects.count() == 2
    response = client.get("/elections/elections---2022")
    assert response.status_code == 302 and response["Location"] == "/elections/2022"


@pytest.mark.parametrize("election_dir", ["/etc", "../outside", "steering/../.."])
def test_an_election_dir_outside_the_repository_is_refused(meta_repo, election_dir):
    summary = _sync(meta_repo.root, election_dir=election_dir)
    assert summary.exit_code == 2 and "inside the meta repository" in summary.fatal
