"""Sender ids are stored only as keyed hashes (HMAC-SHA256).

The key lives outside the database (WAYFINDER_HMAC_KEY), so a copy of the database alone
cannot be matched against a list of phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from directory import ConfigError
from directory.engine import Database, is_postgres
from directory.transaction import write_transaction


def sender_key(channel: str, sender: str, key: bytes) -> str:
    """The stored id of a sender on a channel: hex HMAC-SHA256 of "channel:sender"."""
    return hmac.new(key, f"{channel}:{sender}".encode(), hashlib.sha256).hexdigest()


def check_key(value: str) -> str:
    """The key, when it is long enough to be a secret.

    Raises:
        ConfigError: it is shorter than 16 characters.
    """
    if len(value) < 16:
        raise ConfigError("WAYFINDER_HMAC_KEY must be at least 16 characters.")
    return value


def hmac_key(db_path: str | Path, configured: str | None = None, *, demo: bool = False) -> bytes:
    """The key sender ids are hashed with: the configured one (WAYFINDER_HMAC_KEY). In demo
    mode only (the fictional demo directory), a random key kept in a file beside the
    database (`<db>.key`, readable by its owner only) stands in, so that the Quick start
    needs no set-up.

    Raises:
        ConfigError: no key outside demo mode, or a key too short to be secret.
    """
    if value := (configured or "").strip():
        return check_key(value).encode()
    if not demo or is_postgres(db_path):  # servers sharing a database share one key
        raise ConfigError(
            "WAYFINDER_HMAC_KEY is not set. Sender ids are stored only as keyed hashes: set "
            "it to a long random secret kept outside the database (for example the output of "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    path = Path(f"{db_path}.key")
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


# Tables whose rows are tied to a sender's keyed hash (column `key`). A registered
# person's identity is kept: staff and responders are removed by an admin
# (`wayfinder people remove`), not by a text that anyone holding the phone could send.
KEYED_TABLES = ("conversation", "sms_opt_out")


def forget(db: Database, key: str) -> int:
    """Remove every row tied to this sender's hash, at once; returns how many."""
    removed = 0
    with write_transaction(db):
        for table in KEYED_TABLES:
            if table in db.table_names():
                removed += db.execute(f"DELETE FROM {table} WHERE key = ?", [key]).rowcount
    return removed


def purge(db: Database, older_than: timedelta, now: datetime) -> dict[str, int]:
    """Retention: forget conversations idle, events and replay ids older than the limit.
    The change log is an audit trail and is kept."""
    cutoff = now - older_than
    plans = {
        "conversation": ("updated < ?", cutoff.astimezone(UTC).isoformat()),
        "event": ("hour < ?", cutoff.astimezone(UTC).strftime("%Y-%m-%dT%H:00")),
        "seen_id": ("at < ?", cutoff.timestamp()),
    }
    removed = {}
    with write_transaction(db):
        for table, (condition, value) in plans.items():
            removed[table] = 0
            if table in db.table_names():
                removed[table] = db.execute(
                    f"DELETE FROM {table} WHERE {condition}", [value]
                ).rowcount
    return removed
