"""Fetching the meta repository with git: ``meta_repo_pull`` clones it, or fast-forwards it to a branch, and runs
nothing the repository provides."""

import os
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 120


class MetaRepoError(Exception):
    """The repository cannot be cloned or fetched (unreachable, not fast-forward, not a git folder)."""


def _git(args, *, cwd=None):
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "true",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
        "GIT_CONFIG_NOSYSTEM": "1",
        "LC_ALL": "C",
    }
    # Never run anything the repository provides: no hooks, no submodules, no ext:: transports.
    command = ["git", "-c", "core.hooksPath=/dev/null", "-c", "protocol.ext.allow=never",
               "-c", "submodule.recurse=false", *args]
    try:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                                timeout=GIT_TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise MetaRepoError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise MetaRepoError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS} s") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise MetaRepoError(f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}")
    return result.stdout.strip()


def meta_repo_pull(*, repo, branch, path):
    """Clone ``repo`` into ``path`` or fast-forward it to ``branch``; return the commit now checked out.

    Raises ``MetaRepoError`` with a message for an operator when the repository is unreachable, the branch is
    missing, the local copy has diverged (no fast-forward) or ``path`` holds something that is not a clone.
    """
    path = Path(path)
    if (path / ".git").exists():
        _git(["remote", "set-url", "origin", repo], cwd=path)
        _git(["fetch", "--no-recurse-submodules", "--no-tags", "origin",
              f"+refs/heads/{branch}:refs/remotes/origin/{branch}"], cwd=path)
        current = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd=path)
        if current != branch:
            _git(["checkout", "--no-recurse-submodules", "-B", branch, f"origin/{branch}"], cwd=path)
        else:
            try:
                _git(["merge", "--ff-only", "--no-edit", f"origin/{branch}"], cwd=path)
            except MetaRepoError as exc:
                raise MetaRepoError(f"{path} cannot be fast-forwarded to {repo} {branch}: {exc}") from None
    else:
        if path.exists() and any(path.iterdir()):
            raise MetaRepoError(f"{path} exists and is not a git clone; empty it or choose another META_PATH")
        path.parent.mkdir(parents=True, exist_ok=True)
        _git(["clone", "--no-recurse-submodules", "--single-branch", "--branch", branch, "--", repo, str(path)])
    return _git(["rev-parse", "HEAD"], cwd=path)


def _revision_of(path):
    if not (Path(path) / ".git").exists():
        return ""
    try:
        return _git(["rev-parse", "HEAD"], cwd=path)
    except MetaRepoError:
        return ""
