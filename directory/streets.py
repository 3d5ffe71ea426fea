"""Storing street data in the directory: `wayfinder directory import-streets`.

Each area (a TIGER county, an OSM extract) is written in one transaction and replaces
what an earlier import of the same area wrote, so a county's file can be refreshed every
year without duplicates, and a damaged file leaves the previous streets untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from directory import street_names
from directory.engine import Database
from directory.street_files import Edge, StreetData, area_of, read
from directory.transaction import write_transaction

BATCH = 5000


@dataclass(frozen=True)
class StreetSummary:
    """What one area's import wrote."""

    area: str
    source: str
    streets: int  # distinct street names
    edges: int
    intersections: int  # junctions where two or more differently named streets meet
    address_ranges: int  # edge sides with a house-number range (TIGER)
    addresses: int  # house numbers at points (OSM)
    replaced: bool  # an earlier import of the same area was replaced


def import_streets(
    db: Database,
    paths: Iterable[str | Path],
    progress: Callable[[int], None] | None = None,
) -> list[StreetSummary]:
    """Read every file first, then write each area in one transaction.

    Every file is read before anything is written, so a damaged file anywhere means
    nothing is imported. `progress` is called with the number of edges written.

    Raises:
        StreetFileError: a file is missing, of the wrong kind or damaged.
    """
    areas = [read(area, source, files) for area, source, files in area_of(paths)]
    summaries = []
    with write_transaction(db):
        for data in areas:
            summaries.append(_store(db, data, progress))
    return summaries


def _store(db: Database, data: StreetData, progress: Callable[[int], None] | None) -> StreetSummary:
    replaced = _delete_area(db, data.area)
    first = int(db.execute("SELECT coalesce(max(id), 0) FROM street_edge").fetchone()[0]) + 1
    ranges = 0
    for batch in _batches(enumerate(data.edges, start=first)):
        edge_rows, key_rows, box_rows, node_rows = [], [], [], []
        for edge_id, edge in batch:
            edge_rows.append(_edge_row(edge_id, data.area, edge))
            ranges += (edge.left is not None) + (edge.right is not None)
            for number, name in enumerate(edge.names):
                parts = street_names.split(_without_ramp(name))
                if parts.key:
                    key_rows.append(
                        (parts.key, edge_id, parts.direction, parts.kind, int(number == 0))
                    )
                    (lon0, lat0), (lon1, lat1) = edge.points[0], edge.points[-1]
                    node_rows.append((parts.key, edge.from_node, edge_id, lat0, lon0))
                    node_rows.append((parts.key, edge.to_node, edge_id, lat1, lon1))
            lons = [p[0] for p in edge.points]
            lats = [p[1] for p in edge.points]
            box_rows.append((edge_id, min(lats), max(lats), min(lons), max(lons)))
        db.conn.executemany(
            "INSERT INTO street_edge VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            edge_rows,
        )
        db.conn.executemany(
            "INSERT INTO street_key VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", key_rows
        )
        db.conn.executemany("INSERT INTO street_edge_rtree VALUES (?, ?, ?, ?, ?)", box_rows)
        db.conn.executemany(
            "INSERT INTO street_node VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", node_rows
        )
        if progress:
            progress(len(batch))
    address_rows = []
    for address in data.addresses:
        parts = street_names.split(address.street)
        address_rows.append(
            (
                data.area,
                parts.key,
                parts.direction,
                parts.kind,
                address.number,
                address.lat,
                address.lon,
                address.zip,
            )
        )
    db.conn.executemany(
        "INSERT INTO street_address (area, key, direction, kind, number, lat, lon, zip) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        address_rows,
    )
    streets = len({street_names.key(_without_ramp(edge.names[0])) for edge in data.edges})
    intersections = _count_intersections(db, data.area)
    summary = StreetSummary(
        data.area,
        data.source,
        streets,
        len(data.edges),
        intersections,
        ranges,
        len(data.addresses),
        replaced,
    )
    db.execute(
        "INSERT INTO street_area VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            data.area,
            data.source,
            json.dumps(data.files),
            datetime.now(UTC).isoformat(),
            len(data.edges),
            intersections,
            ranges,
            len(data.addresses),
        ],
    )
    return summary


def _delete_area(db: Database, area: str) -> bool:
    existed = db.execute("SELECT 1 FROM street_area WHERE area = ?", [area]).fetchone()
    db.execute(
        "DELETE FROM street_key WHERE edge_id IN (SELECT id FROM street_edge WHERE area = ?)",
        [area],
    )
    db.execute(
        "DELETE FROM street_edge_rtree WHERE id IN (SELECT id FROM street_edge WHERE area = ?)",
        [area],
    )
    db.execute(
        "DELETE FROM street_node WHERE edge_id IN (SELECT id FROM street_edge WHERE area = ?)",
        [area],
    )
    db.execute("DELETE FROM street_edge WHERE area = ?", [area])
    db.execute("DELETE FROM street_address WHERE area = ?", [area])
    db.execute("DELETE FROM street_area WHERE area = ?", [area])
    return existed is not None


def _edge_row(edge_id: int, area: str, edge: Edge) -> tuple[object, ...]:
    (from_lon, from_lat), (to_lon, to_lat) = edge.points[0], edge.points[-1]
    left = edge.left or (None, None)
    right = edge.right or (None, None)
    points = json.dumps([[round(x, 6), round(y, 6)] for x, y in edge.points])
    return (
        edge_id,
        area,
        edge.names[0],
        edge.road,
        street_names.is_ramp(edge.names[0]) or edge.road.endswith("_link") or edge.road == "S1630",
        edge.from_node,
        edge.to_node,
        from_lat,
        from_lon,
        to_lat,
        to_lon,
        *left,
        *right,
        edge.zip_left,
        edge.zip_right,
        points,
    )


def _without_ramp(name: str) -> str:
    """A ramp is found under the road it serves ("I- 25 Ramp" under `i-25`)."""
    words = [w for w in name.split() if not street_names.is_ramp(w)]
    return " ".join(words) or name


def _count_intersections(db: Database, area: str) -> int:
    row = db.execute(
        """SELECT count(*) FROM (
            SELECT node FROM (
                SELECT e.from_node AS node, k.key FROM street_edge e
                    JOIN street_key k ON k.edge_id = e.id WHERE e.area = :area AND k.main != 0
                UNION
                SELECT e.to_node, k.key FROM street_edge e
                    JOIN street_key k ON k.edge_id = e.id WHERE e.area = :area AND k.main != 0
            ) AS ends
            GROUP BY node HAVING count(DISTINCT key) >= 2) AS meeting""",
        {"area": area},
    ).fetchone()
    return int(row[0])


def _batches(items: Iterable[tuple[int, Edge]]) -> Iterator[list[tuple[int, Edge]]]:
    batch: list[tuple[int, Edge]] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
