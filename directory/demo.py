"""The embedded demo directory: a fictional Denver metro in HSDS CSV (see demo/README.md),
a few real Denver landmarks as local places (demo/places.csv), and the main streets
officers name, for intersections and addresses (demo/denver-streets.osm).

Its bed counts are written relative to REFERENCE; loading it shifts them so that
REFERENCE is now, and the demo shows counts an hour old, a day old and older, whatever
the date.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from importlib.resources import as_file, files

from directory.demo_streets import demo_file
from directory.engine import Database
from directory.geo import add_place
from directory.importer import import_dataset
from directory.reader import read
from directory.rows import Rows
from directory.streets import import_streets
from directory.types import ImportSummary
from directory.validate import parse_datetime

REFERENCE = datetime.fromisoformat("2026-11-23T12:00:00-07:00")


def load_demo(db: Database, at: datetime | None = None) -> ImportSummary:
    """Import the demo directory with its counts as of `at` (default: now)."""
    shift = (at or datetime.now(UTC)) - REFERENCE
    with as_file(files("directory").joinpath("demo")) as folder:
        dataset = read(folder)
    counts = list(dataset.tables["service_capacity"])
    for row in counts:
        stamp = parse_datetime(str(row["updated"]))
        if stamp is not None:
            row["updated"] = (stamp + shift).isoformat(timespec="seconds")
    dataset.tables["service_capacity"] = Rows(counts)
    summary = import_dataset(db, dataset, who="demo")
    text = files("directory").joinpath("demo/places.csv").read_text("utf-8")
    for row in csv.DictReader(io.StringIO(text)):
        aliases = [a.strip() for a in row["aliases"].split(";") if a.strip()]
        add_place(db, row["name"], float(row["lat"]), float(row["lon"]), aliases)
    import_streets(db, [demo_file()])
    db.execute("CREATE TABLE IF NOT EXISTS demo_marker (loaded TEXT)")
    db.execute("INSERT INTO demo_marker VALUES (?)", [datetime.now(UTC).isoformat()])
    return summary


def is_demo(db: Database) -> bool:
    """Whether the fictional demo directory was loaded into this file (demo mode)."""
    return "demo_marker" in db.table_names()
