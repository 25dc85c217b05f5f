"""Raw copies of the database's own files, as an attacker with the disk (a snapshot, a physical backup) has them.

* SQLite: the test database lives in memory, so its file is the image SQLite would write to disk
  (``Connection.serialize()``: the same pages, free pages and deleted-row remnants included). For a database
  in a file, the file itself and its ``-wal`` and ``-journal`` when present.
* MariaDB/MySQL: ``FLUSH TABLES ... FOR EXPORT`` (dirty pages written, tables quiesced), a copy of each
  table's ``.ibd`` file, ``UNLOCK TABLES``; then the redo log (``ib_logfile*``), the system tablespace
  (``ibdata1``, which holds the undo log unless separate undo tablespaces are configured), separate undo
  tablespaces and binary logs, wherever this process can read them (the tests run on the server's machine).
"""

import glob
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection


@dataclass(frozen=True)
class RawFile:
    name: str
    content: bytes


def raw_copies(folder):
    """Copies of the database's files in ``folder`` (a Path), read back as ``RawFile``s."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        paths = _sqlite_copies(folder)
    elif connection.vendor == "mysql":
        paths = _mariadb_copies(folder)
    else:
        pytest.skip(f"no raw-file copy for {connection.vendor}")
    return [RawFile(path.name, path.read_bytes()) for path in paths]


def _sqlite_copies(folder):
    connection.ensure_connection()
    name = str(connection.settings_dict["NAME"])
    in_memory = connection.is_in_memory_db() if hasattr(connection, "is_in_memory_db") else ":memory:" in name
    if in_memory or "mode=memory" in name:
        target = folder / "db.sqlite3"
        target.write_bytes(connection.connection.serialize())
        return [target]
    copies = []
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(name + suffix):
            copies.append(Path(shutil.copyfile(name + suffix, folder / (Path(name).name + suffix))))
    return copies


def _mariadb_copies(folder):
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@datadir, DATABASE()")
        datadir, database = cursor.fetchone()
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
                       "AND engine = 'InnoDB'")
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT @@innodb_undo_directory, @@log_bin_basename")
        undo_directory, binlog_base = cursor.fetchone()
        if not os.access(datadir, os.R_OK | os.X_OK):
            pytest.skip(f"this process cannot read the server's data directory {datadir}")
        copies = []
        cursor.execute("FLUSH TABLES " + ", ".join(connection.ops.quote_name(t) for t in tables) + " FOR EXPORT")
        try:
            for table in tables:
                source = Path(datadir) / _file_name(database) / f"{_file_name(table)}.ibd"
                copies.append(Path(shutil.copyfile(source, folder / source.name)))
        finally:
            cursor.execute("UNLOCK TABLES")
    shared = glob.glob(os.path.join(datadir, "ib_logfile*")) + glob.glob(os.path.join(datadir, "ibdata*"))
    shared += glob.glob(os.path.join(undo_directory or datadir, "undo[0-9]*"))
    if binlog_base:
        shared += glob.glob(binlog_base + ".[0-9]*")
    for source in shared:
        if os.access(source, os.R_OK):
            copies.append(Path(shutil.copyfile(source, folder / Path(source).name)))
    assert any(p.name.startswith("ib_logfile") for p in copies), "the redo log was not found or not readable"
    return copies


def _file_name(identifier):
    """InnoDB's file name for a table or database name (letters, digits and ``_`` are kept as they are)."""
    return re.sub(r"[^A-Za-z0-9_]", lambda m: f"@{ord(m.group()):04x}", identifier)


@dataclass(frozen=True)
class Found:
    needle: str
    file: str
    offset: int

    def __str__(self):
        return f"{self.needle!r} in {self.file} at byte {self.offset}"


def find_needles(files, needles):
    """Where each of ``needles`` (a dict of label -> compiled bytes regex) occurs in ``files``."""
    found = []
    for raw in files:
        for label, pattern in needles.items():
            match = pattern.search(raw.content)
            if match is not None:
                found.append(Found(label, raw.name, match.start()))
    return found
