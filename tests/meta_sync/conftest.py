"""Meta repositories for the sync tests: the project's irregular sample and small trees built per test."""

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

IRREGULAR = Path(__file__).parent / "fixtures" / "irregular"

ELECTION_YAML = """\
name: {name}
organization: Example
start_datetime: {start}
end_datetime: {end}
no_winners: 1
allow_no_opinion: True
delete_after: False
show_candidate_fields:
  - employer
election_officers:
  - officer-one
eligibility: Members.
exception_description: Ask.
exception_due: {start}
"""


def candidate_text(candidate_id, name=None, employer="Example", bio="A bio."):
    return (
        "-------------------------------------------------------------\n"
        f"name: {name or candidate_id.title()}\nID: {candidate_id}\ninfo:\n  - employer: {employer}\n"
        "-------------------------------------------------------------\n\n"
        f"{bio}\n"
    )


class MetaRepo:
    """A meta repository in a temporary folder that a test can edit file by file."""

    def __init__(self, root):
        self.root = Path(root)
        self.elections = self.root / "elections"
        self.elections.mkdir(parents=True, exist_ok=True)

    def folder(self, rel):
        return self.elections / rel

    def write(self, rel, text):
        path = self.elections / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return path

    def add_election(self, rel, *, name="Test Election", start="2030-01-01 00:00:00", end="2030-01-31 00:00:00",
                     voters=("voter-one", "voter-two"), candidates=("alice", "bob")):
        self.write(f"{rel}/election.yaml", ELECTION_YAML.format(name=name, start=start, end=end))
        self.write(f"{rel}/voters.yaml", "eligible_voters:\n" + "".join(f"  - {v}\n" for v in voters))
        self.write(f"{rel}/election_desc.md", f"# {name}\n")
        for candidate_id in candidates:
            self.write(f"{rel}/candidate-{candidate_id}.md", candidate_text(candidate_id))
        return self.folder(rel)

    def remove(self, rel):
        path = self.elections / rel
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()

    def edit(self, rel, old, new):
        path = self.elections / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def meta_repo(tmp_path):
    return MetaRepo(tmp_path / "meta")


@pytest.fixture
def irregular_repo(tmp_path):
    """A writable copy of the irregular sample tree."""
    target = tmp_path / "irregular"
    shutil.copytree(IRREGULAR, target)
    return MetaRepo(target)



GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Officer", "GIT_AUTHOR_EMAIL": "o@example.org",
           "GIT_COMMITTER_NAME": "Officer", "GIT_COMMITTER_EMAIL": "o@example.org"}


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def upstream(tmp_path):
    """A bare repository on branch main, fed from a working copy that a test edits and pushes."""
    bare = tmp_path / "upstream.git"
    git("init", "--bare", "--initial-branch=main", str(bare), cwd=tmp_path)
    work = MetaRepo(tmp_path / "work")
    git("init", "--initial-branch=main", cwd=work.root)
    git("remote", "add", "origin", str(bare), cwd=work.root)
    work.add_election("e", voters=("ann",))

    def push(message):
        git("add", "-A", cwd=work.root)
        git("commit", "-m", message, cwd=work.root)
        git("push", "origin", "main", cwd=work.root)
        return git("rev-parse", "HEAD", cwd=work.root).strip()

    work.push = push
    work.bare = bare
    push("first election")
    return work
