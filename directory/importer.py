"""Writing a validated HSDS dataset into the directory: all of it, or nothing.

Re-importing the same data updates rows in place (by id). For every service in the
import, its phones, schedules, locations links, taxonomy attributes and service areas
become exactly those of the import. A bed count in the import replaces the stored one
only when it is at least as recent: a nightly bulk file must not undo the count a
shelter texted an hour ago.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from directory import area_words, confidential, eligibility, engine, geo, needs
from directory.eligibility import Person
from directory.engine import Database
from directory.errors import InvalidData
from directory.hsds import INTEGER_COLUMNS, ORDER, REAL_COLUMNS, TABLES
from directory.reader import Dataset
from directory.rows import Row, Rows
from directory.sql import rows_in
from directory.transaction import write_transaction
from directory.types import ImportSummary
from directory.validate import parse_datetime, validate

# Child tables whose rows, for an imported service, are replaced by the import's rows.
_OWNED_BY_SERVICE = {
    "phone": "service_id",
    "language": "service_id",
    "schedule": "service_id",
    "service_at_location": "service_id",
    "service_area": "service_id",
    "attribute": "link_id",
}
_LOGGED_SERVICE_FIELDS = ("name", "status", "organization_id", "description")


def import_dataset(
    db: Database,
    dataset: Dataset,
    *,
    who: str,
    progress: Callable[[int], None] | None = None,
    remove: Sequence[str] = (),
    then: Callable[[Database], None] | None = None,
    strict: bool = False,
) -> ImportSummary:
    """Validate and write `dataset` in one transaction.

    `remove` names services to delete in the same transaction (a sync's services that
    the other directory no longer has); `then` runs last inside it, so that a sync's own
    bookkeeping is written with the data or not at all. `strict` makes a JSON object's
    reference to one outside its file an error instead of a warning.

    Args:
        db: the directory to write to.
        dataset: what `read()` returned.
        who: who imports, for the change log.
        progress: called with the rows of each table as it is written.
        remove: ids of services to delete.
        then: run last, inside the transaction.
        strict: references outside a JSON file are errors.

    Returns:
        Services added, changed, removed and unchanged, with the warnings and what was
        skipped.

    Raises:
        InvalidData: with every problem found; the database is left exactly as it was.
    """
    with write_transaction(db):
        problems = validate(dataset, db, strict=strict)
        if any(not p.warning for p in problems):
            raise InvalidData(problems)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        service_ids = [row["id"] for row in dataset.tables["service"]]
        kept = set(service_ids)
        removed = remove_services(db, [r for r in remove if r not in kept], who=who,
                                  reindex=False)  # fmt: skip
        before = _snapshot(db, service_ids)
        nested_before = _nested_state(db, list(before))
        capacity_ids = [row["id"] for row in dataset.tables["service_capacity"]]
        counts_before = _capacities(db, capacity_ids)
        counts = {}
        for table in ORDER:
            rows = dataset.tables[table]
            if table == "service_capacity":
                rows = Rows([_normalized_capacity(row) for row in rows])
            _upsert(db, table, rows)
            counts[table] = len(rows)
            if progress:
                progress(len(rows))
        if before:  # only services that existed can have rows the import no longer has
            _replace_children(db, dataset, service_ids)
        engine.rebuild_text_index(db)
        needs.assign_needs(db, service_ids)
        rebuild_search_index(db)
        nested_after = _nested_state(db, list(before))
        nested = {sid for sid, d in nested_before.items() if nested_after.get(sid) != d}
        created, updated = _log_changes(db, dataset, before, nested, who, now)
        _log_capacity(db, counts_before, _capacities(db, capacity_ids), who, now)
        if then is not None:
            then(db)
    return ImportSummary(
        counts, created, updated, dataset.skipped, dataset.converted, removed=removed,
        warnings=problems,
    )  # fmt: skip


def _nested_state_sql(db: Database) -> str:
    """SQL for everything a service is, beyond its own logged fields: its organization,
    phones, hours, areas, attributes, and each place with its address, phones and hours;
    each table's rows in id order, the tables apart by the group separator (chr 29)."""

    def rows(table: str, where: str) -> str:
        return engine.rows_as_text(db, TABLES[table][1], f"{table} WHERE {where} ORDER BY id")

    in_places = "IN (SELECT location_id FROM service_at_location WHERE service_id = s.id)"
    parts = [
        rows("service", "id = s.id"),
        rows("organization", "id = s.organization_id"),
        *(rows(t, f"{c} = s.id") for t, c in (
            ("phone", "service_id"), ("schedule", "service_id"), ("service_area", "service_id"),
            ("attribute", "link_id"), ("service_at_location", "service_id"),
            ("language", "service_id"))),
        *(rows(t, f"{c} {in_places}") for t, c in (
            ("location", "id"), ("address", "location_id"), ("phone", "location_id"),
            ("schedule", "location_id"))),
    ]  # fmt: skip
    return f" || {engine.character(db, 29)} || ".join(parts)


