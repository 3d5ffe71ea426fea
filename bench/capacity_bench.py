"""Concurrent bed updates: several writer processes on one database.

Each of `--writers` processes makes `--updates` bed updates (`directory.set_capacity`, as
staff texts do) on random services of a copy of the database, as fast as it can. Then:
every update must have its change-log row, no writer may have seen "database is locked",
and each service's final count must be the value of its last logged update (no lost
update).

With `--postgres` the same runs on PostgreSQL (the demo directory in a new database;
a throw-away server from Debian's binaries unless a URL is given).

    python bench/capacity_bench.py --db wayfinder-demo.db [--writers 8] [--updates 500]
                                   [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from pg import postgres_database, postgres_server  # bench/pg.py

import directory


def writer(path: str, number: int, updates: int, services: list[str], seed: int) -> dict[str, int]:
    import psycopg

    db = directory.open_db(path)
    rng = random.Random(seed + number)
    done = locked = 0
    for _ in range(updates):
        service = rng.choice(services)
        try:
            directory.set_capacity(db, service, rng.randrange(0, 9), who=f"writer{number}",
                                   channel="bench")  # fmt: skip
            done += 1
        except (sqlite3.OperationalError, psycopg.OperationalError) as error:
            locked += "lock" in str(error)
    db.close()
    return {"done": done, "locked": locked}


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", default=os.environ.get("WAYFINDER_DB", "wayfinder.db"))
    args.add_argument("--writers", type=int, default=8)
    args.add_argument("--updates", type=int, default=500)
    args.add_argument("--seed", type=int, default=7)
    args.add_argument("--json", action="store_true")
    args.add_argument(
        "--postgres", nargs="?", const="", metavar="URL",
        help="run on PostgreSQL instead: a server's URL (a database holding the demo is made "
        "there), or none to start a throw-away server",
    )  # fmt: skip
    options = args.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        if options.postgres is None:
            path = str(Path(folder) / "bench.db")
            shutil.copyfile(options.db, path)
            result = run(path, options)
        else:
            with postgres_server(options.postgres) as server:
                result = run(postgres_database(server, "bench_capacity"), options)
                result["engine"] = "PostgreSQL " + server_version(server)
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            "| engine | writers | updates | applied | database locked | change-log rows | lost "
            "| s | updates/s |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {result['engine']} | {options.writers} | {result['updates']:,} | "
              f"{result['applied']:,} | {result['database_locked']} | "
              f"{result['change_log_rows']:,} | {result['services_with_lost_update']} | "
              f"{result['seconds']} | {result['updates_per_s']:,} |")  # fmt: skip
        print(f"\nMachine: {result['machine']}.")
    good = result["applied"] == result["change_log_rows"] == result["updates"]
    return 0 if good and result["services_with_lost_update"] == 0 else 1


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]  # type: ignore[index]


def run(path: str, options: argparse.Namespace) -> dict[str, object]:
    """Every writer's updates on the database at `path` (a file or a URL); what was found."""
    db = directory.open_db(path)
    # Services whose counts allow 0-8 beds (a maximum of at least 8, or none).
    services = [
        row[0] for row in db.execute(
            "SELECT service_id FROM service_capacity WHERE maximum IS NULL OR maximum >= 8"
        )
    ]  # fmt: skip
    before = db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(options.writers) as pool:
        outcomes = pool.starmap(
            writer,
            [(path, n, options.updates, services, options.seed) for n in range(options.writers)],
        )
    elapsed = time.perf_counter() - started
    logged = db.execute(
        "SELECT count(*) FROM change_log WHERE channel = 'bench' AND field_name = 'available'"
    ).fetchone()[0]
    lost = 0
    rows = db.execute(
        "SELECT resource_id, previous_value, replacement_value FROM change_log "
        "WHERE channel = 'bench' AND field_name = 'available' ORDER BY id"
    ).fetchall()
    last: dict[str, str] = {}
    for service, previous, replacement in rows:
        # Each update saw the value the one before it wrote: none was lost in between.
        lost += service in last and previous != last[service]
        last[service] = replacement
    for service, value in last.items():
        now = db.execute(
            "SELECT available FROM service_capacity WHERE service_id = ?", [service]
        ).fetchone()[0]
        lost += str(now) != value
    total = db.execute("SELECT count(*) FROM change_log").fetchone()[0] - before
    db.close()
    done = sum(o["done"] for o in outcomes)
    return {
        "engine": f"SQLite {sqlite3.sqlite_version}",
        "writers": options.writers,
        "updates": options.writers * options.updates,
        "applied": done,
        "database_locked": sum(o["locked"] for o in outcomes),
        "change_log_rows": logged,
        "change_log_rows_all": total,
        "services_with_lost_update": lost,
        "seconds": round(elapsed, 2),
        "updates_per_s": round(done / elapsed),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
    }


if __name__ == "__main__":
    raise SystemExit(main())
