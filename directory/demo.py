"""The embedded demo directory: a fictional Denver metro in HSDS CSV (see demo/README.md).

Its bed counts are written relative to REFERENCE; loading it shifts them so that
REFERENCE is now, and the demo shows counts an hour old, a day old and older, whatever
the date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import as_file, files

import sqlite_utils

from directory.importer import import_dataset
from directory.reader import read
from directory.types import ImportSummary
from directory.validate import parse_datetime

REFERENCE = datetime.fromisoformat("2026-11-23T12:00:00-07:00")


def load_demo(db: sqlite_utils.Database, at: datetime | None = None) -> ImportSummary:
    """Import the demo directory with its counts as of `at` (default: now)."""
    shift = (at or datetime.now(UTC)) - REFERENCE
    with as_file(files("directory").joinpath("demo")) as folder:
        dataset = read(folder)
    for row in dataset.tables["service_capacity"]:
        stamp = parse_datetime(str(row["updated"]))
        if stamp is not None:
            row["updated"] = (stamp + shift).isoformat(timespec="seconds")
    return import_dataset(db, dataset, who="demo")
