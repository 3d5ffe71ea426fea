"""Older Open Referral data — HSDS 1.x and 2.x CSV, and the Ohana API's CSV — converted
to HSDS 3.1 tables as it is read.

Read as 3.1, these would be half-read in silence: every service without an address,
hours or taxonomy. Each file is recognised by its name and header, converted row by row,
and named in the import's summary; what needs rows of several files (an Ohana service
belongs to a location, not an organization; 1.x eligibility lives in its own file) is
finished once every file is read. What has no 3.1 home here (contacts, holiday
schedules, languages, funding) is listed as skipped, never half-kept.

Weekdays: HSDS 1.1.1 and Ohana number them 1 = Monday … 7 = Sunday; names and their
short forms are accepted too. Ohana times may be "9:30 AM" or "5pm".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from directory.rows import Row, Rows

Convert = Callable[[Row], Row]

_DAYS = {"1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA", "7": "SU",
         "monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR",
         "saturday": "SA", "sunday": "SU", "mon": "MO", "tue": "TU", "tues": "TU", "wed": "WE",
         "thu": "TH", "thur": "TH", "thurs": "TH", "fri": "FR", "sat": "SA", "sun": "SU",
         "mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA",
         "su": "SU"}  # fmt: skip
_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*([ap])\.?\s*m?\.?\s*$", re.I)
_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*$")
_TRUE = {"true", "t", "yes", "y", "1"}


@dataclass(frozen=True)
class Conversion:
    """How one older file becomes rows of a 3.1 table."""

    table: str
    convert: Convert
    format: str  # "HSDS 1.x/2.x", "HSDS 1.x", "HSDS 2.0", "Ohana"


def conversion(name: str, header: Sequence[str]) -> Conversion | None:
    """The conversion for an older file, by its name and header; None for a 3.1 file (or
    a file nothing converts)."""
    name, columns = name.lower(), set(header)
    if name in ("physical_addresses.csv", "postal_addresses.csv"):
        kind = "physical" if name.startswith("physical") else "postal"
        return Conversion("address", _address(kind), "HSDS 1.x/2.x")
    if name == "mail_addresses.csv":  # its ids are counted apart from addresses.csv's
        return Conversion("address", _mail_address, "Ohana")
    if name == "regular_schedules.csv":
        return Conversion("schedule", _schedule, "HSDS 1.x/Ohana")
    if name == "services_at_location.csv":
        return Conversion("service_at_location", _same, "HSDS 1.x/2.x")
    if name == "services_taxonomy.csv":  # 1.x: a service's taxonomy terms
        return Conversion("attribute", _service_term("taxonomy_id"), "HSDS 1.x")
    if name == "service_attributes.csv":  # 2.0
        return Conversion("attribute", _service_term("taxonomy_term_id"), "HSDS 2.0")
    if name == "other_attributes.csv":  # 2.0: terms of anything, by link_id
        return Conversion("attribute", _other_attribute, "HSDS 2.0")
    if name == "taxonomy.csv" and "taxonomy_id" in columns and "id" not in columns:
        return Conversion("taxonomy_term", _ohana_term, "Ohana")
    if name == "taxonomy.csv" and columns & {"vocabulary", "parent_name"}:
        return Conversion("taxonomy_term", _term_1x, "HSDS 1.x")
    if name == "taxonomy_terms.csv" and "term" in columns and "name" not in columns:
        return Conversion("taxonomy_term", _term_2x, "HSDS 2.0")
    if name == "service_areas.csv" and "service_area" in columns and "name" not in columns:
        return Conversion("service_area", _area, "HSDS 1.x/2.x")
    if name == "services.csv" and "location_id" in columns and "organization_id" not in columns:
        return Conversion("service", _ohana_service, "Ohana")
    if name == "locations.csv" and columns & {"virtual", "short_desc", "admin_emails"}:
        return Conversion("location", _ohana_location, "Ohana")
    if name == "phones.csv" and "number_type" in columns:
        return Conversion("phone", _ohana_phone, "Ohana")
    if name == "organizations.csv" and "url" in columns and "website" not in columns:
        return Conversion("organization", _organization, "HSDS 1.x/2.x")
    if name == "languages.csv" and "language" in columns and "name" not in columns:
        return Conversion("language", _language, "HSDS 1.x/2.x")
    if name == "eligibility.csv" and "eligibility" in columns:  # 1.x: one line per service
        return Conversion("service_eligibility", _same, "HSDS 1.x")
    return None


def finish(tables: dict[str, Any], eligibility: list[Row]) -> list[str]:
    """What needs rows of several files; returns notes for the import's summary.

    - An Ohana service names its location: its organization is the location's, and the
      link becomes a service_at_location; its `service_areas`, `taxonomy_ids` and
      `eligibility` cells become service areas, attributes and eligibility text.
    - HSDS 1.x `taxonomy_ids` (when services_taxonomy.csv says nothing) likewise, and
      eligibility.csv lines are added to the service's eligibility description.
    """
    notes: list[str] = []
    services = tables["service"]
    if not any(_OHANA in row or "taxonomy_ids" in row for row in services):
        if eligibility:
            _add_eligibility(services, eligibility)
        return notes
    locations = {row["id"]: row.get("organization_id") for row in tables["location"]}
    links, areas, attributes, languages = [], [], [], []
    for row in tables["location"]:
        for name in _cells(row.get(_LANGUAGES)):
            languages.append({"id": f"location-{row['id']}-{name}", "location_id": row["id"],
                              "name": name, "_file": row.get("_file"),
                              "_row": row.get("_row")})  # fmt: skip
    tagged = {row.get("link_id") for row in tables["attribute"]}
    converted = []
    for row in services:
        row = dict(row)
        where = {"_file": row.get("_file"), "_row": row.get("_row")}
        location = row.pop(_OHANA, None)
        if location:
            row.setdefault("organization_id", locations.get(location))
            links.append({"id": f"{row['id']}@{location}", "service_id": row["id"],
                          "location_id": location, **where})  # fmt: skip
            for number, name in enumerate(_cells(row.pop(_AREAS, None)), start=1):
                areas.append({"id": f"{row['id']}-area-{number}", "service_id": row["id"],
                              "name": name, **where})  # fmt: skip
            for name in _cells(row.pop(_LANGUAGES, None)):
                languages.append({"id": f"service-{row['id']}-{name}", "service_id": row["id"],
                                  "name": name, **where})  # fmt: skip
        terms = _cells(row.pop("taxonomy_ids", None))
        if row["id"] not in tagged:
            for term in terms:
                attributes.append({"id": f"{row['id']}-term-{term}", "link_id": row["id"],
                                   "taxonomy_term_id": term, "link_entity": "service",
                                   "link_type": "service", **where})  # fmt: skip
        converted.append(row)
    _add_eligibility(converted, eligibility)
    tables["service"] = Rows(converted)
    for table, rows in (("service_at_location", links), ("service_area", areas),
                        ("attribute", attributes), ("language", languages)):  # fmt: skip
        if rows:
            tables[table] = Rows([*tables[table], *rows])
    if links:
        notes.append(f"{len(links)} Ohana service–location links → service_at_location.csv")
    return notes


_OHANA = "_ohana_location_id"
_AREAS = "_service_areas"
_LANGUAGES = "_languages"
_OHANA_SERVICE_CELLS = ("location_id", "website", "eligibility", "fees", "service_areas",
                        "languages")  # fmt: skip


def _add_eligibility(services: Any, eligibility: list[Row]) -> None:
    by_service: dict[str, list[str]] = {}
    for line in eligibility:
        if line.get("service_id") and line.get("eligibility"):
            by_service.setdefault(line["service_id"], []).append(str(line["eligibility"]))
    for row in services:
        extra = by_service.get(row["id"])
        if extra:
            text = "; ".join(extra)
            own = row.get("eligibility_description")
            row["eligibility_description"] = f"{own} ({text})" if own else text.capitalize()


def _cells(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def _same(row: Row) -> Row:
    return row


def _language(row: Row) -> Row:
    return {**{k: v for k, v in row.items() if k != "language"}, "name": row.get("language")}


def _address(kind: str) -> Convert:
    def convert(row: Row) -> Row:
        lines = [str(row[k]) for k in ("address_2", "address_3", "address_4") if row.get(k)]
        return {**{k: v for k, v in row.items() if k not in ("address_3", "address_4")},
                "address_2": ", ".join(lines) or None, "address_type": kind}  # fmt: skip

    return convert


def _mail_address(row: Row) -> Row:
    return {**_address("postal")(row), "id": f"mail-{row.get('id')}"}


def _time(value: Any) -> Any:
    """ "9:30 AM", "5pm", "08:00:00" → "09:30", "17:00", "08:00"; anything else as given
    (validation then names it)."""
    text = str(value or "")
    if match := _CLOCK.match(text):
        hour = int(match[1]) % 12 + (12 if match[3].lower() == "p" else 0)
        return f"{hour:02d}:{match[2] or '00'}"
    if match := _HHMM.match(text):
        return f"{int(match[1]):02d}:{match[2]}"
    return value


def _schedule(row: Row) -> Row:
    day = _DAYS.get(str(row.get("weekday") or "").strip().lower())
    converted = {k: v for k, v in row.items() if k != "weekday"}
    converted.update({"freq": "WEEKLY", "byday": day or row.get("weekday"),
                      "opens_at": _time(row.get("opens_at")),
                      "closes_at": _time(row.get("closes_at"))})  # fmt: skip
    return converted


def _service_term(column: str) -> Convert:
    def convert(row: Row) -> Row:
        return {"id": row.get("id"), "link_id": row.get("service_id"), "link_type": "service",
                "link_entity": "service", "taxonomy_term_id": row.get(column),
                "value": row.get("taxonomy_detail"), "_file": row.get("_file"),
                "_row": row.get("_row")}  # fmt: skip

    return convert


def _other_attribute(row: Row) -> Row:
    return {**row, "link_entity": None}


def _term_1x(row: Row) -> Row:
    return {**{k: v for k, v in row.items() if k not in ("parent_name", "vocabulary")},
            "taxonomy": row.get("vocabulary")}  # fmt: skip


def _term_2x(row: Row) -> Row:
    return {**{k: v for k, v in row.items() if k != "term"}, "name": row.get("term")}


def _ohana_term(row: Row) -> Row:
    return {"id": row.get("taxonomy_id"), "name": row.get("name"),
            "parent_id": row.get("parent_id"), "taxonomy": "Open Eligibility"}  # fmt: skip


def _area(row: Row) -> Row:
    return {**{k: v for k, v in row.items() if k != "service_area"},
            "name": row.get("service_area")}  # fmt: skip


def _organization(row: Row) -> Row:
    return {**{k: v for k, v in row.items() if k != "url"}, "website": row.get("url")}


def _ohana_service(row: Row) -> Row:
    out = {k: v for k, v in row.items() if k not in _OHANA_SERVICE_CELLS}
    out.update({"url": row.get("website"), "eligibility_description": row.get("eligibility"),
                "fees_description": row.get("fees"), _OHANA: row.get("location_id"),
                _AREAS: row.get("service_areas"), _LANGUAGES: row.get("languages")})  # fmt: skip
    return out


def _ohana_location(row: Row) -> Row:
    virtual = str(row.get("virtual") or "").strip().lower() in _TRUE
    out = {k: v for k, v in row.items() if k not in ("website", "virtual", "languages")}
    out.update({"url": row.get("website"), "location_type": "virtual" if virtual else "physical",
                _LANGUAGES: row.get("languages")})  # fmt: skip
    return out


def _ohana_phone(row: Row) -> Row:
    out = {k: v for k, v in row.items() if k not in ("number_type", "department")}
    out.update({"type": row.get("number_type"), "description": row.get("department")})
    return out
