"""Opening the directory database: WAL, a busy timeout and forward migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from directory import migrations
from directory.transaction import write_transaction

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


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of the last migration applied to this file."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])
