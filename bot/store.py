"""Where conversations live between messages: slots and form state, never message text.

`ConversationStore` is the interface; `DatabaseStore` keeps conversations in the database
(one row per hashed sender; SQLite or PostgreSQL), where every worker and every server on
it finds them.

Two messages of one sender can arrive together and land on two workers; `hold` makes the
second turn wait for the first, so that neither answers from a conversation the other is
changing. The hold is a lease in the database: a worker that dies holding one only
delays that sender until the lease runs out.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from directory.engine import Database, delete_some
from directory.transaction import write_transaction


@dataclass
class Conversation:
    """What the assistant remembers of one sender: slot values, the active form and the
    slot it asked for. `expired` is set when an earlier conversation ran out of time."""

    slots: dict[str, Any] = field(default_factory=dict)
    active_loop: str | None = None
    requested_slot: str | None = None
    then: str | None = None  # the action to run when the form is complete
    expired: bool = False

    def as_json(self) -> str:
        return json.dumps(
            {"slots": self.slots, "active_loop": self.active_loop,
             "requested_slot": self.requested_slot, "then": self.then}
        )  # fmt: skip


class ConversationStore(Protocol):
    def load(self, key: str, now: datetime) -> Conversation: ...

    def save(self, key: str, conversation: Conversation, now: datetime) -> None: ...

    def delete(self, key: str) -> None: ...

    def hold(self, key: str) -> AbstractContextManager[None]: ...

    def purge(self, now: datetime) -> int: ...


LEASE_S = 30.0  # longer than any turn (the gate answers at its deadline, 10 s)
WAIT_S = 12.0  # then the turn goes on without the hold rather than not at all
BATCH = 500  # rows purged per transaction


class DatabaseStore:
    """Conversations in the `conversation` table; idle longer than `ttl` means forgotten."""

    def __init__(self, db: Database, ttl: timedelta = timedelta(minutes=60)) -> None:
        self.db = db
        self.ttl = ttl
        self._holding: dict[str, str] = {}  # sender key → this turn's hold
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS conversation
                (key TEXT PRIMARY KEY, state TEXT NOT NULL, updated TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS conversation_updated ON conversation (updated);
            CREATE TABLE IF NOT EXISTS conversation_hold
                (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until REAL NOT NULL);
            """
        )

    def load(self, key: str, now: datetime) -> Conversation:
        row = self.db.execute(
            "SELECT state, updated FROM conversation WHERE key = ?", [key]
        ).fetchone()
        if row is None:
            return Conversation()
        if datetime.fromisoformat(row[1]) + self.ttl < now:
            self.delete(key)
            return Conversation(expired=True)
        state = json.loads(row[0])
        return Conversation(
            state["slots"], state["active_loop"], state["requested_slot"], state.get("then")
        )

    def save(self, key: str, conversation: Conversation, now: datetime) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO conversation (key, state, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                [key, conversation.as_json(), now.astimezone(UTC).isoformat()],
            )
            if key in self._holding:
                self._release(key)  # saved: the next turn may start, in the same write

    def delete(self, key: str) -> None:
        with write_transaction(self.db):
            self.db.execute("DELETE FROM conversation WHERE key = ?", [key])

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """The sender's conversation for one turn: another worker's turn for the same
        sender waits until this one has saved."""
        owner = uuid.uuid4().hex
        deadline = time.monotonic() + WAIT_S
        nap = 0.001
        while not self._take(key, owner) and time.monotonic() < deadline:
            time.sleep(nap)
            nap = min(nap * 2, 0.05)
        self._holding[key] = owner
        try:
            yield
        finally:
            if key in self._holding:  # not saved: the turn failed
                with write_transaction(self.db):
                    self._release(key)

    def _release(self, key: str) -> None:
        owner = self._holding.pop(key, None)
        self.db.execute("DELETE FROM conversation_hold WHERE key = ? AND owner = ?", [key, owner])

    def _take(self, key: str, owner: str) -> bool:
        now = time.time()
        with write_transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO conversation_hold (key, owner, until) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until "
                "WHERE conversation_hold.until < ?",
                [key, owner, now + LEASE_S, now],
            )
        return bool(cursor.rowcount == 1)

    def purge(self, now: datetime) -> int:
        """Forget every conversation idle longer than the time limit, and holds left by
        workers that died, `BATCH` rows at a time; returns how many conversations."""
        removed = 0
        cutoff = (now - self.ttl).astimezone(UTC).isoformat()
        while True:
            with write_transaction(self.db):
                deleted = delete_some(self.db, "conversation", "updated < ?", [cutoff], BATCH)
            removed += deleted
            if deleted < BATCH:
                break
        with write_transaction(self.db):
            self.db.execute("DELETE FROM conversation_hold WHERE until < ?", [time.time()])
        return removed
