"""``python -m meta_sync.check``: on every real meta tree the import reads, no error and each of the import's
warnings shown; its three output formats; its exit status; and no Django, database or secret needed."""

import json
import os
import subprocess
import sys

import pytest

from meta_sync.check import check_meta
from meta_sync.parser import parse_meta_tree
from tests.conftest import EXAMPLE_META, REPO_ROOT, shared_fixture
from tests.meta_sync.conftest import IRREGULAR

# (tree, election dir, warnings the check adds that the import does not report, as (file ending, words))
REAL_TREES = {
    "kubernetes": ("elections", [
        ("code-of-conduct/2023/candidate-rphitg00.md", "opens with 46 dashes"),
        ("code-of-conduct/2023/candidate-pacoxu.md", "opens with 49 dashes"),
        ("code-of-conduct/2023/election.yaml", "7 officer(s) also on the voter roll"),
        ("steering/2024/election.yaml", "3 officer(s) also on the voter roll"),
    ]),
    "elekto-meta-test": ("elections", [
        ("2021/TOC/election.yaml", "is after the close"),
        ("2021/TOC/election.yaml", "4 seat(s) for 2 candidate(s)"),
        ("name_the_app/election.yaml", "also on the voter roll"),
    ]),
}


def run_check(*args, cwd=REPO_ROOT, env=None):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY")}
    environment["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run([sys.executable, "-m", "meta_sync.check", *map(str, args)], cwd=cwd,
                          env={**environment, **(env or {})}, capture_output=True, text=True, timeout=120)


def import_warnings(root, election_dir="elections"):
    tree = parse_meta_tree(root, election_dir)
    return {(p.path, p.text) for e in tree.elections for p in e.warnings}


def check_warnings(report):
    return {(p.path, p.text) for _, p in report.all_problems() if p.severity == "warning"}


@pytest.mark.parametrize("name", sorted(REAL_TREES))
def test_a_real_tree_has_no_error_and_every_warning_is_shown(name):
    root = shared_fixture("meta", name)
    election_dir, added = REAL_TREES[name]

    report = check_meta(root, election_dir=election_dir)

    assert report.error_count == 0, [str(p) for _, p in report.all_problems() if p.severity == "error"]
    assert import_warnings(root, election_dir) <= check_warnings(report)
    for ending, words in added:
        assert any(p.path.endswith(ending) and words in p.message for _, p in report.all_problems()), (ending, words)


@pytest.mark.parametrize(("root", "election_dir"), [
    (EXAMPLE_META, "elections"), (IRREGULAR, "elections"),
    (REPO_ROOT / "tests" / "meta_sync" / "fixtures" / "nested", "steering/elections"),
])
def test_the_projects_own_trees_have_no_error_and_every_import_warning(root, election_dir):
    report = check_meta(root, election_dir=election_dir)

    assert report.error_count == 0
    assert import_warnings(root, election_dir) <= check_warnings(report)


def test_it_runs_without_django_a_database_or_a_secret():
    code = ("import sys, runpy; sys.argv = ['check', 'examples/meta']; "
            "status = 0\n"
            "try:\n    runpy.run_module('meta_sync.check', run_name='__main__')\n"
            "except SystemExit as exc:\n    status = exc.code\n"
            "print(status, sorted(m for m in sys.modules if m.split('.')[0] == 'django'), file=sys.stderr)")
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=120, env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT)})

    assert completed.stderr.strip().splitlines()[-1] == "0 []", completed.stderr
    assert "election(s) checked: 0 error(s)" in completed.stdout


def test_text_output_names_file_line_and_severity_and_fails_on_an_error(meta_repo):
    meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "no_winners: 1", "no_winners: 0")

    completed = run_check("meta", cwd=meta_repo.root.parent)

    assert completed.returncode == 1
    assert "meta/elections/e/2030/election.yaml:5: error: no_winners: must be at least 1\n" in completed.stdout
    assert completed.stdout.endswith("1 election(s) checked: 1 error(s), 0 warning(s)\n")


def test_github_output_is_one_annotation_per_problem_with_the_file_first(meta_repo):
    meta_repo.add_election("e/2030", candidates=("alice", "bob"))
    meta_repo.edit("e/2030/election.yaml", "no_winners: 1", "no_winners: 0")
    meta_repo.edit("e/2030/candidate-bob.md", "ID: bob", "ID: robert")

    completed = run_check(".", "--format", "github", cwd=meta_repo.root)

    lines = completed.stdout.splitlines()
    assert "::error file=elections/e/2030/election.yaml,line=5::no_winners: must be at least 1" in lines
    assert ("::warning file=elections/e/2030/candidate-bob.md,line=3::ID: 'robert' does not match the file name; "
            "the ID is used") in lines
    assert completed.returncode == 1


def test_github_annotations_escape_what_would_end_them(meta_repo):
    meta_repo.add_election("e/2030", candidates=("alice",))
    meta_repo.edit("e/2030/election.yaml", "eligibility:", "'50%': x\neligibility:")
    meta_repo.write("e/2030/candidate-a,b.md", "---\nname: A\n---\n")

    completed = run_check(".", "--format", "github", cwd=meta_repo.root)

    lines = completed.stdout.splitlines()
    assert "::warning file=elections/e/2030/election.yaml,line=12::50%25: unknown key, ignored" in lines
    assert any(line.startswith("::error file=elections/e/2030/candidate-a%2Cb.md::ID: 'a,b' is not a candidate ID")
               for line in lines), lines