def _nested_state(db: Database, ids: Sequence[str]) -> dict[str, bytes]:
    """A fingerprint of everything stored about each service (bed counts aside: they are
    logged on their own). Taken before and after an import's writes, it tells which
    services changed anywhere — a phone, an address, hours — and not only in their own
    fields. Only services that existed before are compared, so a first import pays
    nothing for it."""
    return {
        sid: hashlib.blake2b(state.encode(), digest_size=16).digest()
        for sid, state in rows_in(
            db,
            f"SELECT s.id, {_nested_state_sql(db)} FROM service s WHERE s.id IN ({{marks}})",
            ids,
        )
    }


# Rows that belong to a service and go with it when it is removed.
_REMOVED_WITH_SERVICE = (
    ("phone", "service_id"), ("schedule", "service_id"), ("service_area", "service_id"),
    ("language", "service_id"), ("service_capacity", "service_id"), ("attribute", "link_id"),
    ("service_at_location", "service_id"), ("service_need", "service_id"),
    ("service_eligibility", "service_id"),
    ("eligibility_override", "service_id"), ("confidential_service", "service_id"),
    ("service", "id"),
)  # fmt: skip


def remove_services(db: Database, ids: Sequence[str], *, who: str, reindex: bool = True) -> int:
    """Delete services and what hangs from them only, logging each removal (inside the
    caller's transaction); the number deleted."""
    present = [row[0] for row in rows_in(db, "SELECT id FROM service WHERE id IN ({marks})", ids)]
    if not present:
        return 0
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for table, column in _REMOVED_WITH_SERVICE:
        rows_in(db, f"DELETE FROM {table} WHERE {column} IN ({{marks}})", present)
    db.conn.executemany(
        """INSERT INTO change_log (resource_id, resource_type, last_action_date,
        last_action_type, field_name, previous_value, replacement_value, updated_by, channel)
        VALUES (?, 'service', ?, 'delete', NULL, NULL, NULL, ?, 'import')""",
        [(sid, now, who) for sid in present],
    )
    if reindex:
        engine.rebuild_text_index(db)
        rebuild_search_index(db)
    return len(present)


def _snapshot(db: Database, ids: Sequence[str]) -> dict[str, dict[str, object]]:
    columns = ", ".join(_LOGGED_SERVICE_FIELDS)
    return {
        row[0]: dict(zip(_LOGGED_SERVICE_FIELDS, row[1:], strict=True))
        for row in rows_in(db, f"SELECT id, {columns} FROM service WHERE id IN ({{marks}})", ids)
    }


