"""What the channels remember between messages, kept in the database so that every worker
and every server on it sees the same: ids already answered, senders who opted out, how
many messages a sender sent this minute, and chats a search asked where they are.

Senders appear only as keyed hashes (`bot.privacy.sender_key`). Nothing here grows with
traffic on the hot path: each message touches its own rows by key, and what has expired
is removed in small batches by `purge`, which the server runs once a minute.
"""

from __future__ import annotations

from directory.engine import Database, delete_some
from directory.transaction import write_transaction

SEEN_FOR_S = 86_400  # Twilio and Telegram retry within hours, not days
WINDOW_S = 60.0  # the rate limit's window
ASKED_FOR_S = 3_600  # a live location shared an hour after the question answers nothing
BATCH = 500  # rows removed per statement: short write locks, even after a busy day


class Seen:
    """Ids already answered (Twilio MessageSid, Telegram update_id), kept a day, so that
    a retry or a replay is acknowledged without a second answer."""

    def __init__(self, db: Database, kind: str) -> None:
        self.db = db
        self.kind = kind
        ensure(db)

    def first_time(self, item: str, now: float) -> bool:
        """Records the id; False when it was recorded before."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO seen_id (kind, id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [self.kind, item, now],
            )
        return cursor.rowcount == 1


class OptOuts:
    """Senders who texted STOP, until they text START."""

    def __init__(self, db: Database) -> None:
        self.db = db
        ensure(db)

    def set(self, key: str, out: bool) -> None:
        with write_transaction(self.db):
            if out:
                self.db.execute(
                    "INSERT INTO sms_opt_out (key) VALUES (?) ON CONFLICT DO NOTHING", [key]
                )
            else:
                self.db.execute("DELETE FROM sms_opt_out WHERE key = ?", [key])

    def has(self, key: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM sms_opt_out WHERE key = ?", [key]).fetchone())


class RateCounts:
    """Messages per sender in the current minute, counted where every worker counts."""

    def __init__(self, db: Database) -> None:
        self.db = db
        ensure(db)

    def count(self, key: str, now: float) -> tuple[int, float | None]:
        """Counts this message; the count in the sender's current window (which starts
        with the first message after a quiet minute) and when the sender was last told."""
        with write_transaction(self.db):
            row = self.db.execute(
                "INSERT INTO rate_count (key, started, count) VALUES (?, ?, 1) "
                "ON CONFLICT (key) DO UPDATE SET "
                "count = CASE WHEN rate_count.started <= excluded.started - ? THEN 1 "
                "ELSE rate_count.count + 1 END, "
                "started = CASE WHEN rate_count.started <= excluded.started - ? "
                "THEN excluded.started ELSE rate_count.started END "
                "RETURNING count, noticed",
                [key, now, WINDOW_S, WINDOW_S],
            ).fetchone()
        assert row is not None  # an upsert with RETURNING always returns its row
        return int(row[0]), row[1]

    def noticed(self, key: str, now: float) -> None:
        with write_transaction(self.db):
            self.db.execute("UPDATE rate_count SET noticed = ? WHERE key = ?", [now, key])


class Asked:
    """Chats a reply last asked to share their location (Telegram's live location
    repeats itself as edited messages; only these chats have a search waiting)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        ensure(db)

    def set(self, key: str, asked: bool, now: float) -> None:
        with write_transaction(self.db):
            if asked:
                self.db.execute(
                    "INSERT INTO asked_where (key, at) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET at = excluded.at",
                    [key, now],
                )
            else:
                self.db.execute("DELETE FROM asked_where WHERE key = ?", [key])

    def has(self, key: str, now: float) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM asked_where WHERE key = ? AND at > ?", [key, now - ASKED_FOR_S]
        ).fetchone()
        return row is not None


def ensure(db: Database) -> None:
    """The tables, each with an index on its time, so that `purge` never scans."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS seen_id (kind TEXT, id TEXT, at REAL, PRIMARY KEY (kind, id));
        CREATE INDEX IF NOT EXISTS seen_id_at ON seen_id (at);
        CREATE TABLE IF NOT EXISTS sms_opt_out (key TEXT PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS rate_count
            (key TEXT PRIMARY KEY, started REAL NOT NULL, count INTEGER NOT NULL, noticed REAL);
        CREATE INDEX IF NOT EXISTS rate_count_started ON rate_count (started);
        CREATE TABLE IF NOT EXISTS asked_where (key TEXT PRIMARY KEY, at REAL NOT NULL);
        CREATE INDEX IF NOT EXISTS asked_where_at ON asked_where (at);
        """
    )


def purge(db: Database, now: float) -> int:
    """Removes what has expired, `BATCH` rows per transaction; returns how many."""
    removed = 0
    for table, column, older_than in (
        ("seen_id", "at", now - SEEN_FOR_S),
        ("rate_count", "started", now - WINDOW_S),
        ("asked_where", "at", now - ASKED_FOR_S),
    ):
        while True:
            with write_transaction(db):
                deleted = delete_some(db, table, f"{column} < ?", [older_than], BATCH)
            removed += deleted
            if deleted < BATCH:
                break
    return removed
