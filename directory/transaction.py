"""Every write to the directory runs in one BEGIN IMMEDIATE transaction.

A read-then-write inside a deferred transaction can fail at once with "database is
locked" even with a busy timeout (two writers both hold a read lock and neither can
upgrade). BEGIN IMMEDIATE takes the write lock first and waits for it, so concurrent bed
updates from several processes queue instead of failing or losing a write.

The wait is ours, not SQLite's busy handler: that one sleeps 1, 2, 5, 10… ms between
tries, made for locks held long, while ours are held for a fraction of a millisecond
(a conversation saved, an id recorded). Several workers sharing the file would spend
more time asleep than working; polling every tenth of a millisecond, growing to a few,
hands the lock on as soon as it is free.

On PostgreSQL (directory/engine.py) the same block takes one transaction-wide advisory
lock: the code reads, then writes, as SQLite's single writer lets it (a bed count's old
value logged beside its new one), and two servers must not interleave there either.
"""

from __future__ import annotations

import sqlite3
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from directory.engine import Database, PostgresDatabase

WRITE_LOCK = 0x5746  # the advisory lock every write transaction takes on PostgreSQL
WAIT_S = 10.0  # as long as the connection's busy timeout (directory/db.py)
_FIRST_NAP_S, _LONGEST_NAP_S = 0.0001, 0.005


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run the block in one BEGIN IMMEDIATE transaction: all of it is written, or none.

    Inside another `write_transaction` on the same connection, the block joins it: a
    conversation saved and the turn's event recorded commit together, one write instead
    of two. (Only these blocks nest; a transaction opened any other way is an error.)
    """
    if _open.get(db):
        _open[db] += 1
        try:
            yield db
        finally:
            _open[db] -= 1
        return
    if isinstance(db, PostgresDatabase):
        db.execute("BEGIN")
        db.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
    else:
        _begin(db.conn)
    _open[db] = 1
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")
    finally:
        _open[db] = 0


# Connections in a write_transaction, and how deep.
_open: weakref.WeakKeyDictionary[Database, int] = weakref.WeakKeyDictionary()


def _begin(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting up to WAIT_S for another writer to finish."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        deadline, nap = time.monotonic() + WAIT_S, _FIRST_NAP_S
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() > deadline:
                    raise
            time.sleep(nap)
            nap = min(nap * 1.5, _LONGEST_NAP_S)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(WAIT_S * 1000)}")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or (
        "locked" in str(error)
    )
