"""Every write to the directory runs in one BEGIN IMMEDIATE transaction.

A read-then-write inside a deferred transaction can fail at once with "database is
locked" even with a busy timeout (two writers both hold a read lock and neither can
upgrade). BEGIN IMMEDIATE takes the write lock first and waits for it, so concurrent bed
updates from several processes queue instead of failing or losing a write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


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
