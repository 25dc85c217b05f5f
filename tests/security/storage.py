"""Raw copies of the database's own files, as an attacker with the disk (a snapshot, a physical backup) has them.

* SQLite: the test database lives in memory, so its file is the image SQLite would write to disk
  (``Connection.serialize()``: the same pages, free pages and deleted-row remnants included). For a database
  in a file, the file itself and its ``-wal`` and ``-journal`` when present.
* MariaDB/MySQL: ``FLUSH TABLES ... FOR EXPORT`` (dirty pages written, tables quiesced), a copy of each
  table's ``.ibd`` file, ``UNLOCK TABLES``; then the redo log (``ib_logfile*``), the system tablespace
  (``ibdata1``, which holds the undo log unless separate undo tablespaces are configured), separate undo
  tablespaces and binary logs, wherever this process can read them (the tests run on the server's machine).
* PostgreSQL: ``CHECKPOINT`` (every dirty page written), a copy of each file of the public schema's tables,
  their TOAST tables and indexes (every segment and fork), named after the relation; then the write-ahead log's
  segments written since the test session began (``pg_wal``), wherever this process can read them.

A copy that cannot be made is a failure, never a skip: a proof that cannot run proves nothing.
"""

import glob
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from nacl.bindings import crypto_scalarmult_base

# Write-ahead log segments older than the test session hold nothing the tests wrote.
_SESSION_START = time.time()


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
    elif connection.vendor == "postgresql":
        paths = _postgresql_copies(folder)
    else:
        pytest.fail(f"no raw-file copy for {connection.vendor}")
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
            pytest.fail(f"this process cannot read the server's data directory {datadir}: run the tests on the "
                        "database server's machine, as a user who can read it")
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


def _postgresql_copies(folder):
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        (datadir,) = cursor.fetchone()
        if not os.access(datadir, os.R_OK | os.X_OK):
            pytest.fail(f"this process cannot read the server's data directory {datadir}: run the tests on the "
                        "database server's machine, as a user who can read it")
        cursor.execute("CHECKPOINT")
        # Tables of the public schema, with their TOAST tables and indexes: every file that holds their rows.
        cursor.execute("""
            SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') AND pg_relation_filepath(c.oid) IS NOT NULL
            UNION ALL
            SELECT c.relname || '.toast', pg_relation_filepath(c.reltoastrelid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reltoastrelid <> 0
        """)
        relations = cursor.fetchall()
    copies = []
    for name, relative in relations:
        base = Path(datadir) / relative
        # Segments (``.1``, ``.2``) and forks (``_fsm``, ``_vm``) of the relation.
        for source in [base, *sorted(base.parent.glob(base.name + ".*")), *sorted(base.parent.glob(base.name + "_*"))]:
            if source.exists():
                suffix = source.name[len(base.name):]
                copies.append(Path(shutil.copyfile(source, folder / f"{name}{suffix}")))
    wal = [Path(p) for p in glob.glob(os.path.join(datadir, "pg_wal", "[0-9A-F]" * 24))]
    for source in sorted(wal):
        if os.path.getmtime(source) >= _SESSION_START - 5:
            copies.append(Path(shutil.copyfile(source, folder / f"pg_wal-{source.name}")))
    assert any(p.name.startswith("pg_wal-") for p in copies), "the write-ahead log was not found or not readable"
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


# A private key is 32 random bytes: one holding four zero bytes in a row occurs about once in 10^8 keys, while
# most of a database page is zeros. The scan below skips those runs and so reads only the data that is there.
_ZERO_RUN = re.compile(rb"\x00{4,}")


def private_key_windows(files, public_keys):
    """Every 32-byte window of ``files`` that is the X25519 private key of one of ``public_keys``.

    Whatever encoding or place a key was written in raw (a column, a log record, a freed page), its 32 bytes
    derive its public key. Costs about 20 µs a distinct window: scan the small test database's own files.
    """
    wanted = {bytes(key) for key in public_keys}
    found = []
    for raw in files:
        seen = set()
        start = 0
        for run in [*_ZERO_RUN.finditer(raw.content), None]:
            end = run.start() if run is not None else len(raw.content)
            for offset in range(start, end - 31):
                window = raw.content[offset:offset + 32]
                if window in seen:
                    continue
                seen.add(window)
                if crypto_scalarmult_base(window) in wanted:
                    found.append(Found("a ballot box's private key", raw.name, offset))
            if run is not None:
                start = run.end()
    return found
