"""Ranked search: services for any of the needs, near a place, at a moment.

Ranking, in order: serves a wanted need → open at that time → hours unknown but near →
closed, soonest to open first (by the hour: within the same hour, the nearest) → hours
unknown and far → has room (a fresh count above zero) → count unknown or stale → full →
distance. A place whose hours nobody knows may be
open, so a near one is worth a call before one that is surely closed; a far one never
leads, since the trip is long and may end at a locked door.
Inactive and defunct services are never returned. Services without a public location
(confidential shelters, mobile teams) are found by the area they serve and come with a
phone number but no address.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any, NamedTuple

from directory import area_words, capacity, engine, geo, hours, needs
from directory.config import DirectorySettings
from directory.eligibility import Eligibility, Person
from directory.engine import Database
from directory.sql import rows_in
from directory.types import Place, Point, SearchResult

EXCLUDED_STATUSES = ("inactive", "defunct")
_NO_RULES = Eligibility()
UNKNOWN_HOURS_NEAR_KM = 8.0  # about 5 miles: a place of unknown hours this near is worth a call
CLOSED_THEN = "closed then"  # why a service closed all through the asked-for time is last
NEVER = 10_000  # the opening band of a place with no known opening in the coming week


@dataclass
class _Candidate:
    service_id: str
    distance_km: float | None = None
    timezone: str | None = None
    address: str | None = None
    location_id: str | None = None


def search(
    db: Database,
    need_keys: Sequence[str] = (),
    near: str | Place | None = None,
    *,
    radius_km: float | None = None,
    at: datetime | None = None,
    query: str | None = None,
    limit: int = 10,
    settings: DirectorySettings | None = None,
    person: Person | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> list[SearchResult]:
    """The best `limit` services for any of `need_keys` within `radius_km` of `near`.

    With `person`, services whose eligibility leaves them out are dropped (listed last,
    with the reason, only when nothing else is found) and those that say they take them
    come first. With a `window` of time (start, end), a service open or opening within it
    counts as open ("where can I sleep tonight" at 2 PM includes the night shelter that
    opens at 6), and one closed all through it is left out when others are not.

    Args:
        db: the directory.
        need_keys: need keys (`need_keys()`); none means any service.
        near: a ZIP, city, "lat,lon", local place or street address, or a resolved Place.
        radius_km: how far to look; the settings' radius when None.
        at: the moment "open now" is judged at (default: now).
        query: words a service's name or description must match (full-text search).
        limit: at most this many results.
        settings: the program's directory settings (staleness, radius, home area).
        person: facts about who help is for (age, gender, veteran…), from the parse.
        window: a span of time the help is needed in, instead of the moment `at`.

    Returns:
        The results, best first, each with its distance, phone, opening state and the
        bed count as last reported.

    Raises:
        UnknownNeed: a need key is not known.
        UnknownPlace: `near` cannot be resolved.
    """
    settings = settings or DirectorySettings()
    wanted = needs.check_needs(need_keys)
    at = (at or datetime.now(UTC)).astimezone(UTC)
    radius = settings.radius_km if radius_km is None else radius_km
    place = (
        geo.resolve(db, near, settings.default_state, home=settings.home(db))
        if isinstance(near, str)
        else near
    )
    if place is not None:
        candidates = _near(db, place.point, radius, wanted)
    else:
        candidates = _everywhere(db, wanted)
    if query and query.strip():
        matching = _full_text(db, query)
        candidates = {sid: c for sid, c in candidates.items() if sid in matching}
    if not candidates:
        return []
    default_tz = (
        settings.default_timezone
        if place is None
        else (place.timezone or settings.default_timezone)
    )
    return _details(db, candidates, wanted, at, default_tz, settings, limit, person, window)


def _need_filter(wanted: list[str], alias: str) -> tuple[str, list[str]]:
    """An EXISTS condition, so that SQLite walks the R*Tree first and checks needs per row
    (a join on the need made it read every service of that need in the country)."""
    if not wanted:
        return "", []
    marks = ",".join("?" * len(wanted))
    return (
        f" AND EXISTS (SELECT 1 FROM service_need n WHERE n.service_id = {alias}.service_id "
        f"AND n.need IN ({marks}))",
        list(wanted),
    )


def _near(
    db: Database, center: Point, radius_km: float, wanted: list[str]
) -> dict[str, _Candidate]:
    near, box = engine.overlapping(db, "r", geo.bounding_box(center, radius_km))
    condition, params = _need_filter(wanted, "sp")
    found: dict[str, _Candidate] = {}
    rows = db.execute(
        "SELECT sp.service_id, sp.lat, sp.lon, sp.timezone, sp.address, sp.location_id "
        f"FROM search_point_rtree r JOIN search_point sp ON sp.id = r.id WHERE {near}" + condition,
        [*box, *params],
    )
    for sid, lat, lon, tz, address, location_id in rows:
        distance = geo.haversine_km(center, Point(lat, lon))
        if distance <= radius_km and (sid not in found or distance < (found[sid].distance_km or 0)):
            found[sid] = _Candidate(sid, distance, tz, address, location_id)
    condition, params = _need_filter(wanted, "sa")
    inside, box = engine.overlapping(db, "r", (center.lat, center.lat, center.lon, center.lon))
    rows = db.execute(
        "SELECT sa.service_id, sa.geometry FROM search_area_rtree r "
        f"JOIN search_area sa ON sa.id = r.id WHERE {inside}" + condition,
        [*box, *params],
    )
    for sid, geometry in rows:
        if sid not in found and geo.geometry_contains(json.loads(geometry), center):
            found[sid] = _Candidate(sid)
    has_words = db.execute("SELECT 1 FROM search_area_word LIMIT 1").fetchone()
    keys = area_words.keys_of(db, center) if has_words else []
    if keys:
        condition, params = _need_filter(wanted, "w")
        match = " OR ".join("(w.kind = ? AND w.name = ? AND w.state IS ?)" for _ in keys)
        rows = db.execute(
            f"SELECT DISTINCT w.service_id FROM search_area_word w WHERE ({match})" + condition,
            [v for key in keys for v in key] + params,
        )
        for (sid,) in rows:
            found.setdefault(sid, _Candidate(sid))
    return found


def _everywhere(db: Database, wanted: list[str]) -> dict[str, _Candidate]:
    if wanted:
        marks = ",".join("?" * len(wanted))
        rows = db.execute(
            f"SELECT DISTINCT service_id FROM service_need WHERE need IN ({marks})", wanted
        )
    else:
        rows = db.execute("SELECT id FROM service")
    found = {row[0]: _Candidate(row[0]) for row in rows}
    for sid, tz, address, location_id in db.execute(
        "SELECT service_id, timezone, address, location_id FROM search_point"
    ):
        if sid in found and found[sid].location_id is None:
            found[sid] = _Candidate(sid, None, tz, address, location_id)
    return found


def _full_text(db: Database, query: str) -> set[str]:
    """Service ids whose name, description or eligibility match all the words of `query`."""
    words = [w.replace('"', "") for w in query.split() if w.replace('"', "")]
    if not words:
        return set()
    matching, params = engine.matching_services(db, words)
    return {row[0] for row in db.execute(matching, params)}


class _Ranked(NamedTuple):
    """A candidate with what ranking read of it, kept for the few that are shown."""

    rank: tuple[bool, int, int, int, int, int, float]
    sid: str
    candidate: _Candidate
    keys: list[str]
    open_now: bool | None
    spans: Any
    tz: tzinfo
    age: float | None
    stale: bool | None
    excludes: str | None
    open_then: bool | None


def _hours_to_opening(
    spans: list[hours.Span], start: datetime, tz: tzinfo, seen: dict[Any, int]
) -> int:
    """Whole hours from `start` until a closed service opens (NEVER when not this week):
    what opens soonest comes first, and within the same hour the nearest. `seen` keeps
    the next opening per schedule, since most services share a few."""
    key = (tuple(spans), tz)
    if key not in seen:
        opens = hours.next_opening(spans, start, tz)
        seen[key] = NEVER if opens is None else int((opens - start).total_seconds() // 3600)
    return seen[key]


def _details(
    db: Database,
    candidates: dict[str, _Candidate],
    wanted: list[str],
    at: datetime,
    default_tz: str | None,
    settings: DirectorySettings,
    limit: int,
    person: Person | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> list[SearchResult]:
    """Rank every candidate on what ranking needs, then finish only the best `limit`."""
    ids = list(candidates)
    asked_for = person if person is not None and not person.is_empty() else None
    # Nothing known of the person: one flag per candidate, not every candidate's facts.
    rules = read_eligibility(db, ids) if asked_for else {}
    status = dict(rows_in(db, "SELECT id, status FROM service WHERE id IN ({marks})", ids))
    special: set[str] = set()
    service_needs = read_needs(db, ids, special)
    schedule_rows = _schedule_tuples(db, ids)
    counts = read_counts(db, ids)
    openings: dict[Any, int] = {}
    ranked = []
    for sid, candidate in candidates.items():
        state = (status.get(sid, "inactive") or "").lower()
        if state in EXCLUDED_STATUSES:
            continue
        tz = hours.zone(candidate.timezone, default_tz)
        spans = _spans_of(schedule_rows.get(sid, ()))
        open_now = open_state(state, spans, at, tz)
        in_window: bool | None = None
        if window is not None and state != "temporarily closed":
            start, end = window
            at_start = open_state(state, spans, start, tz)
            upcoming = hours.next_opening(spans, start, tz) if at_start is False else None
            in_window = (
                None if at_start is None else at_start or (upcoming is not None and upcoming <= end)
            )
        opens_in_time = bool(in_window)
        open_then = (in_window if window is not None and state != "temporarily closed"
                     else open_now)  # fmt: skip
        service_rules = rules.get(sid, _NO_RULES)
        excludes = asked_for.excluded_by(service_rules) if asked_for else None
        fit = -asked_for.known_fit(service_rules) if asked_for else 0
        if sid in special if asked_for is None else asked_for.unlikely(service_rules):
            if asked_for is not None:
                # Something is known of the person, and it is not that they are a veteran,
                # a youth, a senior or a family: a place only for those is not for them.
                excludes = excludes or (service_rules.restriction() or "not for this person")
            fit = 9  # youth, seniors, veterans, families: after the others unless said
        available, maximum, updated = counts.get(sid, (None, None, None))
        age = capacity.age_hours(updated, at)
        keys = service_needs.get(sid, [])
        stale = capacity.is_stale(age, keys, settings.freshness_hours)
        room = 1 if available is None or stale else (0 if available > 0 else 2)
        serves = 0 if not wanted or set(keys) & set(wanted) else 1
        # A team that serves the whole area comes to you: it sorts as if it were here.
        away = candidate.distance_km or 0.0
        if opens_in_time or open_now is True:
            opened, band = 0, 0
        elif open_then is None and away <= UNKNOWN_HOURS_NEAR_KM:
            opened, band = 1, 0
        elif open_then is None:
            opened, band = 2, NEVER - 1
        else:
            opened = 2
            band = _hours_to_opening(spans, window[0] if window else at, tz, openings)
        rank = (excludes is not None or in_window is False, serves, fit, opened, band, room,
                away)  # fmt: skip
        if in_window is False:
            excludes = excludes or CLOSED_THEN
        ranked.append(_Ranked(rank, sid, candidate, keys, open_now, spans, tz, age, stale,
                              excludes, open_then))  # fmt: skip
    ranked.sort(key=lambda item: (item.rank, item.sid))
    if any(item.excludes is None for item in ranked):
        ranked = [item for item in ranked if item.excludes is None]
    best = ranked[:limit]
    top_ids = [item.sid for item in best]
    names = {
        row[0]: row[1:]
        for row in rows_in(
            db,
            "SELECT s.id, s.name, o.name FROM service s "
            "LEFT JOIN organization o ON o.id = s.organization_id WHERE s.id IN ({marks})",
            top_ids,
        )
    }
    phones = read_phones(db, top_ids)
    restrictions = read_restrictions(db, top_ids)
    results = []
    for _, sid, candidate, keys, open_now, spans, tz, age, stale, excludes, open_then in best:
        available, maximum, updated = counts.get(sid, (None, None, None))
        distance = candidate.distance_km
        results.append(
            SearchResult(
                id=sid,
                name=names[sid][0],
                needs=keys,
                distance_km=round(distance, 2) if distance is not None else None,
                address=candidate.address,
                phone=phones[sid][0].number if sid in phones else None,
                open_now=open_now,
                available=available,
                maximum=maximum,
                capacity_updated=updated,
                stale=stale,
                organization=names[sid][1],
                next_open=None if open_now else hours.next_opening(spans, at, tz),
                capacity_age_hours=age,
                restriction=", ".join(
                    w
                    for w in (
                        restrictions.get(sid),
                        asked_for.fits_in_words(rules.get(sid, _NO_RULES)) if asked_for else None,
                    )
                    if w
                )
                or None,
                excludes=excludes,
                open_then=open_then,
            )
        )
    return results


# Readers shared with `directory.details`, so that a service's details say exactly what
# its search result says.


def open_state(
    status: str, service_spans: list[hours.Span], at: datetime, tz: tzinfo
) -> bool | None:
    """Whether a service is open at `at`; one marked temporarily closed is closed whatever
    its hours say."""
    return False if status == "temporarily closed" else hours.is_open(service_spans, at, tz)


def read_eligibility(db: Database, ids: Sequence[str]) -> dict[str, Eligibility]:
    """Each service's eligibility as read at import (with admins' corrections)."""
    return {
        sid: Eligibility.from_json(facts)
        for sid, facts in rows_in(
            db,
            "SELECT service_id, facts FROM service_eligibility WHERE service_id IN ({marks})",
            ids,
        )
    }


def read_restrictions(db: Database, ids: Sequence[str]) -> dict[str, str]:
    """Each service's restriction in a few words, where it has one."""
    return dict(
        rows_in(
            db,
            "SELECT service_id, restriction FROM service_eligibility "
            "WHERE restriction IS NOT NULL AND service_id IN ({marks})",
            ids,
        )
    )