def _capacities(db: Database, ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
    return {
        row[0]: tuple(row[1:])
        for row in rows_in(
            db,
            "SELECT id, service_id, available, maximum FROM service_capacity WHERE id IN ({marks})",
            ids,
        )
    }


def _log_capacity(
    db: Database,
    before: dict[str, tuple[object, ...]],
    after: dict[str, tuple[object, ...]],
    who: str,
    now: str,
) -> None:
    rows = []
    for cid, (sid, available, maximum) in after.items():
        old = before.get(cid, (sid, None, None))
        for name, old_value, new_value in (
            ("available", old[1], available),
            ("maximum", old[2], maximum),
        ):
            if old_value != new_value:
                rows.append((sid, now, name, _str(old_value), _str(new_value), who))
    db.conn.executemany(
        """INSERT INTO change_log (resource_id, resource_type, last_action_date,
        last_action_type, field_name, previous_value, replacement_value, updated_by, channel)
        VALUES (?, 'service_capacity', ?, 'update', ?, ?, ?, ?, 'import')""",
        rows,
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _normalized_capacity(row: Row) -> Row:
    """Store `updated` in UTC, so that counts compare and sort as text. A fraction of a
    second is kept ("…06.500000+00:00" sorts after "…06+00:00", as it should): a round
    trip changes the zone's spelling, never the moment."""
    stamp = parse_datetime(str(row["updated"]))
    assert stamp is not None  # validate() refused unparsable times
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return {**row, "updated": stamp.astimezone(UTC).isoformat()}


def _upsert(db: Database, table: str, rows: Rows) -> None:
    if not rows:
        return
    known = rows.columns()
    present = [c for c in TABLES[table][1] if c in known]
    names = ", ".join(present)
    marks = ", ".join("?" * len(present))
    updates = ", ".join(f"{c} = excluded.{c}" for c in present if c != "id")
    guard = (
        " WHERE excluded.updated >= service_capacity.updated" if table == "service_capacity" else ""
    )
    sql = (
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}{guard}"
        if updates
        else f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    )
    db.conn.executemany(sql, rows.values(present, [_converter(table, c) for c in present]))


def _converter(table: str, column: str) -> Callable[[Any], object] | None:
    if (table, column) in INTEGER_COLUMNS:
        return lambda value: int(float(str(value)))
    if (table, column) in REAL_COLUMNS:
        return lambda value: float(str(value))
    return None


def _replace_children(db: Database, dataset: Dataset, service_ids: list[str]) -> None:
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _imported (tbl TEXT, id TEXT, PRIMARY KEY (tbl, id))"
    )
    db.execute("DELETE FROM _imported")
    db.conn.executemany(
        "INSERT INTO _imported VALUES (?, ?) ON CONFLICT DO NOTHING",
        (
            (table, row["id"])
            for table in [*_OWNED_BY_SERVICE, "service"]
            for row in dataset.tables[table]
        ),
    )
    for table, column in _OWNED_BY_SERVICE.items():
        db.execute(
            f"""DELETE FROM {table} WHERE {column} IN
                (SELECT id FROM _imported WHERE tbl = 'service')
            AND id NOT IN (SELECT id FROM _imported WHERE tbl = ?)""",
            [table],
        )


def rebuild_search_index(db: Database) -> None:
    """Recompute the points and areas search reads (inside the caller's transaction).

    A mailing address is not a place to go; a confidential service has no point at all
    (it is found by the area it serves, and reached by phone)."""
    index_confidential(db)
    db.execute("DELETE FROM search_point")
    db.execute("DELETE FROM search_point_rtree")
    db.execute(
        """INSERT INTO search_point (service_id, location_id, lat, lon, timezone, address)
        SELECT sal.service_id, l.id, coalesce(l.latitude, z.lat), coalesce(l.longitude, z.lon),
            z.timezone,
            nullif(trim(coalesce(a.address_1, '') || coalesce(' ' || a.address_2, '')
                || coalesce(', ' || a.city, '') || coalesce(', ' || a.state_province, '')
                || coalesce(' ' || a.postal_code, ''), ', '), '')
        FROM service_at_location sal
        JOIN location l ON l.id = sal.location_id
        LEFT JOIN address a ON a.id = (
            SELECT id FROM address WHERE location_id = l.id
                AND lower(coalesce(address_type, 'physical')) != 'postal'
            ORDER BY coalesce(address_type, 'physical') = 'physical' DESC, id LIMIT 1)
        LEFT JOIN zip z ON z.zip = substr(a.postal_code, 1, 5)
        WHERE coalesce(l.location_type, 'physical') = 'physical'
            AND coalesce(l.latitude, z.lat) IS NOT NULL
            AND sal.service_id NOT IN (SELECT service_id FROM confidential_service)"""
    )
    db.execute("INSERT INTO search_point_rtree SELECT id, lat, lat, lon, lon FROM search_point")
    db.execute("DELETE FROM search_area")
    db.execute("DELETE FROM search_area_rtree")
    areas = []
    for sid, area_id, extent in db.execute(
        "SELECT service_id, id, extent FROM service_area "
        "WHERE lower(extent_type) = 'geojson' AND extent IS NOT NULL"
    ):
        geometry = geo.parse_geojson(extent)
        areas.append((sid, area_id, json.dumps(geometry), *geo.geometry_bbox(geometry)))
    for number, (sid, area_id, geometry_text, *box) in enumerate(areas, start=1):
        db.execute(
            "INSERT INTO search_area (id, service_id, service_area_id, geometry) "
            "VALUES (?, ?, ?, ?)",
            [number, sid, area_id, geometry_text],
        )
        db.execute("INSERT INTO search_area_rtree VALUES (?, ?, ?, ?, ?)", [number, *box])
    _index_area_words(db)
    index_eligibility(db)
    index_links(db)


