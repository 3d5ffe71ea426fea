"""Where conversations live between messages: slots and form state, never message text.

`ConversationStore` is the interface; `SQLiteStore` keeps conversations in the directory
file (one row per hashed sender). A store for several workers (Redis) implements the same
three methods.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlite_utils

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


class SQLiteStore:
    """Conversations in the `conversation` table; idle longer than `ttl` means forgotten."""

    def __init__(self, db: sqlite_utils.Database, ttl: timedelta = timedelta(minutes=60)) -> None:
        self.db = db
        self.ttl = ttl
        db.execute(
            "CREATE TABLE IF NOT EXISTS conversation "
            "(key TEXT PRIMARY KEY, state TEXT NOT NULL, updated TEXT NOT NULL)"
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

    def delete(self, key: str) -> None:
        with write_transaction(self.db):
            self.db.execute("DELETE FROM conversation WHERE key = ?", [key])

    def purge(self, now: datetime) -> int:
        """Forget every conversation idle longer than the time limit; returns how many."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "DELETE FROM conversation WHERE updated < ?",
                [(now - self.ttl).astimezone(UTC).isoformat()],
            )
        return cursor.rowcount