def read_needs(
    db: Database, ids: Sequence[str], special: set[str] | None = None
) -> dict[str, list[str]]:
    """Each service's need keys, in the order of the need taxonomy; `special` collects the
    services only for a group (youth, seniors, veterans, families)."""
    order = needs.need_keys()
    found: dict[str, list[str]] = defaultdict(list)
    for sid, need, only_for_some in rows_in(
        db,
        "SELECT service_id, need, special FROM service_need WHERE service_id IN ({marks})",
        ids,
    ):
        found[sid].append(need)
        if only_for_some and special is not None:
            special.add(sid)
    return {sid: sorted(keys, key=order.index) for sid, keys in found.items()}


_SCHEDULE_COLUMNS = ("opens_at", "closes_at", "byday", "freq", "valid_from", "valid_to",
                     "timezone", "description")  # fmt: skip


def _schedule_tuples(db: Database, ids: Sequence[str]) -> dict[str, tuple[tuple[Any, ...], ...]]:
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for sid, *row in rows_in(
        db, f"SELECT service_id, {', '.join(_SCHEDULE_COLUMNS)} FROM service_schedule_link "
        "WHERE service_id IN ({marks}) ORDER BY service_id, schedule_id",
        ids,
    ):  # fmt: skip
        found[sid].append(tuple(row))
    return {sid: tuple(rows) for sid, rows in found.items()}