def index_confidential(db: Database) -> None:
    """Which services keep their address private (inside the caller's transaction)."""
    db.execute("DELETE FROM confidential_service")
    db.conn.executemany(
        "INSERT INTO confidential_service VALUES (?)",
        [
            (sid,)
            for sid, *texts in db.execute(
                "SELECT id, name, description, application_process, eligibility_description "
                "FROM service"
            )
            if confidential.is_confidential(*texts)
        ],
    )


def index_links(db: Database) -> None:
    """Which phones and schedules reach each service, whichever HSDS link carries them
    (inside the caller's transaction)."""
    db.execute("DELETE FROM service_phone_link")
    db.execute(
        """INSERT INTO service_phone_link (service_id, phone_id, rank)
        SELECT service_id, id, 0 FROM phone WHERE service_id IS NOT NULL
        UNION ALL SELECT sal.service_id, p.id, 1 FROM phone p
            JOIN service_at_location sal ON sal.id = p.service_at_location_id
        UNION ALL SELECT sal.service_id, p.id, 2 FROM phone p
            JOIN service_at_location sal ON sal.location_id = p.location_id
            WHERE p.service_id IS NULL AND p.service_at_location_id IS NULL
        ON CONFLICT DO NOTHING"""
    )
    db.execute(
        """INSERT INTO service_phone_link (service_id, phone_id, rank)
        SELECT s.id, p.id, 3 FROM service s JOIN phone p ON p.organization_id = s.organization_id
        WHERE p.service_id IS NULL AND p.service_at_location_id IS NULL AND p.location_id IS NULL
            AND NOT EXISTS (SELECT 1 FROM service_phone_link l WHERE l.service_id = s.id)
        ON CONFLICT DO NOTHING"""
    )
    db.execute("DELETE FROM service_schedule_link")
    # The most specific hours win: the service's own, else its service_at_location's, else
    # its location's (a building's hours are not a service's when it has its own).
    linked: dict[str, list[str]] = {}
    for query in (
        "SELECT service_id, id FROM schedule WHERE service_id IS NOT NULL",
        "SELECT sal.service_id, sc.id FROM schedule sc "
        "JOIN service_at_location sal ON sal.id = sc.service_at_location_id",
        "SELECT sal.service_id, sc.id FROM schedule sc "
        "JOIN service_at_location sal ON sal.location_id = sc.location_id "
        "WHERE sc.service_id IS NULL AND sc.service_at_location_id IS NULL",
    ):
        level: dict[str, list[str]] = {}
        for service_id, schedule_id in db.execute(query):
            level.setdefault(service_id, []).append(schedule_id)
        for service_id, schedule_ids in level.items():
            linked.setdefault(service_id, schedule_ids)
    db.conn.executemany(
        "INSERT INTO service_schedule_link (service_id, schedule_id) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING",
        [(sid, schedule_id) for sid, ids in linked.items() for schedule_id in ids],
    )
    db.execute(
        """UPDATE service_schedule_link SET (opens_at, closes_at, byday, freq, valid_from,
            valid_to, timezone, description) = (SELECT opens_at, closes_at, byday, freq,
            valid_from, valid_to, timezone, description FROM schedule s
            WHERE s.id = service_schedule_link.schedule_id)"""
    )


