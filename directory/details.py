"""Everything a person needs about one service: how to reach it, when it is open, how full.

The chat assistant's "details" reply reads this after a search, so open/closed, the bed
count and its freshness come from the same readers as the search result and can never
disagree with what the person was just shown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from directory import capacity, hours
from directory.config import DirectorySettings
from directory.eligibility import Eligibility
from directory.engine import Database
from directory.search import (
    EXCLUDED_STATUSES,
    open_state,
    read_counts,
    read_needs,
    read_phones,
    read_schedules,
)
from directory.types import ServiceDetails

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MAPS_SEARCH = "https://www.google.com/maps/search/?"


def service_details(
    db: Database,
    service_id: str,
    at: datetime | None = None,
    settings: DirectorySettings | None = None,
) -> ServiceDetails | None:
    """The full card for one service as of `at` (default: now), or None when there is no
    such service or it is inactive or defunct: a closed service must not be offered, even
    to someone who kept its id from an earlier reply."""
    settings = settings or DirectorySettings()
    at = (at or datetime.now(UTC)).astimezone(UTC)
    row = db.execute(
        "SELECT s.name, o.name, s.description, s.url, s.email, s.status, "
        "s.eligibility_description, s.minimum_age, s.maximum_age, s.fees_description "
        "FROM service s LEFT JOIN organization o ON o.id = s.organization_id WHERE s.id = ?",
        [service_id],
    ).fetchone()
    if row is None:
        return None
    name, organization, description, url, email, status, eligibility, min_age, max_age, fees = row
    state = (status or "").lower()
    if state in EXCLUDED_STATUSES:
        return None
    # Search shows a service at its first public location; so do we.
    point = db.execute(
        "SELECT lat, lon, timezone, address FROM search_point WHERE service_id = ? "
        "ORDER BY id LIMIT 1",
        [service_id],
    ).fetchone()
    lat, lon, zone_name, address = point or (None, None, None, None)
    tz = hours.zone(zone_name, settings.default_timezone)
    rows = read_schedules(db, [service_id]).get(service_id, [])
    spans = hours.spans(rows)
    open_now = open_state(state, spans, at, tz)
    keys = read_needs(db, [service_id]).get(service_id, [])
    available, maximum, updated = read_counts(db, [service_id]).get(service_id, (None, None, None))
    age = capacity.age_hours(updated, at)
    return ServiceDetails(
        id=service_id,
        name=name,
        organization=organization,
        description=description,
        address=address,
        lat=lat,
        lon=lon,
        maps_url=_maps_url(address, lat, lon),
        phones=[
            (
                phone.number + (f" ext. {phone.extension}" if phone.extension else ""),
                phone.description or phone.type or "voice",
            )
            for phone in read_phones(db, [service_id]).get(service_id, [])
        ],
        url=url,
        email=email,
        eligibility=_with_rules(db, service_id, _eligibility(eligibility, min_age, max_age)),
        fees=fees,
        languages=_languages(db, service_id),
        hours=_weekly_hours(rows, at.astimezone(tz).date()),
        open_now=open_now,
        next_open=None if open_now else hours.next_opening(spans, at, tz),
        available=available,
        maximum=maximum,
        capacity_updated=updated,
        capacity_age_hours=age,
        stale=capacity.is_stale(age, keys, settings.freshness_hours),
        needs=keys,
    )


def _maps_url(address: str | None, lat: float | None, lon: float | None) -> str | None:
    if address:
        query = address
    elif lat is not None and lon is not None:
        query = f"{lat},{lon}"
    else:
        return None
    return _MAPS_SEARCH + urlencode({"api": "1", "query": query})


def _with_rules(db: Database, service_id: str, words: str | None) -> str | None:
    """The publisher's words, and what was read from anywhere else in the data (or set by an
    admin) when the words do not say it: "Women only; no Medicaid"."""
    row = db.execute(
        "SELECT facts FROM service_eligibility WHERE service_id = ?", [service_id]
    ).fetchone()
    restriction = Eligibility.from_json(row[0]).restriction() if row else None
    if not restriction:
        return words
    if not words:
        return restriction[0].upper() + restriction[1:]
    missing = [p for p in restriction.split(", ") if p.lower() not in words.lower()]
    if not missing or all(re.search(r"\d", p) for p in missing):
        return words  # the ages are already in the words ("Youth aged 12 to 17")
    return f"{words.rstrip('.')}; {', '.join(missing)}"


def _eligibility(description: str | None, minimum: int | None, maximum: int | None) -> str | None:
    """The publisher's words, with the age limits added unless the words already give them
    (the demo's "Youth aged 12 to 17." with 12 and 17 would otherwise say it twice)."""
    if minimum is not None and maximum is not None:
        ages = f"Age {minimum}" if minimum == maximum else f"Ages {minimum}–{maximum}"
    elif minimum is not None:
        ages = f"Adults {minimum}+" if minimum >= 18 else f"Ages {minimum}+"
    elif maximum is not None:
        ages = f"Ages {maximum} and under"
    else:
        return description or None
    if not description:
        return ages
    given = [n for n in (minimum, maximum) if n is not None]
    if all(re.search(rf"\b{n}\b", description) for n in given):
        return description
    return f"{ages}. {description}"


def _languages(db: Database, service_id: str) -> list[str]:
    """The languages spoken for a service, whichever HSDS link carries them: its own, its
    locations', its phones'."""
    return [
        row[0]
        for row in db.execute(
            """SELECT DISTINCT coalesce(name, code) FROM language
            WHERE (service_id = :sid
                OR location_id IN (SELECT location_id FROM service_at_location
                                   WHERE service_id = :sid)
                OR phone_id IN (SELECT phone_id FROM service_phone_link WHERE service_id = :sid))
            AND coalesce(name, code) IS NOT NULL ORDER BY 1""",
            {"sid": service_id},
        )
    ]


def _weekly_hours(rows: Iterable[Mapping[str, Any]], today: date) -> list[str]:
    """A service's weekly schedule as short lines a person reads at a glance:
    ["Mon–Fri 8:00–17:00", "Sat 9:00–12:00"], or ["Open 24 hours, every day"].

    Days with the same hours share a line. A row whose times cannot be read (a monthly
    schedule, free text) is shown by its description rather than dropped, and a row whose
    `valid_to` has passed is left out. An empty list means the hours are unknown.
    """
    days: dict[int, list[tuple[timedelta, timedelta, str]]] = defaultdict(list)
    notes: list[str] = []
    for row in rows:
        readable = hours.spans([row])
        if not readable:
            note = (row.get("description") or "").strip()
            if note and note not in notes:
                notes.append(note)
            continue
        span = readable[0]
        if span.valid_to and span.valid_to < today:
            continue
        start = timedelta(hours=span.opens.hour, minutes=span.opens.minute)
        for day in span.days:
            days[day].append((start, span.length, _qualifier(span)))
    by_hours: dict[tuple[tuple[timedelta, timedelta, str], ...], list[int]] = defaultdict(list)
    for day in sorted(days):
        by_hours[tuple(sorted(set(days[day])))].append(day)
    lines = []
    for openings, group in sorted(by_hours.items(), key=lambda item: item[1][0]):
        times = ", ".join(_opening(start, length) + extra for start, length, extra in openings)
        if times == "open 24 hours" and len(group) == 7:
            lines.append("Open 24 hours, every day")
        else:
            lines.append(f"{_days(group)} {times}")
    return lines + notes


def _opening(start: timedelta, length: timedelta) -> str:
    if start == timedelta(0) and length >= hours.DAY:
        return "open 24 hours"
    end = start + length
    text = f"{_clock(start)}–{_clock(end)}"
    return text + " (overnight)" if end > hours.DAY else text


def _clock(offset: timedelta) -> str:
    if offset == hours.DAY:
        return "midnight"
    minutes = int(offset.total_seconds() // 60) % (24 * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _qualifier(span: hours.Span) -> str:
    """What a line must add for its times to be read right: a zone other than the
    service's own, and the dates a seasonal schedule runs."""
    extra = ""
    if span.tz is not None:
        offset = span.tz.utcoffset(None) or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign, minutes = ("+", minutes) if minutes >= 0 else ("−", -minutes)
        extra += f" (UTC{sign}{minutes // 60}:{minutes % 60:02d})" if minutes else " (UTC)"
    if span.valid_from and span.valid_to:
        extra += f" ({_date(span.valid_from)} to {_date(span.valid_to)})"
    elif span.valid_from:
        extra += f" (from {_date(span.valid_from)})"
    elif span.valid_to:
        extra += f" (until {_date(span.valid_to)})"
    return extra


def _date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _days(group: list[int]) -> str:
    """[0, 1, 2, 3, 4, 6] → "Mon–Fri, Sun"; every day → "Every day"."""
    if len(group) == 7:
        return "Every day"
    runs: list[list[int]] = []
    for day in group:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_DAY_NAMES[run[0]]}–{_DAY_NAMES[run[-1]]}")
        else:
            parts.extend(_DAY_NAMES[day] for day in run)
    return ", ".join(parts)
