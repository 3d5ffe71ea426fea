"""Writing the directory out as HSDS 3.1 tabular data: one CSV per table and a
`datapackage.json` describing them, ready for `wayfinder directory import`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from directory.eligibility import Eligibility
from directory.engine import Database
from directory.hsds import INTEGER_COLUMNS, REAL_COLUMNS, REFERENCES, TABLES


def export_directory(db: Database, folder: str | Path) -> dict[str, int]:
    """Write every stored HSDS table to `folder`; return rows written per file."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    resources = []
    corrected = _corrected_eligibility(db)
    exported = {table: {r[0] for r in db.execute(f"SELECT id FROM {table}")} for table in TABLES}
    for table, (file_name, columns) in TABLES.items():
        rows = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()
        rows = [_without_dangling(table, columns, row, exported) for row in rows]
        if table == "attribute":
            # An attribute of a row not exported (of a kind not kept, or missing) would
            # point at nothing.
            entity, link = columns.index("link_entity"), columns.index("link_id")
            rows = [
                r for r in rows
                if r[link] in exported.get((r[entity] or "service").lower(), ())
            ]  # fmt: skip
        if table == "service" and corrected:
            rows = [_with_correction(columns, row, corrected) for row in rows]
        with open(out / file_name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([_cell(v) for v in row] for row in rows)
        written[file_name] = len(rows)
        resources.append(
            {
                "name": table,
                "path": file_name,
                "format": "csv",
                "mediatype": "text/csv",
                "profile": "tabular-data-resource",
                "schema": {
                    "primaryKey": "id",
                    "fields": [{"name": c, "type": _type(table, c)} for c in columns],
                },
            }
        )
    package = {
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "profile": "tabular-data-package",
        "version": "3.1.0",
        "homepage": "http://docs.openreferral.org",
        "resources": resources,
    }
    (out / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n", "utf-8")
    return written


def _corrected_eligibility(db: Database) -> dict[str, Eligibility]:
    """Services an admin corrected, with the eligibility now in force."""
    return {
        sid: Eligibility.from_json(facts)
        for sid, facts in db.execute(
            "SELECT e.service_id, e.facts FROM service_eligibility e "
            "JOIN eligibility_override o ON o.service_id = e.service_id"
        )
    }


def _with_correction(
    columns: tuple[str, ...], row: tuple[Any, ...], corrected: dict[str, Eligibility]
) -> tuple[Any, ...]:
    """An admin's correction travels with the export: the age fields, and the
    restriction in words at the end of the eligibility description."""
    values = dict(zip(columns, row, strict=True))
    rules = corrected.get(values["id"])
    if rules is None:
        return row
    values["minimum_age"] = rules.min_age
    values["maximum_age"] = rules.max_age
    words = rules.restriction()
    if words and words not in (values.get("eligibility_description") or ""):
        text = (values.get("eligibility_description") or "").rstrip()
        values["eligibility_description"] = f"{text} {words[0].upper()}{words[1:]}.".strip()
    return tuple(values[c] for c in columns)


# References to tables Wayfinder does not keep (contacts): an export must not point at
# rows it does not contain, so these are left empty.
_NOT_KEPT = {("phone", "contact_id")}


def _without_dangling(
    table: str, columns: tuple[str, ...], row: tuple[Any, ...], exported: dict[str, set[Any]]
) -> tuple[Any, ...]:
    """The row with every reference to a row not exported left empty: a table Wayfinder
    does not keep, or an object a JSON import referred to without carrying it."""
    return tuple(
        None
        if (table, c) in _NOT_KEPT
        or (v is not None and (table, c) in REFERENCES and v not in exported[REFERENCES[table, c]])
        else v
        for c, v in zip(columns, row, strict=True)
    )


def _cell(value: Any) -> Any:
    """A value as the file had it: SQLite hands back REAL columns as floats, and a time
    zone of -7 must not come back as -7.0 (a round trip changes nothing)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _type(table: str, column: str) -> str:
    if (table, column) in INTEGER_COLUMNS:
        return "integer"
    if (table, column) in REAL_COLUMNS:
        return "number"
    return "string"
