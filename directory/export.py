"""Writing the directory out as HSDS 3.1 tabular data: one CSV per table and a
`datapackage.json` describing them, ready for `wayfinder directory import`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlite_utils

from directory.hsds import INTEGER_COLUMNS, REAL_COLUMNS, TABLES


def export_directory(db: sqlite_utils.Database, folder: str | Path) -> dict[str, int]:
    """Write every stored HSDS table to `folder`; return rows written per file."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    resources = []
    for table, (file_name, columns) in TABLES.items():
        rows = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()
        with open(out / file_name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
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


def _type(table: str, column: str) -> str:
    if (table, column) in INTEGER_COLUMNS:
        return "integer"
    if (table, column) in REAL_COLUMNS:
        return "number"
    return "string"
