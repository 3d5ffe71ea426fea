"""Admins' corrections to who a service takes (`wayfinder directory set-eligibility`),
kept apart from the imported data so that a re-import never undoes them, and logged in
the change log like bed counts (who, when, old → new)."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from directory.eligibility import Eligibility
from directory.engine import Database
from directory.errors import DirectoryError, UnknownService
from directory.importer import index_eligibility
from directory.transaction import write_transaction

SETTABLE = {f.name for f in fields(Eligibility)} - {"sources"}


class InvalidEligibility(DirectoryError):
    """A correction that cannot be true (a minimum age above the maximum, an unknown field)."""


def set_eligibility(
    db: Database, service_id: str, changes: dict[str, Any], who: str
) -> Eligibility:
    """Apply `changes` on top of what the data says, log each one, and return the result.

    Raises:
        UnknownService: no service has this id.
        InvalidEligibility: nothing is changed.
    """
    unknown = set(changes) - SETTABLE
    if unknown:
        raise InvalidEligibility(f"Unknown eligibility field(s): {', '.join(sorted(unknown))}.")
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with write_transaction(db):
        if db.execute("SELECT 1 FROM service WHERE id = ?", [service_id]).fetchone() is None:
            raise UnknownService(
                f"No service has the id {service_id!r}. "
                "Find ids with: wayfinder directory search --json"
            )
        row = db.execute(
            "SELECT facts FROM service_eligibility WHERE service_id = ?", [service_id]
        ).fetchone()
        before = Eligibility.from_json(row[0] if row else None)
        stored = db.execute(
            "SELECT facts FROM eligibility_override WHERE service_id = ?", [service_id]
        ).fetchone()
        override = {**(json.loads(stored[0]) if stored else {}), **changes}
        low, high = override.get("min_age", before.min_age), override.get("max_age", before.max_age)
        if low is not None and high is not None and low > high:
            raise InvalidEligibility(
                f"A minimum age of {low} is above the maximum of {high}. Nothing was changed."
            )
        db.execute(
            "INSERT INTO eligibility_override VALUES (?, ?, ?, ?) ON CONFLICT(service_id) "
            "DO UPDATE SET facts = excluded.facts, updated = excluded.updated, "
            "updated_by = excluded.updated_by",
            [service_id, json.dumps(override), stamp, who],
        )
        index_eligibility(db, [service_id])
        after = Eligibility.from_json(
            db.execute(
                "SELECT facts FROM service_eligibility WHERE service_id = ?", [service_id]
            ).fetchone()[0]
        )
        db.conn.executemany(
            """INSERT INTO change_log (resource_id, resource_type, last_action_date,
            last_action_type, field_name, previous_value, replacement_value, updated_by,
            channel) VALUES (?, 'service', ?, 'update', ?, ?, ?, ?, 'cli')""",
            [
                (service_id, stamp, f"eligibility.{key}", json.dumps(getattr(before, key)),
                 json.dumps(getattr(after, key)), who)
                for key in changes
            ],
        )  # fmt: skip
    return after
