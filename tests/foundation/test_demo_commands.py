"""The README's commands for the demo work as written, and the checks of scripts/test.sh leave no files behind."""

import os
import re
import shlex
import subprocess
import sys

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
DEMO = (REPO_ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")
TEST_SH = (REPO_ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")


def demo_database_file():
    match = re.search(r'DATABASE_URL="\$\{DATABASE_URL:-sqlite:///\$PWD/([^}]+)\}"', DEMO)
    assert match, "scripts/demo.sh sets a default SQLite DATABASE_URL"
    return match.group(1)


def test_the_readme_tip_for_management_commands_uses_the_demo_database():
    tip = re.search(r"Management commands on the demo's database:\s*`([^`]+)`", README)
    assert tip, "the README says how to run management commands against the demo"
    assert f"DATABASE_URL=sqlite:///{demo_database_file()}" in tip.group(1)


def test_the_readme_says_how_to_change_the_demo_port_and_the_demo_reads_it():
    assert "PORT=8080 bash scripts/demo.sh" in README
    assert 'PORT="${PORT:-8000}"' in DEMO


def test_the_readme_and_the_demo_banner_name_every_voter_on_the_demo_roll():
    roll = (REPO_ROOT / "examples/meta/elections/steering/2026/voters.yaml").read_text()
    logins = re.findall(r"^\s*-\s*(\S+)\s*$", roll, re.M)
    banner = DEMO.split("cat <<MSG", 1)[1].split("MSG", 1)[0]
    for login in logins:
        assert f"`{login}`" in README, f"the README does not name {login}"
        assert re.search(rf"\b{login}\b", banner.split("anyone else")[0]), f"the demo banner does not name {login}"


def test_the_checks_of_the_test_script_leave_no_database_file_behind(tmp_path):
    line = re.search(r"^CHECK_ENV=\((.*)\)$", TEST_SH, re.M)
    assert line, "scripts/test.sh defines CHECK_ENV"
    words = shlex.split(line.group(1))
    assert words[0] == "env"
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    for word in words[1:]:
        if word.startswith("-u"):
            continue
        name, _, value = word.partition("=")
        env[name] = value
    default_file = REPO_ROOT / "var" / "db.sqlite3"
    before = default_file.stat().st_mtime_ns if default_file.exists() else None
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    after = default_file.stat().st_mtime_ns if default_file.exists() else None
    assert after == before, "the migration check created or touched var/db.sqlite3"


def test_the_demo_prints_its_start_up_warnings_once():
    # Each manage.py command runs the system checks and prints their warnings; the demo's preparation runs
    # them once (migrate), so the server skips them rather than print the same warnings a second time.
    commands = re.findall(r"^\s*(?:exec )?\$PY manage\.py (\w+)(.*)$", DEMO, re.M)
    checked = [name for name, rest in commands if "--skip-checks" not in rest]
    assert checked == ["migrate"], commands
