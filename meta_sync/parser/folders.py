"""The election folders of a meta repository: finding them below the election dir (at any depth, following no
symbolic link), their keys, and reading each of them with the readers of its files. ``parse_meta_tree`` and
``parse_election`` are the parser's entry points. No Django here."""

import os
from pathlib import Path

from .candidates import _read_candidates
from .data import ElectionData, MetaTree
from .election_yaml import _check_charter, _read_election_yaml
from .files import _read_markdown, _rel
from .problems import Problem, _Collector
from .stamps import folder_stamp
from .voters import _read_voters

KEY_SEPARATOR = "---"


def election_key(relative_folder):
    """The election key for a folder path relative to the election dir: ``steering/2021`` -> ``steering---2021``."""
    return KEY_SEPARATOR.join(Path(relative_folder).parts)


def is_ambiguous_folder_name(name):
    """Whether a folder name could make two folders share a key (``x---y`` is also the key of ``x/y``)."""
    return KEY_SEPARATOR in name or name.startswith("-") or name.endswith("-")


def find_election_folders(election_root, skipped=None):
    """Folders below ``election_root`` (at any depth) that hold an ``election.yaml``, sorted, as Paths.

    Hidden folders (``.git``) are skipped and symbolic links are not followed; each symbolic link to a
    folder is reported in ``skipped`` (a list of ``Problem``, paths relative to ``election_root``'s parent
    chain as given) when a list is passed.
    """
    found = []
    for folder, dirnames, filenames in os.walk(election_root, followlinks=False):
        kept = []
        for name in sorted(d for d in dirnames if not d.startswith(".")):
            if os.path.islink(os.path.join(folder, name)):
                if skipped is not None:
                    skipped.append(Path(folder) / name)
                continue
            kept.append(name)
        dirnames[:] = kept
        if "election.yaml" in filenames and Path(folder) != Path(election_root):
            found.append(Path(folder))
    return sorted(found)


def _symlink_on_the_way(root, election_dir):
    """The first symbolic link among ``root`` and the folders of ``election_dir`` below it, or None."""
    path = Path(root)
    if path.is_symlink():
        return path
    for part in Path(election_dir).parts:
        path = path / part
        if path.is_symlink():
            return path
    return None


def parse_meta_tree(root, election_dir="elections", unchanged=None):
    """Read every election below ``root/election_dir`` (``election_dir`` may be nested: ``steering/elections``).

    Returns a ``MetaTree``. Never raises on bad content: problems are collected per election (``ElectionData
    .problems``) or, for the tree itself (root or election dir missing, or a symbolic link), in
    ``MetaTree.problems``.

    ``unchanged(key, stamp)``, when given, is asked for each folder with its ``folder_stamp``: a folder it calls
    unchanged is not read, and is listed in ``MetaTree.unchanged`` instead of ``MetaTree.elections``.
    """
    root = Path(root)
    election_dir = Path(str(election_dir).strip().rstrip("/") or ".")
    election_root = root / election_dir
    if election_dir.is_absolute() or ".." in election_dir.parts:
        return MetaTree([], [Problem(str(election_dir), "", "the election dir must be a folder inside the "
                                                            "meta repository (a relative path, without ..)")])
    if not root.is_dir():
        return MetaTree([], [Problem(str(root), "", "the meta repository folder does not exist")])
    link = _symlink_on_the_way(root, election_dir)
    if link is not None:
        return MetaTree([], [Problem(str(link), "", "is a symbolic link, which the import never follows; "
                                                    "give the real folder")])
    if not election_root.is_dir():
        return MetaTree([], [Problem(election_dir.as_posix(), "", f"the election dir does not exist in {root}")])
    links = []
    folders = find_election_folders(election_root, links)
    skipped = [Problem(_rel(root, path), "", "symbolic link to a folder: not followed, nothing below it is read")
               for path in links]
    tree = MetaTree([], [], skipped)
    for folder in folders:
        key = election_key(folder.relative_to(election_root))
        tree.stamps[key] = folder_stamp(folder)
        if unchanged is not None and unchanged(key, tree.stamps[key]):
            tree.unchanged.append(key)
        else:
            tree.elections.append(parse_election(root, folder, election_root=election_root))
    return tree


def parse_election(root, folder, election_root=None):
    """Read the election in ``folder`` (an absolute path below ``root``) into an ``ElectionData``.

    Its key is the folder's path below ``election_root`` (default: the first folder below ``root``).
    """
    root = Path(root)
    folder = Path(folder)
    rel = folder.relative_to(root).as_posix()
    if election_root is None:
        election_root = root / rel.split("/", 1)[0]
    below = folder.relative_to(election_root)
    key = election_key(below)
    election = ElectionData(key=key, path=rel, ambiguous_name=any(is_ambiguous_folder_name(p) for p in below.parts))
    report = _Collector(election.problems)
    election.lines = report.lines
    if len(key) > 255 or len(rel) > 400:
        report.error(rel, "", "the folder path is too long for an election key (at most 255 characters)")
        return election
    if folder.is_symlink():
        report.error(rel, "", "symbolic link to a folder: not followed")
        return election

    _read_election_yaml(election, root, folder, report)
    _read_voters(election, root, folder, report)
    _read_candidates(election, root, folder, report)
    _check_charter(election, f"{rel}/election.yaml", report)
    election.description = _read_markdown(root, folder / "election_desc.md", report, "description")
    election.results = _read_markdown(root, folder / "results.md", report, None)
    return election
