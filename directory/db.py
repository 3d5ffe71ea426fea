"""Opening the database — a SQLite file (WAL, a busy timeout) or a `postgresql://` URL —
and bringing its schema up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from directory import engine, migrations
from directory.engine import Database, PostgresDatabase
from directory.transaction import write_transaction

BUSY_TIMEOUT_MS = 10_000


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the SQLite file, or connect to the PostgreSQL database
    of a `postgresql://` URL, and bring its schema up to date (migrations run once: two
    workers opening it together take turns)."""
    db: Database
    if engine.is_postgres(path):
        db = PostgresDatabase(str(path))
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        db = sqlite_utils.Database(conn)
    if migrate:
        try:
            with write_transaction(db):
                if isinstance(db, PostgresDatabase):
                    engine.prepare_postgres(db)
                migrations.upgrade(db)
        except BaseException:
            db.close()  # a refused database (newer schema, a failed step) is not left open
            raise
    return db


def schema_version(db: Database) -> int:
    """The number of the last migration applied to this database."""
    return engine.schema_version(db)
