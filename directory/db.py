"""Opening the directory database: WAL, a busy timeout, forward migrations, and writes
that always start with BEGIN IMMEDIATE.

A read-then-write inside a deferred transaction can fail at once with "database is
locked" even with a busy timeout (two writers both hold a read lock and neither can
upgrade). BEGIN IMMEDIATE takes the write lock first and waits for it, so concurrent bed
updates from several processes queue instead of failing or losing a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from directory import migrations

BUSY_TIMEOUT_MS = 10_000


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the SQLite file and bring its schema up to date."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    db = sqlite_utils.Database(conn)
    if migrate:
        with write_transaction(db):
            migrations.upgrade(db)
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block in one BEGIN IMMEDIATE transaction: all of it is written, or none."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of the last migration applied to this file."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])
