"""Benchmark of the resource directory: import rate and search latency at scale.

For each size N this script:

1. generates a synthetic HSDS 3.1 CSV directory of N services spread over the US (one
   location per service near a random ZIP centroid from the `zipcodes` package, an
   address, a phone, one or two weekly schedules, one or two taxonomy terms that map to
   needs, and a bed count for about 40% of services), deterministically from --seed;
2. creates a fresh SQLite file with `directory.open_db` (schema + gazetteer, timed on its
   own) and imports the folder with `directory.read` + `directory.import_dataset` (read,
   validate and write: what `wayfinder directory import` does), timed as the import;
3. runs --queries searches (`directory.search`, one need, near a ZIP 70% of the time or a
   "lat,lon" 30%, at a random moment of the coming week, limit 10) after 100 untimed
   warm-up searches, and reports latency percentiles and the mean number of results.

The peak resident set size of the whole run is reported at the end.

Run from the project root with the project's virtual environment:

    python bench/directory_bench.py                          # sizes 1000,10000,100000
    python bench/directory_bench.py --sizes 1000,10000 --queries 500
    python bench/directory_bench.py --json > bench.json

Targets: search p99 <= 10 ms at 100,000 services; import >= 5,000 services/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

import zipcodes
from stats import percentile  # bench/stats.py (this folder is on sys.path)

import directory
from directory.hsds import TABLES

WARMUP_QUERIES = 100
JITTER_KM = 3.0
CAPACITY_SHARE = 0.4
SERVICES_PER_ORGANIZATION = 10
KM_PER_DEGREE_LAT = 111.32
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"
# (description, opens_at, closes_at, byday): the weekly patterns a service may have.
SCHEDULES = (
    ("Open 24 hours", "00:00", "23:59", ALL_DAYS),
    ("Overnight", "18:00", "07:00", ALL_DAYS),
    ("Weekdays", "08:00", "17:00", "MO,TU,WE,TH,FR"),
)
STREETS = ("Main St", "Oak Ave", "Broadway", "1st St", "Park Rd", "Elm St", "Mission Blvd")
ZIP_SHARE = 0.7  # share of searches near a ZIP; the rest are near "lat,lon"

Row = dict[str, Any]


@dataclass(frozen=True)
class Zip:
    """A ZIP code of the gazetteer with a usable centroid."""

    code: str
    city: str
    state: str
    lat: float
    lon: float
    area_code: str


@dataclass(frozen=True)
class Generated:
    """What the search phase needs to know about a generated directory."""

    folder: Path
    zips: list[str]
    points: list[tuple[float, float]]


@dataclass(frozen=True)
class SizeResult:
    """The measurements for one directory size."""

    services: int
    generate_s: float
    db_create_s: float
    import_s: float
    import_services_per_s: float
    search_p50_ms: float
    search_p95_ms: float
    search_p99_ms: float
    search_max_ms: float
    mean_results: float
    peak_rss_mb: float


# --- generation ---------------------------------------------------------------------------


def load_zips() -> list[Zip]:
    """Every ZIP with a centroid (ZIP density follows population, so each weighs the same)."""
    found = []
    for z in zipcodes.list_all():  # type: ignore[no-untyped-call]
        if float(z["lat"]) == 0 or float(z["long"]) == 0:
            continue
        area = (z.get("area_codes") or ["555"])[0]
        city = z["city"].title() if z["city"].isupper() else z["city"]
        found.append(Zip(z["zip_code"], city, z["state"], float(z["lat"]), float(z["long"]), area))
    return found


def need_terms() -> dict[str, list[str]]:
    """The taxonomy-term names of each need key, from directory/data/needs.toml."""
    text = files("directory").joinpath("data/needs.toml").read_text("utf-8")
    return {key: list(need["terms"]) for key, need in tomllib.loads(text).items()}


def jitter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point uniformly distributed within `km` of (lat, lon)."""
    distance = km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / KM_PER_DEGREE_LAT
    km_per_degree_lon = KM_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)
    dlon = distance * math.sin(bearing) / km_per_degree_lon
    return round(lat + dlat, 6), round(lon + dlon, 6)


def taxonomy_rows(terms: dict[str, list[str]]) -> tuple[list[Row], list[Row], dict[str, str]]:
    """The taxonomy, its terms, and the term id of each term name."""
    names = sorted({name for names in terms.values() for name in names})
    term_ids = {name: f"term-{number}" for number, name in enumerate(names, start=1)}
    taxonomy = [{"id": "tax-1", "name": "Wayfinder bench", "version": "1"}]
    term_rows = [
        {
            "id": term_ids[name],
            "name": name,
            "taxonomy": "Wayfinder bench",
            "language": "en",
            "taxonomy_id": "tax-1",
        }
        for name in names
    ]
    return taxonomy, term_rows, term_ids


