"""Who a sender is to the assistant: community (everyone by default), responder, staff or
admin, and for staff the services whose bed counts they keep.

People are looked up by the same keyed hash as conversations, so the table holds no phone
number or Telegram id. Registering people by command line comes with the people registry.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlite_utils

from directory.transaction import write_transaction

ROLES = ("community", "responder", "staff", "admin")


@dataclass(frozen=True)
class Person:
    role: str = "community"
    services: list[str] = field(default_factory=list)


def _ensure(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS person_key "
        "(key TEXT PRIMARY KEY, role TEXT NOT NULL, services TEXT NOT NULL DEFAULT '[]')"
    )


def mark(db: sqlite_utils.Database, key: str, role: str, services: Sequence[str] = ()) -> None:
    """Record the role (and services) of the sender whose hashed id is `key`."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}: one of {', '.join(ROLES)}.")
    _ensure(db)
    with write_transaction(db):
        db.execute(
            "INSERT INTO person_key (key, role, services) VALUES (?, ?, ?) ON CONFLICT(key) "
            "DO UPDATE SET role = excluded.role, services = excluded.services",
            [key, role, json.dumps(list(services))],
        )


def lookup(db: sqlite_utils.Database, key: str) -> Person:
    """The person behind a hashed sender id; unknown senders are community members."""
    _ensure(db)
    row = db.execute("SELECT role, services FROM person_key WHERE key = ?", [key]).fetchone()
    return Person(row[0], json.loads(row[1])) if row else Person()
