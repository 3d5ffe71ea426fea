"""How long `wayfinder report` takes on a year of events at 5,000 requests a day.

Copies a directory database (the fictional demo by default) into a temporary folder,
adds a year of synthetic anonymous events (≈1.8 M rows, one executemany in one
transaction, deterministic for --seed) and a bed update by SMS most days for each service
with a count, then times what `wayfinder report` does end to end — the queries, the
charts, the HTML and the CSV files — for the whole year and for the last 30 days.

    python bench/report_bench.py [--db wayfinder-demo.db] [--per-day 5000] [--days 365]
                                 [--seed 7] [--json]

Target: ≤ 10 s for the year.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

import directory
from bot import events, report
from directory.demo import REFERENCE, load_demo

PLACES = [
    *("80202", "80203", "80204", "80205", "80206", "80210", "80211", "80218", "80219"),
    *("80220", "80012", "80010", "80014", "80401", "Aurora", "Lakewood", "Denver", None),
]


def generate(path: Path, per_day: int, days: int, seed: int, end: datetime) -> int:
    """Add `per_day` × `days` events ending at `end`, and daily bed updates; return rows.

    The mix: 55 % searches (a fifth of them find no room), 2 % crisis (988), 0.5 %
    emergencies (911), 7.5 % staff bed updates, the rest greetings, thanks and places.
    """
    rng = random.Random(seed)
    needs = [json.dumps([k]) for k in directory.need_keys()] + ['["detox", "shelter"]']
    first = end.replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    rows: list[tuple[Any, ...]] = []
    for h in range(days * 24):
        hour = (first + timedelta(hours=h)).strftime("%Y-%m-%dT%H:00")
        for _ in range(per_day // 24 + (rng.random() < (per_day % 24) / 24)):
            kind = rng.random()
            channel = rng.choice(("sms", "sms", "telegram", "web"))
            row: tuple[
                Any, ...
            ]  # hour, channel, role, intent, needs, place, results, km, room, handoff
            if kind < 0.55:
                found = rng.choice((0, 1, 3, 3, 3, 5))
                km = round(rng.uniform(0.3, 25), 1) if found else None
                room = int(found > 0 and rng.random() < 0.8)
                row = (hour, channel, "community", rng.choice(report.SEARCHES),
                       rng.choice(needs), rng.choice(PLACES), found, km, room, None)  # fmt: skip
            elif kind < 0.57:
                row = (hour, channel, "community", "crisis", '["crisis_stabilization"]',
                       None, None, None, None, "988")  # fmt: skip
            elif kind < 0.575:
                row = (hour, channel, "community", "emergency", "[]", None, None, None, None,
                       "911")  # fmt: skip
            elif kind < 0.65:
                row = (hour, "sms", "staff", "update_availability", "[]", None, None, None,
                       None, None)  # fmt: skip
            else:
                intent = rng.choice(("greet", "thanks", "provide_location", "help"))
                row = (hour, channel, "community", intent, "[]", rng.choice(PLACES), None,
                       None, None, None)  # fmt: skip
            rows.append((*row, round(rng.lognormvariate(0.4, 0.7), 2)))
    events.ensure(sqlite_utils.Database(path))  # the table the assistant writes
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany("INSERT INTO event VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        services = [r[0] for r in conn.execute("SELECT DISTINCT service_id FROM service_capacity")]
        conn.executemany(
            "INSERT INTO change_log (resource_id, resource_type, last_action_date, "
            "last_action_type, field_name, previous_value, replacement_value, updated_by, "
            "channel) VALUES (?, 'service_capacity', ?, 'update', 'available', '1', '2', "
            "'bench', 'sms')",
            [
                (sid, (first + timedelta(days=d, hours=rng.randint(6, 20))).isoformat())
                for sid in services
                for d in range(days)
                if rng.random() < 0.7
            ],
        )
    conn.close()
    return len(rows)


def run(path: Path, since: str, end: datetime, out: Path) -> dict[str, Any]:
    """Time one report, as `wayfinder report --since SINCE --out … --csv …` makes it."""
    started = time.perf_counter()
    db = directory.open_db(path)
    built = report.build(db, report.parse_since(since, end), end)
    db.close()
    html = out / f"report-{since}.html"
    report.write(built, html, out / f"csv-{since}", datetime.now(UTC))
    return {
        "since": since,
        "events_in_period": built.events,
        "seconds": round(time.perf_counter() - started, 2),
        "html_kb": round(html.stat().st_size / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="directory to copy (default: the demo)")
    parser.add_argument("--per-day", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(argv)
    end = REFERENCE.astimezone(UTC)
    with tempfile.TemporaryDirectory(prefix="wayfinder-report-bench-") as folder:
        work = Path(folder)
        path = work / "bench.db"
        if options.db:
            shutil.copyfile(options.db, path)
        else:
            db = directory.open_db(path)
            load_demo(db, REFERENCE)
            db.close()
        started = time.perf_counter()
        rows = generate(path, options.per_day, options.days, options.seed, end)
        generated = round(time.perf_counter() - started, 1)
        runs = [run(path, f"{options.days}d", end, work), run(path, "30d", end, work)]
        # Again, now that the index on event(hour) exists (the first run made it).
        runs += [run(path, f"{options.days}d", end, work)]
        runs[-1]["since"] += " (again)"
    result = {
        "rows": rows, "generate_s": generated, "runs": runs,
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
    }  # fmt: skip
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    where = f"Python {result['python']}, SQLite {result['sqlite']}, {result['cpus']} CPUs"
    print(f"{rows:,} events generated in {generated} s ({where})\n")
    print("| period | events in period | seconds | HTML KB |\n|---|---:|---:|---:|")
    for r in runs:
        print(f"| {r['since']} | {r['events_in_period']:,} | {r['seconds']} | {r['html_kb']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
