"""The directory as Open Referral HSDS 3.1 API objects: pages of services, organizations
and taxonomies, and fully nested services, shaped as the standard's `openapi.json` says.

Another directory — ours through `wayfinder directory sync`, or anyone's HSDS client —
reads these, so they follow the standard's JSON schemas: a field with no value is left
out (the schemas type them as strings or numbers, not null), a field the schema requires
and the data lacks is sent as "" rather than invented, and numbers stay numbers.

Nothing private leaves: a confidential service's locations come without address,
coordinates or directions (`directory.confidential`), and the change log's authors are
never published.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

from directory import engine
from directory.engine import Database
from directory.hsds import INTEGER_COLUMNS, REAL_COLUMNS, TABLES
from directory.sql import rows_in
from directory.validate import parse_datetime

HSDS_VERSION = "3.1"
PROFILE_URL = "https://docs.openreferral.org/en/v3.1/hsds/overview.html"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.1/schema/openapi.json"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000

Obj = dict[str, Any]

# Fields the standard's schemas require: sent as "" when the data has none.
_REQUIRED = {
    "organization": ("name", "description"),
    "program": ("name", "description"),
    "service": ("name", "status"),
    "location": ("location_type",),
    "address": ("address_1", "city", "state_province", "postal_code", "country",
                "address_type"),
    "phone": ("number",),
    "taxonomy": ("name", "description"),
    "taxonomy_term": ("name", "description"),
    "unit": ("name",),
    "service_capacity": ("updated",),
}  # fmt: skip
# Location fields that would say where a confidential service is.
_PRIVATE_LOCATION_FIELDS = ("latitude", "longitude", "description", "transportation", "url")


class BadRequest(ValueError):
    """A query parameter that cannot be read; the message says which and why."""


def about() -> Obj:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


def page_size(page: str | None, per_page: str | None) -> tuple[int, int]:
    """The page number and size asked for, checked."""
    try:
        number = int(page) if page not in (None, "") else 1
        size = int(per_page) if per_page not in (None, "") else DEFAULT_PER_PAGE
    except ValueError as error:
        raise BadRequest("page and per_page must be whole numbers") from error
    if number < 1:
        raise BadRequest("page starts at 1")
    if not 1 <= size <= MAX_PER_PAGE:
        raise BadRequest(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return number, size


def since(text: str | None) -> str | None:
    """`modified_after` as the change log writes times (UTC, to the second)."""
    if text in (None, ""):
        return None
    stamp = parse_datetime(str(text))
    if stamp is None:
        raise BadRequest("modified_after must be a date or date-time (ISO 8601)")
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="seconds")


def services(
    db: Database,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    search: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: str | None = None,
    full: bool = False,
    minimal: bool = False,
) -> Obj:
    """One page of services, by id. `minimal` gives only ids and modification times (what
    a sync needs to see what was removed); `full` gives fully nested services."""
    where, params = [], []
    if search and search.strip():
        words = [w.replace('"', "") for w in search.split() if w.replace('"', "")]
        matching, found = engine.matching_services(db, words)
        where.append(f"s.id IN ({matching})")
        params.extend(found)
    if taxonomy_term_id:
        where.append("s.id IN (SELECT link_id FROM attribute WHERE taxonomy_term_id = ?)")
        params.append(taxonomy_term_id)
    if taxonomy_id:
        where.append(
            "s.id IN (SELECT a.link_id FROM attribute a JOIN taxonomy_term t "
            "ON t.id = a.taxonomy_term_id WHERE t.taxonomy_id = ?)"
        )
        params.append(taxonomy_id)
    if organization_id:
        where.append("s.organization_id = ?")
        params.append(organization_id)
    if modified_after:
        where.append(
            "(s.id IN (SELECT resource_id FROM change_log WHERE last_action_date >= ? "
            "AND result = 'applied') OR s.last_modified >= ?)"
        )
        params += [modified_after, modified_after]
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = db.execute(f"SELECT count(*) FROM service s{clause}", params).fetchone()[0]
    columns = TABLES["service"][1]
    rows = db.execute(
        f"SELECT {', '.join('s.' + c for c in columns)} FROM service s{clause} "
        "ORDER BY s.id LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page],
    ).fetchall()
    ids = [row[0] for row in rows]
    changed = last_changes(db, ids)
    if minimal:
        contents = [
            {"id": row[0], "last_modified": _later(row[-1], changed.get(row[0]))} for row in rows
        ]
    elif full:
        contents = nested_services(db, ids)
    else:
        organizations = _by_id(db, "organization", {row[1] for row in rows if row[1]})
        programs = _by_id(db, "program", {row[2] for row in rows if row[2]})
        contents = []
        for row in rows:
            service = _obj("service", columns, row)
            service["last_modified"] = _later(row[-1], changed.get(row[0]))
            if row[1] in organizations:
                service["organization"] = _json("organization", organizations[row[1]])
            if row[2] in programs:
                service["program"] = _json("program", programs[row[2]])
            contents.append(_drop_none(service))
    return _page(contents, total, page, per_page)


def service(db: Database, service_id: str) -> Obj | None:
    """One service with everything known of it, nested; None when there is no such id."""
    found = nested_services(db, [service_id])
    return found[0] if found else None


def nested_services(db: Database, ids: Sequence[str]) -> list[Obj]:
    """Fully nested services, in the order of `ids` (unknown ids are left out)."""
    if not ids:
        return []
    rows = _where(db, "service", "id", ids)
    private = {r[0] for r in rows_in(db, "SELECT service_id FROM confidential_service "
                                     "WHERE service_id IN ({marks})", ids)}  # fmt: skip
    changed = last_changes(db, ids)
    organizations = _by_id(db, "organization", {r["organization_id"] for r in rows})
    programs = _by_id(db, "program", {r["program_id"] for r in rows})
    org_phones = _group(_where(db, "phone", "organization_id", list(organizations)),
                        "organization_id", lambda p: not (p.get("service_id") or
                        p.get("location_id") or p.get("service_at_location_id")))  # fmt: skip
    phones = _group(_where(db, "phone", "service_id", ids), "service_id")
    schedules = _group(_where(db, "schedule", "service_id", ids), "service_id")
    areas = _group(_where(db, "service_area", "service_id", ids), "service_id")
    links = _where(db, "service_at_location", "service_id", ids)
    link_ids = [link["id"] for link in links]
    location_ids = list({link["location_id"] for link in links if link["location_id"]})
    locations = {r["id"]: r for r in _where(db, "location", "id", location_ids)}
    addresses = _group(_where(db, "address", "location_id", location_ids), "location_id")
    own_only = lambda r: not (r.get("service_id") or r.get("service_at_location_id"))  # noqa: E731
    location_phones = _group(_where(db, "phone", "location_id", location_ids), "location_id",
                             own_only)  # fmt: skip
    location_hours = _group(_where(db, "schedule", "location_id", location_ids),
                            "location_id", own_only)  # fmt: skip
    link_phones = _group(
        _where(db, "phone", "service_at_location_id", link_ids),
        "service_at_location_id",
        lambda r: not r.get("service_id"),
    )
    link_hours = _group(
        _where(db, "schedule", "service_at_location_id", link_ids),
        "service_at_location_id",
        lambda r: not r.get("service_id"),
    )
    link_areas = _group(
        _where(db, "service_area", "service_at_location_id", link_ids),
        "service_at_location_id",
        lambda r: not r.get("service_id"),
    )
    capacities = _group(_where(db, "service_capacity", "service_id", ids), "service_id")
    languages = _group(_where(db, "language", "service_id", ids), "service_id")
    location_languages = _group(
        _where(db, "language", "location_id", location_ids), "location_id",
        lambda r: not (r.get("service_id") or r.get("phone_id")),
    )  # fmt: skip
    phone_ids = [p["id"] for group in (phones, location_phones, link_phones, org_phones)
                 for ps in group.values() for p in ps]  # fmt: skip
    phone_languages = _group(
        _where(db, "language", "phone_id", phone_ids), "phone_id",
        lambda r: not (r.get("service_id") or r.get("location_id")),
    )  # fmt: skip

    def phone(row: Obj) -> Obj:
        obj = _json("phone", row)
        if row["id"] in phone_languages:
            obj["languages"] = [_json("language", x) for x in phone_languages[row["id"]]]
        return obj

    units = _by_id(db, "unit", {c["unit_id"] for cs in capacities.values() for c in cs})
    attributes = _group(
        _where(db, "attribute", "link_id", ids),
        "link_id",
        lambda a: (a.get("link_entity") or "service").lower() == "service",
    )
    terms = _by_id(
        db, "taxonomy_term", {a["taxonomy_term_id"] for attrs in attributes.values() for a in attrs}
    )
    taxonomies = _by_id(db, "taxonomy", {t.get("taxonomy_id") for t in terms.values()})
    by_link: dict[str, list[Obj]] = defaultdict(list)
    for link in links:
        by_link[link["service_id"]].append(link)

    def location(location_id: str, hidden: bool) -> Obj | None:
        found = locations.get(location_id)
        if found is None:
            return None
        obj = _json("location", found)
        if hidden:
            for name in _PRIVATE_LOCATION_FIELDS:
                obj.pop(name, None)
            return obj
        obj["addresses"] = [_json("address", a) for a in addresses.get(location_id, [])]
        obj["phones"] = [phone(p) for p in location_phones.get(location_id, [])]
        obj["schedules"] = [_json("schedule", s) for s in location_hours.get(location_id, [])]
        obj["languages"] = [_json("language", x) for x in location_languages.get(location_id, [])]
        return _drop_empty(obj)

    def term(term_id: str | None) -> Obj | None:
        found = terms.get(term_id) if term_id else None
        if found is None:
            return None
        obj = _json("taxonomy_term", found)
        if found.get("taxonomy_id") in taxonomies:
            obj["taxonomy_detail"] = _json("taxonomy", taxonomies[found["taxonomy_id"]])
        return obj

    order = {sid: number for number, sid in enumerate(ids)}
    out = []
    for row in sorted(rows, key=lambda r: order[r["id"]]):
        sid = row["id"]
        hidden = sid in private
        obj = _json("service", row)
        obj["last_modified"] = _later(row.get("last_modified"), changed.get(sid))
        if row["organization_id"] in organizations:
            organization = _json("organization", organizations[row["organization_id"]])
            organization["phones"] = [phone(p) for p in org_phones.get(row["organization_id"], [])]
            obj["organization"] = _drop_empty(organization)
        if row["program_id"] in programs:
            obj["program"] = _json("program", programs[row["program_id"]])
        obj["phones"] = [phone(p) for p in phones.get(sid, [])]
        obj["languages"] = [_json("language", x) for x in languages.get(sid, [])]
        obj["schedules"] = [_json("schedule", s) for s in schedules.get(sid, [])]
        obj["service_areas"] = [_json("service_area", a) for a in areas.get(sid, [])]
        obj["service_at_locations"] = [
            _drop_empty(
                {
                    **_json("service_at_location", link),
                    "location": location(link["location_id"], hidden),
                    "phones": [phone(p) for p in link_phones.get(link["id"], [])],
                    "schedules": [_json("schedule", s) for s in link_hours.get(link["id"], [])],
                    "service_areas": [
                        _json("service_area", a) for a in link_areas.get(link["id"], [])
                    ],
                }
            )
            for link in by_link.get(sid, [])
        ]
        obj["capacities"] = [
            {
                **_json("service_capacity", c),
                "unit": _json("unit", units.get(c["unit_id"]) or {"id": c["unit_id"] or ""}),
            }
            for c in capacities.get(sid, [])
        ]
        obj["attributes"] = [
            _drop_empty({**_json("attribute", a), "taxonomy_term": term(a["taxonomy_term_id"])})
            for a in attributes.get(sid, [])
        ]
        out.append(_drop_empty(obj))
    return out


def organizations(
    db: Database,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    search: str | None = None,
    full_service: bool = False,
) -> Obj:
    listed = _simple_page(db, "organization", page, per_page, search)
    if full_service:
        listed["contents"] = [
            organization(db, found["id"], full_service=True) for found in listed["contents"]
        ]
    return listed


def organization(db: Database, organization_id: str, *, full_service: bool = False) -> Obj | None:
    """An organization with its phones, locations and services (in brief, or in full with
    `full_service`); None when there is no such id."""
    found = _where(db, "organization", "id", [organization_id])
    if not found:
        return None
    obj = _json("organization", found[0])
    service_ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM service WHERE organization_id = ? ORDER BY id", [organization_id]
        )
    ]
    obj["phones"] = [
        _json("phone", p)
        for p in _where(db, "phone", "organization_id", [organization_id])
        if not (p.get("service_id") or p.get("location_id") or p.get("service_at_location_id"))
    ]
    hidden = {
        r[0]
        for r in db.execute(
            "SELECT sal.location_id FROM service_at_location sal JOIN confidential_service c "
            "ON c.service_id = sal.service_id JOIN service s ON s.id = sal.service_id "
            "WHERE s.organization_id = ?",
            [organization_id],
        )
    }
    places = _where(db, "location", "organization_id", [organization_id])
    addresses = _group(_where(db, "address", "location_id", [p["id"] for p in places]),
                       "location_id")  # fmt: skip
    locations = []
    for row in places:
        location = _json("location", row)
        if row["id"] in hidden:
            for name in _PRIVATE_LOCATION_FIELDS:
                location.pop(name, None)
        else:
            location["addresses"] = [_json("address", a) for a in addresses.get(row["id"], [])]
        locations.append(_drop_empty(location))
    obj["locations"] = locations
    if full_service:
        obj["services"] = nested_services(db, service_ids)
    else:
        brief = _where(db, "service", "id", service_ids)
        obj["services"] = [
            {k: v for k, v in _json("service", s).items() if k != "organization_id"} for s in brief
        ]
    return _drop_empty(obj)


def taxonomies(
    db: Database, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE,
    search: str | None = None,
) -> Obj:  # fmt: skip
    return _simple_page(db, "taxonomy", page, per_page, search)


def taxonomy(db: Database, taxonomy_id: str) -> Obj | None:
    found = _where(db, "taxonomy", "id", [taxonomy_id])
    return _json("taxonomy", found[0]) if found else None


def taxonomy_terms(
    db: Database, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE,
    search: str | None = None, taxonomy_id: str | None = None,
) -> Obj:  # fmt: skip
    extra = ("taxonomy_id = ?", taxonomy_id) if taxonomy_id else None
    return _simple_page(db, "taxonomy_term", page, per_page, search, extra)


def taxonomy_term(db: Database, term_id: str) -> Obj | None:
    found = _where(db, "taxonomy_term", "id", [term_id])
    if not found:
        return None
    obj = _json("taxonomy_term", found[0])
    parent = _where(db, "taxonomy", "id", [found[0]["taxonomy_id"]] if found[0].get(
        "taxonomy_id") else [])  # fmt: skip
    if parent:
        obj["taxonomy_detail"] = _json("taxonomy", parent[0])
    return obj


def last_changes(db: Database, ids: Sequence[str]) -> dict[str, str]:
    """When the directory last changed each service (its fields, its nested data as an
    import said it, its bed count, its eligibility), from the change log."""
    return dict(
        rows_in(
            db,
            "SELECT resource_id, max(last_action_date) FROM change_log "
            "WHERE resource_id IN ({marks}) AND result = 'applied' GROUP BY resource_id",
            ids,
        )
    )


def _simple_page(
    db: Database, table: str, page: int, per_page: int, search: str | None,
    extra: tuple[str, str] | None = None,
) -> Obj:  # fmt: skip
    where, params = [], []
    if search and search.strip():
        where.append("(name LIKE ? OR description LIKE ?)")
        params += [f"%{search.strip()}%"] * 2
    if extra:
        where.append(extra[0])
        params.append(extra[1])
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = db.execute(f"SELECT count(*) FROM {table}{clause}", params).fetchone()[0]
    columns = TABLES[table][1]
    rows = db.execute(
        f"SELECT {', '.join(columns)} FROM {table}{clause} ORDER BY id LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page],
    ).fetchall()
    return _page([_obj(table, columns, row) for row in rows], total, page, per_page)


def _page(contents: list[Obj], total: int, page: int, per_page: int) -> Obj:
    pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _later(stored: str | None, changed: str | None) -> str | None:
    """The later of the data's own last_modified and the directory's last change."""
    if not changed:
        return stored
    if not stored:
        return changed
    a, b = parse_datetime(stored), parse_datetime(changed)
    if a is None or b is None:
        return changed
    a = a if a.tzinfo else a.replace(tzinfo=UTC)
    return stored if a >= b else changed


def _where(db: Database, table: str, column: str, ids: Iterable[Any]) -> list[Obj]:
    columns = TABLES[table][1]
    rows = rows_in(
        db,
        f"SELECT {', '.join(columns)} FROM {table} WHERE {column} IN ({{marks}}) ORDER BY id",
        ids,
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _by_id(db: Database, table: str, ids: Iterable[Any]) -> dict[str, Obj]:
    return {row["id"]: row for row in _where(db, table, "id", ids)}


def _group(rows: list[Obj], key: str, keep: Any = None) -> dict[str, list[Obj]]:
    grouped: dict[str, list[Obj]] = defaultdict(list)
    for row in rows:
        if keep is None or keep(row):
            grouped[row[key]].append(row)
    return grouped


def _obj(table: str, columns: Sequence[str], row: Sequence[Any]) -> Obj:
    return _json(table, dict(zip(columns, row, strict=True)))


def _json(table: str, row: Obj) -> Obj:
    """A stored row as an HSDS JSON object: numbers as numbers, no nulls, required text
    present."""
    obj: Obj = {}
    for column in TABLES[table][1]:
        value = row.get(column)
        if value is None or value == "":
            continue
        if (table, column) in INTEGER_COLUMNS or (table, column) in REAL_COLUMNS:
            number = float(value)
            obj[column] = int(number) if number.is_integer() else number
        else:
            obj[column] = str(value)
    for column in _REQUIRED.get(table, ()):
        obj.setdefault(column, "")
    if table == "service_capacity":
        obj.setdefault("available", 0)
    return obj


def _drop_none(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if v is not None}


def _drop_empty(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if v is not None and v != []}
