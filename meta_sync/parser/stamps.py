"""Folder stamps: a fingerprint of an election folder taken without reading its files, with the parser's own
source (every module of this package), so that a sync skips a folder unchanged since its last import and a new
version of the parser reads every folder again. No Django here."""

import hashlib
import os
from pathlib import Path

# What the stamp of a folder depends on besides its files: the code that reads them, every module of this package
# and the modules of other apps it reads with (logins, charter rules, officers' keys).
_REPO = Path(__file__).resolve().parent.parent.parent
_PARSER_SOURCES = (*sorted(Path(__file__).parent.glob("*.py")), _REPO / "accounts" / "github.py",
                   _REPO / "elections" / "counting" / "charter.py",
                   _REPO / "elections" / "ballot_box" / "officer_keys.py")
_parser_digest = None


def _parser_source_digest():
    global _parser_digest
    if _parser_digest is None:
        digest = hashlib.sha256()
        for source in _PARSER_SOURCES:
            digest.update(source.read_bytes() if source.exists() else b"")
        _parser_digest = digest.hexdigest()
    return _parser_digest


def folder_stamp(folder):
    """A fingerprint of an election folder that changes whenever what ``parse_election`` would read changes,
    taken without reading any file: the folder's path and, for each entry directly in it, its name, type, size,
    inode and modification and change times (the change time moves on every write, and cannot be set back),
    with the parser's own source. Two equal stamps mean the same files, read by the same code."""
    digest = hashlib.sha256(_parser_source_digest().encode())
    digest.update(os.fsencode(folder))
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            info = entry.stat(follow_symlinks=False)
            digest.update(b"\0" + os.fsencode(entry.name) + b"\0" + repr(
                (info.st_mode, info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)).encode())
    return digest.hexdigest()
