"""Benchmark of Open Referral data in and out: the memory an import of N services peaks
at, and how fast the HSDS API serves pages of them.

1. generates the synthetic HSDS 3.1 CSV directory of `directory_bench.py` (N services,
   same --seed, same data);
2. imports it in a child process (`directory.read` + `directory.import_dataset`: what
   `wayfinder directory import` does) and reports that process's peak resident set size,
   alone, so that generating the data does not count;
3. times, on the imported file, --pages requests of each kind after 20 untimed ones:
   `/hsds/services?page=P&per_page=100` (random P), the same with `full=true`, and
   `/hsds/services/{id}` (random id); each is the work the server does for an uncached
   request (`directory.hsds_api`), without the HTTP round trip.

    python bench/hsds_bench.py                   # 100,000 services
    python bench/hsds_bench.py --size 10000 --pages 200

Targets: pages of 100 at 100,000 services p99 <= 50 ms; the import peaks at <= 500 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from directory_bench import generate, load_zips  # bench/ is on sys.path
from stats import percentile

import directory
from directory import hsds_api

WARMUP = 20

_IMPORT = """
import resource, sys, time
import directory
start = time.perf_counter()
db = directory.open_db(sys.argv[1])
directory.import_dataset(db, directory.read(sys.argv[2]), who="bench")
print(time.perf_counter() - start)
"""


def import_in_child(db_path: Path, folder: Path) -> tuple[float, float]:
    """Seconds and peak MB of an import in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(db_path), str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        raise RuntimeError("the child's peak could not be told apart from an earlier one")
    return float(done.stdout.strip()), peak / 1024


def timed(call: object, arguments: list[dict[str, object]]) -> list[float]:
    for kwargs in arguments[:WARMUP]:
        call(**kwargs)  # type: ignore[operator]
    times = []
    for kwargs in arguments[WARMUP:]:
        start = time.perf_counter()
        call(**kwargs)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "hsds"
        folder.mkdir()
        generate(folder, args.size, args.seed, load_zips(), datetime.now(UTC))
        db_path = Path(work) / "bench.db"
        seconds, peak_mb = import_in_child(db_path, folder)
        db = directory.open_db(db_path)
        ids = [row[0] for row in db.execute("SELECT id FROM service")]
        pages = -(-len(ids) // 100)
        rng = random.Random(args.seed)
        count = args.pages + WARMUP
        page_args = [{"db": db, "page": rng.randint(1, pages), "per_page": 100}
                     for _ in range(count)]  # fmt: skip
        results = {
            "services": len(ids),
            "import_s": round(seconds, 1),
            "import_peak_mb": round(peak_mb),
            "page of 100": timed(hsds_api.services, page_args),
            "page of 100, full": timed(hsds_api.services, [{**a, "full": True} for a in page_args]),
            "one nested service": timed(
                hsds_api.service,
                [{"db": db, "service_id": rng.choice(ids)} for _ in range(count)],
            ),
        }
    summary = {
        key: (
            {q: round(percentile(value, q / 100), 2) for q in (50, 95, 99)}
            | {"max": round(max(value), 2)}
            if isinstance(value, list)
            else value
        )
        for key, value in results.items()
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{summary['services']:,} services; import {summary['import_s']} s, "
          f"peak {summary['import_peak_mb']} MB (child process)")  # fmt: skip
    print("| request | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|")
    for key in ("page of 100", "page of 100, full", "one nested service"):
        t = summary[key]
        print(f"| {key} | {t[50]} | {t[95]} | {t[99]} | {t['max']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