def service_rows(
    rng: random.Random,
    number: int,
    z: Zip,
    term_ids: dict[str, str],
    terms: dict[str, list[str]],
    now: datetime,
) -> Iterator[tuple[str, Row]]:
    """(table, row) for one service and everything that belongs to it."""
    sid, lid = f"svc-{number}", f"loc-{number}"
    oid = f"org-{number // SERVICES_PER_ORGANIZATION}"
    picked = rng.sample(list(terms), rng.choice((1, 2)))
    names = [rng.choice(terms[need]) for need in picked]
    yield (
        "service",
        {
            "id": sid,
            "organization_id": oid,
            "name": f"{z.city} {names[0]} {number}",
            "description": f"Synthetic service number {number} for the directory benchmark.",
            "status": "active",
            "last_modified": now.isoformat(timespec="seconds"),
        },
    )
    lat, lon = jitter(rng, z.lat, z.lon, JITTER_KM)
    yield (
        "location",
        {
            "id": lid,
            "location_type": "physical",
            "organization_id": oid,
            "name": f"{z.city} site {number}",
            "latitude": f"{lat}",
            "longitude": f"{lon}",
        },
    )
    yield "service_at_location", {"id": f"sal-{number}", "service_id": sid, "location_id": lid}
    yield (
        "address",
        {
            "id": f"addr-{number}",
            "location_id": lid,
            "address_1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
            "city": z.city,
            "state_province": z.state,
            "postal_code": z.code,
            "country": "US",
            "address_type": "physical",
        },
    )
    yield (
        "phone",
        {
            "id": f"ph-{number}",
            "service_id": sid,
            "number": f"{z.area_code}-555-01{rng.randint(0, 99):02d}",
            "type": "voice",
        },
    )
    for index, pattern in enumerate(rng.sample(SCHEDULES, rng.choice((1, 2)))):
        description, opens, closes, byday = pattern
        yield (
            "schedule",
            {
                "id": f"sch-{number}-{index}",
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": byday,
                "description": description,
                "opens_at": opens,
                "closes_at": closes,
            },
        )
    for index, name in enumerate(names):
        yield (
            "attribute",
            {
                "id": f"att-{number}-{index}",
                "link_id": sid,
                "taxonomy_term_id": term_ids[name],
                "link_type": "taxonomy_term",
                "link_entity": "service",
            },
        )
    if rng.random() < CAPACITY_SHARE:
        maximum = rng.randint(4, 120)
        updated = now - timedelta(seconds=rng.randint(0, 3 * 24 * 3600))
        yield (
            "service_capacity",
            {
                "id": f"cap-{number}",
                "service_id": sid,
                "unit_id": "unit-bed",
                "available": str(rng.randint(0, maximum)),
                "maximum": str(maximum),
                "description": "Beds",
                "updated": updated.isoformat(timespec="seconds"),
            },
        )


class CsvFolder:
    """One open CSV writer per HSDS table, with the standard's file names and columns."""

    def __init__(self, folder: Path) -> None:
        self._handles: dict[str, TextIO] = {}
        self._writers: dict[str, csv.DictWriter[str]] = {}
        for table, (file_name, columns) in TABLES.items():
            handle = (folder / file_name).open("w", encoding="utf-8", newline="")
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            self._handles[table], self._writers[table] = handle, writer

    def write(self, table: str, row: Row) -> None:
        self._writers[table].writerow(row)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()


