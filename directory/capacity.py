"""Live bed counts (HSDS `service_capacity`) and how fresh they are.

A count is only a fact while it is fresh: past its need's limit (24 hours for crisis,
detox, sobering and shelter beds by default) it is "stale" and must be shown as "last
reported … — call to confirm".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from directory import needs
from directory.engine import Database
from directory.errors import InvalidCapacity, UnknownService
from directory.transaction import write_transaction
from directory.types import CapacityChange


def set_capacity(
    db: Database,
    service_id: str,
    available: int,
    maximum: int | None = None,
    *,
    who: str,
    channel: str = "cli",
    at: datetime | None = None,
) -> CapacityChange:
    """Record a new bed count and its change-log row in one transaction.

    The maximum stays as it was unless given. Concurrent callers (several processes)
    queue on the write lock, so no update is lost and every one is logged.

    Args:
        db: the directory.
        service_id: the service whose beds these are.
        available: beds open now.
        maximum: beds in all, when it changed.
        who: who reported it (a staff name, or a sender's keyed hash), for the log.
        channel: where it came from (cli, sms, telegram, web).
        at: when it was reported (default: now).

    Returns:
        The change: the old and new counts, and when.

    Raises:
        UnknownService: no service has this id.
        InvalidCapacity: the count is negative or above the maximum; nothing changes.
    """
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    with write_transaction(db):
        service = db.execute("SELECT name FROM service WHERE id = ?", [service_id]).fetchone()
        if service is None:
            raise UnknownService(
                f"No service has the id {service_id!r}. "
                "Find ids with: wayfinder directory search --json"
            )
        current = db.execute(
            "SELECT id, available, maximum FROM service_capacity WHERE service_id = ? "
            "ORDER BY updated DESC LIMIT 1",
            [service_id],
        ).fetchone()
        old_available, old_maximum = (current[1], current[2]) if current else (None, None)
        new_maximum = maximum if maximum is not None else old_maximum
        if available < 0 or (new_maximum is not None and new_maximum < 0):
            raise InvalidCapacity("A bed count cannot be negative. Nothing was changed.")
        if new_maximum is not None and available > new_maximum:
            raise InvalidCapacity(
                f"{available} beds available is more than the maximum of {new_maximum}. "
                "Nothing was changed."
            )
        if current:
            db.execute(
                "UPDATE service_capacity SET available = ?, maximum = ?, updated = ? WHERE id = ?",
                [available, new_maximum, stamp, current[0]],
            )
        else:
            db.execute(
                "INSERT INTO service_capacity (id, service_id, unit_id, available, maximum, "
                "description, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [str(uuid.uuid4()), service_id, _bed_unit(db), available, new_maximum, "Beds",
                 stamp],
            )  # fmt: skip
        log: list[tuple[str, object, object]] = [("available", old_available, available)]
        if new_maximum != old_maximum:
            log.append(("maximum", old_maximum, new_maximum))
        db.conn.executemany(
            """INSERT INTO change_log (resource_id, resource_type, last_action_date,
            last_action_type, field_name, previous_value, replacement_value, updated_by,
            channel) VALUES (?, 'service_capacity', ?, 'update', ?, ?, ?, ?, ?)""",
            [
                (service_id, stamp, name, _text(old), _text(new), who, channel)
                for name, old, new in log
            ],
        )
    return CapacityChange(
        service_id, service[0], old_available, old_maximum, available, new_maximum, stamp
    )


def log_attempt(
    db: Database,
    service_id: str | None,
    requested: str,
    *,
    who: str,
    channel: str,
    result: str,
    at: datetime | None = None,
) -> None:
    """Record a bed update that was not applied (refused or invalid) in the change log:
    who asked, on which channel, when, what they asked for, and why it was not done."""
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute(
            """INSERT INTO change_log (resource_id, resource_type, last_action_date,
            last_action_type, field_name, previous_value, replacement_value, updated_by,
            channel, result) VALUES (?, 'service_capacity', ?, 'update', 'available', NULL,
            ?, ?, ?, ?)""",
            [service_id or "-", stamp, requested, who, channel, result],
        )


def _bed_unit(db: Database) -> str:
    row = db.execute("SELECT id FROM unit WHERE lower(name) IN ('bed', 'beds') LIMIT 1").fetchone()
    if row:
        return str(row[0])
    unit_id = str(uuid.uuid4())
    db.execute("INSERT INTO unit (id, name, identifier) VALUES (?, 'Bed', 'bed')", [unit_id])
    return unit_id


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def age_hours(updated: str | None, at: datetime) -> float | None:
    """Hours between a count's `updated` stamp and `at` (never negative), or None."""
    if not updated:
        return None
    stamp = datetime.fromisoformat(updated)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return max((at - stamp).total_seconds() / 3600, 0.0)


def is_stale(
    age: float | None, service_needs: Sequence[str], overrides: dict[str, float] | None = None
) -> bool | None:
    """Whether a count of this age is too old for these needs; None when there is no count."""
    if age is None:
        return None
    return age > needs.freshness_limit_hours(service_needs, overrides)
