"""Freshness reminders: a bed count older than its need's limit is a guess, so the staff
who keep it get a text asking for today's number. Run it from cron, e.g. hourly:

    0 * * * *  cd /srv/wayfinder && .venv/bin/wayfinder remind --db wayfinder.db
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import people
from bot.outbound import Outbound
from directory import DirectorySettings
from directory.capacity import age_hours, is_stale
from directory.engine import Database
from directory.search import read_needs


@dataclass(frozen=True)
class Reminder:
    to: str
    service_id: str
    service: str
    age_hours: float
    text: str


def due(db: Database, at: datetime, settings: DirectorySettings | None = None) -> list[Reminder]:
    """One reminder per staff member and service whose latest count is stale."""
    settings = settings or DirectorySettings()
    people.ensure(db)
    rows = db.execute(
        "SELECT s.id, s.name, c.updated, p.contact FROM service s "
        "JOIN person_service ps ON ps.service_id = s.id "
        "JOIN person p ON p.id = ps.person_id AND p.role IN ('staff', 'admin') "
        "JOIN service_capacity c ON c.service_id = s.id "
        "WHERE p.contact IS NOT NULL ORDER BY s.name, p.id"
    ).fetchall()
    service_needs = read_needs(db, sorted({r[0] for r in rows}))
    found = []
    for service_id, name, updated, contact in rows:
        age = age_hours(updated, at)
        if not is_stale(age, service_needs.get(service_id, []), settings.freshness_hours):
            continue
        hours = round(age or 0)
        text = (f"Wayfinder: the bed count for {name} was last updated {hours} h ago. "
                "Reply with today's open beds, like: beds 4")  # fmt: skip
        found.append(Reminder(contact, service_id, name, age or 0.0, text))
    return found


def send(reminders: list[Reminder], outbound: Outbound) -> int:
    for reminder in reminders:
        outbound.send(reminder.to, reminder.text)
    return len(reminders)