def test_json_output_has_the_documented_shape(meta_repo):
    meta_repo.add_election("e/2030", candidates=("alice",))

    completed = run_check(".", "--format", "json", "--strict", cwd=meta_repo.root)

    data = json.loads(completed.stdout)
    assert completed.returncode == 1
    assert {k: data[k] for k in ("format", "ok", "strict", "against", "errors", "warnings")} == {
        "format": 1, "ok": False, "strict": True, "against": None, "errors": 1, "warnings": 0}
    assert data["problems"] == [{"severity": "error", "file": "elections/e/2030/election.yaml", "line": 5,
                                 "field": "no_winners", "election": "e---2030",
                                 "message": "1 seat(s) for 1 candidate(s): every candidate is elected whatever the "
                                            "ballots say; check the number of seats"}]
    assert data["elections"] == [{"key": "e---2030", "path": "elections/e/2030", "name": "Test Election",
                                  "present": True, "errors": 1, "warnings": 0, "changes": None}]


def test_bio_flags_work_as_elektos_validator_flags(meta_repo):
    meta_repo.add_election("e/2030", candidates=("alice",))
    meta_repo.write("e/2030/candidate-alice.md", meta_repo.folder("e/2030/candidate-alice.md").read_text()
                    + "\n## About Me\n\n" + "word " * 40)

    assert run_check(".", cwd=meta_repo.root).returncode == 0
    over = run_check(".", "--max-words", "30", cwd=meta_repo.root)
    assert over.returncode == 1 and "more than the 30 the election allows" in over.stdout
    recommended = run_check(".", "--max-words", "100", "--recommended-words", "30", cwd=meta_repo.root)
    assert recommended.returncode == 0 and "more than the 30 recommended" in recommended.stdout
    sections = run_check(".", "--required-sections", "## About Me, ## Platform", cwd=meta_repo.root)
    assert sections.returncode == 1 and "no section '## Platform'" in sections.stdout
    assert "'## About Me'" not in sections.stdout


def test_an_election_folder_can_be_checked_alone(meta_repo):
    meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "no_winners: 1", "no_winners: 0")

    completed = run_check("elections/e/2030", cwd=meta_repo.root)

    assert "elections/e/2030/election.yaml:5: error: no_winners" in completed.stdout
    assert completed.returncode == 1


def test_a_missing_election_dir_is_an_error(meta_repo):
    completed = run_check(".", "--election-dir", "steering/elections", cwd=meta_repo.root)

    assert completed.returncode == 1
    assert "the election dir does not exist" in completed.stdout


def test_the_example_workflow_fetches_the_history_and_annotates_the_pull_request():
    import yaml

    workflow = yaml.safe_load((REPO_ROOT / "examples" / "meta-repo-check.yml").read_text())

    steps = workflow["jobs"]["check"]["steps"]
    checkouts = [step for step in steps if step.get("uses", "").startswith("actions/checkout")]
    assert checkouts[0]["with"]["fetch-depth"] == 0
    assert checkouts[1]["with"]["ref"] == "${{ env.ELEKTO_REF }}"
    (command,) = [step["run"] for step in steps if "meta_sync.check" in step.get("run", "")]
    assert "--format github" in command and "--against origin/${{ github.base_ref }}" in command


def test_the_pre_commit_hook_runs_the_check_from_the_meta_repository(meta_repo):
    import yaml

    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    meta_repo.add_election("e/2030")
    meta_repo.edit("e/2030/election.yaml", "no_winners: 1", "no_winners: 0")

    completed = subprocess.run([str(REPO_ROOT / hook["entry"]), *hook["args"]], cwd=meta_repo.root,
                               capture_output=True, text=True, timeout=120,
                               env={"PATH": os.environ["PATH"], "PYTHON": sys.executable})

    assert (hook["id"], hook["language"], hook["pass_filenames"]) == ("elekto-meta-check", "script", False)
    assert completed.returncode == 1
    assert "elections/e/2030/election.yaml:5: error: no_winners: must be at least 1" in completed.stdout


def test_github_output_annotates_ten_of_a_kind_errors_first_and_the_job_summary_has_everything(meta_repo, tmp_path):
    for number in range(12):
        meta_repo.add_election(f"e/{2030 + number}")
        meta_repo.edit(f"e/{2030 + number}/election.yaml", "no_winners: 1", "no_winners: 0")
    meta_repo.edit("e/2030/candidate-bob.md", "ID: bob", "ID: robert")
    summary = tmp_path / "summary.md"

    completed = run_check(".", "--format", "github", cwd=meta_repo.root, env={"GITHUB_STEP_SUMMARY": str(summary)})

    lines = completed.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines if line.startswith("::")] == (
        ["::error"] * 10 + ["::warning", "::notice::2"])
    assert sum("error: no_winners: must be at least 1" in line for line in lines) == 2
    table = summary.read_text()
    assert table.startswith("## Elections check: 12 election(s) checked: 12 error(s)")
    assert table.count("| error | `elections/e/") == 12
    assert "| warning | `elections/e/2030/candidate-bob.md:3` | ID: 'robert' does not match" in table