def generate(folder: Path, size: int, seed: int, zips: list[Zip], now: datetime) -> Generated:
    """Write a directory of `size` services into `folder` (the same for the same seed)."""
    rng = random.Random(seed)
    terms = need_terms()
    taxonomy, term_rows, term_ids = taxonomy_rows(terms)
    out = CsvFolder(folder)
    used_zips: set[str] = set()
    points = []
    try:
        for row in taxonomy:
            out.write("taxonomy", row)
        for row in term_rows:
            out.write("taxonomy_term", row)
        out.write("unit", {"id": "unit-bed", "name": "Bed", "identifier": "bed"})
        for number in range(size // SERVICES_PER_ORGANIZATION + 1):
            out.write("organization", {"id": f"org-{number}", "name": f"Bench Org {number}"})
        for number in range(size):
            z = rng.choice(zips)
            used_zips.add(z.code)
            for table, row in service_rows(rng, number, z, term_ids, terms, now):
                out.write(table, row)
                if table == "location":
                    points.append((float(row["latitude"]), float(row["longitude"])))
    finally:
        out.close()
    return Generated(folder, sorted(used_zips), points)


# --- measurement --------------------------------------------------------------------------


def timed_open(path: Path) -> tuple[Any, float]:
    """Create the database file (schema and gazetteer); return it and the seconds it took."""
    start = time.perf_counter()
    db = directory.open_db(path)
    return db, time.perf_counter() - start


def timed_import(db: Any, folder: Path) -> float:
    """Read, validate and write the folder into `db`; return the seconds it took."""
    start = time.perf_counter()
    directory.import_dataset(db, directory.read(folder), who="bench")
    return time.perf_counter() - start


def queries(
    rng: random.Random, generated: Generated, count: int, now: datetime
) -> list[tuple[str, str, datetime]]:
    """(need, near, at) for `count` searches."""
    keys = directory.need_keys()
    made = []
    for _ in range(count):
        if rng.random() < ZIP_SHARE:
            near = rng.choice(generated.zips)
        else:
            lat, lon = jitter(rng, *rng.choice(generated.points), 10.0)
            near = f"{lat:.5f},{lon:.5f}"
        at = now + timedelta(seconds=rng.randint(0, 7 * 24 * 3600))
        made.append((rng.choice(keys), near, at))
    return made


def run_searches(db: Any, batch: list[tuple[str, str, datetime]]) -> tuple[list[float], int]:
    """Milliseconds of each search, and the total number of results."""
    latencies, results = [], 0
    for need, near, at in batch:
        start = time.perf_counter()
        found = directory.search(db, [need], near, at=at, limit=10)
        latencies.append((time.perf_counter() - start) * 1000)
        results += len(found)
    return latencies, results


def peak_rss_mb() -> float:
    """The peak resident set size of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def measure(size: int, n_queries: int, seed: int, zips: list[Zip], work: Path) -> SizeResult:
    """Generate, import and search a directory of `size` services."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    folder = work / f"hsds-{size}"
    folder.mkdir()
    start = time.perf_counter()
    generated = generate(folder, size, seed, zips, now)
    generate_s = time.perf_counter() - start
    db, create_s = timed_open(work / f"directory-{size}.db")
    try:
        import_s = timed_import(db, folder)
        rng = random.Random(seed + 1)
        run_searches(db, queries(rng, generated, WARMUP_QUERIES, now))
        latencies, results = run_searches(db, queries(rng, generated, n_queries, now))
    finally:
        db.conn.close()
    return SizeResult(
        services=size,
        generate_s=round(generate_s, 3),
        db_create_s=round(create_s, 3),
        import_s=round(import_s, 3),
        import_services_per_s=round(size / import_s),
        search_p50_ms=round(percentile(latencies, 0.50), 2),
        search_p95_ms=round(percentile(latencies, 0.95), 2),
        search_p99_ms=round(percentile(latencies, 0.99), 2),
        search_max_ms=round(max(latencies), 2),
        mean_results=round(results / len(latencies), 2),
        peak_rss_mb=round(peak_rss_mb(), 1),
    )


# --- reporting ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def markdown(results: list[SizeResult]) -> str:
    lines = [
        "| services | db create s | import s | import services/s | search p50 ms | p95 ms "
        "| p99 ms | max ms | mean results |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.services:,} | {r.db_create_s:.2f} | {r.import_s:.2f} "
            f"| {r.import_services_per_s:,} | {r.search_p50_ms:.2f} | {r.search_p95_ms:.2f} "
            f"| {r.search_p99_ms:.2f} | {r.search_max_ms:.2f} | {r.mean_results:.2f} |"
        )
    m = machine()
    lines += [
        "",
        f"Machine: {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']} "
        f"({m['platform']}). Peak RSS: {peak_rss_mb():.0f} MB.",
    ]
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers") from error
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive numbers")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[1000, 10000, 100000],
        help="numbers of services, comma-separated (default 1000,10000,100000)",
    )
    parser.add_argument("--queries", type=int, default=2000, help="timed searches per size")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated data")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where to put the temporary files (default: the system's)",
    )
    args = parser.parse_args(argv)
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    zips = load_zips()
    results = []
    with tempfile.TemporaryDirectory(prefix="wayfinder-bench-", dir=args.workdir) as work:
        for size in args.sizes:
            results.append(measure(size, args.queries, args.seed, zips, Path(work)))
            if not args.json:
                print(f"measured {size:,} services", file=sys.stderr, flush=True)
    if args.json:
        report = {
            "machine": machine(),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "results": [asdict(r) for r in results],
        }
        print(json.dumps(report, indent=2))
    else:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
