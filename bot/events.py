"""An anonymous record of what the assistant did, for program evaluation and safety review.

No sender, no message text: the hour, the channel, the role, what was asked (intent,
needs, a coarse place), what was found, and whether the person was handed to 988 or 911.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from directory.engine import Database
from directory.transaction import write_transaction


@dataclass
class Event:
    hour: str  # ISO hour, UTC: "2026-11-23T19:00"
    channel: str
    role: str
    intent: str
    needs: list[str] = field(default_factory=list)
    place: str | None = None  # a ZIP or a city, never an address
    results: int | None = None
    first_km: float | None = None
    room: bool | None = None
    handoff: str | None = None  # "988" | "911"
    ms: float | None = None


def hour_of(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:00")


def ensure(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS event (hour TEXT, channel TEXT, role TEXT, intent TEXT, "
        "needs TEXT, place TEXT, results INTEGER, first_km REAL, room INTEGER, handoff TEXT, "
        "ms REAL)"
    )


def record(db: Database, event: Event) -> None:
    """Append one event (the table must exist: `ensure`)."""
    row = asdict(event)
    row["needs"] = json.dumps(row["needs"])
    with write_transaction(db):
        db.execute(
            f"INSERT INTO event ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