def index_eligibility(db: Database, service_ids: list[str] | None = None) -> None:
    """Read who each service takes from its fields, texts and attributes (inside the
    caller's transaction); admins' corrections are applied on top."""
    where = ""
    params: list[str] = []
    if service_ids is not None:
        marks = ",".join("?" * len(service_ids))
        where = f" WHERE s.id IN ({marks})"
        params = list(service_ids)
        db.execute(f"DELETE FROM service_eligibility WHERE service_id IN ({marks})", params)
    else:
        db.execute("DELETE FROM service_eligibility")
    terms: dict[str, list[str]] = {}
    for sid, name, value, label in db.execute(
        "SELECT a.link_id, t.name, a.value, a.label FROM attribute a "
        "LEFT JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
        "WHERE lower(coalesce(a.link_entity, 'service')) = 'service'"
    ):
        terms.setdefault(sid, []).extend(str(x) for x in (name, value, label) if x)
    overrides = dict(db.execute("SELECT service_id, facts FROM eligibility_override").fetchall())
    rows = []
    for sid, name, description, eligibility_text, minimum, maximum in db.execute(
        "SELECT s.id, s.name, s.description, s.eligibility_description, s.minimum_age, "
        "s.maximum_age FROM service s" + where,
        params,
    ).fetchall():
        texts = [("eligibility_description", eligibility_text or ""),
                 *(("attribute", t) for t in terms.get(sid, [])),
                 ("description", description or ""), ("name", name or "")]  # fmt: skip
        facts, unread = eligibility.read(texts, minimum, maximum)
        if sid in overrides:
            facts = eligibility.with_override(facts, json.loads(overrides[sid]))
        special = int(Person().unlikely(facts))
        rows.append((sid, facts.as_json(), json.dumps(unread), special, facts.restriction()))
    db.conn.executemany(
        "INSERT INTO service_eligibility (service_id, facts, unread, special, restriction) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    if service_ids is None:
        db.execute("UPDATE service_need SET special = 0 WHERE special != 0")
    else:
        db.execute(f"UPDATE service_need SET special = 0 WHERE service_id IN ({marks})", params)
    db.conn.executemany(
        "UPDATE service_need SET special = 1 WHERE service_id = ?",
        [(row[0],) for row in rows if row[3]],
    )


def _index_area_words(db: Database) -> None:
    """Service areas without GeoJSON, resolved from their name and description."""
    db.execute("DELETE FROM search_area_word")
    state = geo.home_state(db)
    rows = []
    for sid, area_id, name, description in db.execute(
        "SELECT service_id, id, name, description FROM service_area "
        "WHERE extent IS NULL OR lower(coalesce(extent_type, '')) != 'geojson'"
    ).fetchall():
        text = ". ".join(t for t in (name, description) if t)
        rows += [(sid, area_id, w.kind, w.name, w.state) for w in area_words.parse(db, text, state)]
    db.conn.executemany("INSERT INTO search_area_word VALUES (?, ?, ?, ?, ?)", rows)


def _log_changes(
    db: Database,
    dataset: Dataset,
    before: dict[str, dict[str, object]],
    nested: set[str],
    who: str,
    now: str,
) -> tuple[int, int]:
    """Log each service created or changed; `nested` are services whose nested data (phones,
    hours, places…) changed, logged as one "details" change when no field of their own did."""
    rows: list[tuple[object, ...]] = []
    created = updated = 0
    for service in dataset.tables["service"]:
        sid = service["id"]
        old = before.get(sid)
        if old is None:
            created += 1
            rows.append((sid, "service", now, "create", None, None, service.get("name"), who))
            continue
        changed = [f for f in _LOGGED_SERVICE_FIELDS if (old[f] or None) != service.get(f)]
        updated += bool(changed) or sid in nested
        rows += [(sid, "service", now, "update", f, old[f], service.get(f), who) for f in changed]
        if sid in nested and not changed:
            rows.append((sid, "service", now, "update", "details", None, None, who))
    db.conn.executemany(
        """INSERT INTO change_log (resource_id, resource_type, last_action_date,
        last_action_type, field_name, previous_value, replacement_value, updated_by, channel)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import')""",
        rows,
    )
    return created, updated