def read_schedules(db: Database, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each service's schedule rows, with the columns `hours.spans` reads — its own, or
    those of its service_at_location or location."""
    return {
        sid: [dict(zip(_SCHEDULE_COLUMNS, row, strict=True)) for row in rows]
        for sid, rows in _schedule_tuples(db, ids).items()
    }


@lru_cache(maxsize=65536)
def _spans_of(rows: tuple[tuple[Any, ...], ...]) -> list[hours.Span]:
    """Schedules parsed once per distinct set of rows: most services share a few patterns,
    and parsing them was a fifth of a dense search."""
    return hours.spans([dict(zip(_SCHEDULE_COLUMNS, row, strict=True)) for row in rows])


def read_counts(
    db: Database, ids: Sequence[str]
) -> dict[str, tuple[int | None, int | None, str | None]]:
    """Each service's latest bed count: (available, maximum, updated)."""
    counts: dict[str, tuple[int | None, int | None, str | None]] = {}
    for sid, available, maximum, updated in rows_in(
        db,
        "SELECT service_id, available, maximum, updated FROM service_capacity "
        "WHERE service_id IN ({marks}) ORDER BY service_id, updated DESC",
        ids,
    ):
        counts.setdefault(sid, (available, maximum, updated))
    return counts


@dataclass(frozen=True)
class Phone:
    """One of a service's numbers, as HSDS's `phone` row gives it."""

    number: str
    extension: int | None
    type: str | None
    description: str | None


def read_phones(db: Database, ids: Sequence[str]) -> dict[str, list[Phone]]:
    """Each service's phone numbers — its own first, then its service_at_location's, its
    location's, its organization's — voice numbers first."""
    found: dict[str, list[Phone]] = defaultdict(list)
    for sid, *phone in rows_in(
        db,
        "SELECT l.service_id, p.number, p.extension, p.type, p.description "
        "FROM service_phone_link l JOIN phone p ON p.id = l.phone_id "
        "WHERE l.service_id IN ({marks}) AND p.number IS NOT NULL "
        "ORDER BY l.service_id, l.rank, coalesce(p.type, 'voice') = 'voice' DESC, p.id",
        ids,
    ):
        found[sid].append(Phone(*phone))
    return found
