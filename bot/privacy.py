"""Sender ids are stored only as keyed hashes (HMAC-SHA256).

The key lives outside the database (WAYFINDER_HMAC_KEY), so a copy of the database alone
cannot be matched against a list of phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path


def sender_key(channel: str, sender: str, key: bytes) -> str:
    """The stored id of a sender on a channel: hex HMAC-SHA256 of "channel:sender"."""
    return hmac.new(key, f"{channel}:{sender}".encode(), hashlib.sha256).hexdigest()


def hmac_key(db_path: str | Path, environ: Mapping[str, str] | None = None) -> bytes:
    """WAYFINDER_HMAC_KEY, else a random key kept in a file beside the database
    (`<db>.key`, readable by its owner only), made on first use so that a local
    installation works without set-up and conversations survive restarts."""
    env = os.environ if environ is None else environ
    if value := env.get("WAYFINDER_HMAC_KEY", "").strip():
        return value.encode()
    path = Path(f"{db_path}.key")
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
