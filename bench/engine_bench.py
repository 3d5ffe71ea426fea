"""End-to-end latency of `Assistant.handle` on the demo directory.

Each simulated person runs one scripted conversation on SMS (a need, the place, details,
the phone, more, another need, a crisis message with a resource, a greeting); every turn
— parse, policy, actions, directory search, rendering, saving the conversation and the
event — is timed. Works on a copy of the database, so the original is not touched.

    python bench/engine_bench.py --db wayfinder-demo.db [--people 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from stats import percentile  # bench/stats.py (this folder is on sys.path)

import directory
from bot.engine import Assistant
from bot.nlu.parser import Parser, model_path
from bot.nlu.training import load
from wayfinder.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = [
    "detox", "80204", "2", "call 1", "more", "what about shelter", "try 80012",
    "suicidal and need a crisis bed 80203", "any crisis beds open?", "hi", "thanks",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", default=os.environ.get("WAYFINDER_DB", "wayfinder.db"))
    args.add_argument("--people", type=int, default=200)
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "bench.db"
        shutil.copyfile(options.db, copy)
        db = directory.open_db(copy)
        settings = Settings.from_environ().directory.for_directory(db)
        model = model_path(Settings.from_environ().nlu_model)
        parser = Parser.load(db, model, default_state=settings.default_state,
                             training=load(ROOT / "bot" / "nlu" / "data" / "nlu.yml"))  # fmt: skip
        assistant = Assistant(db, parser, key=b"bench", settings=settings)
        at = datetime.fromisoformat("2026-11-23T12:00:00-07:00")
        for text in SCRIPT:
            assistant.handle("warm-up", text, "sms", at)
        latencies = []
        shown = handoffs = 0
        for person in range(options.people):
            for text in SCRIPT:
                start = time.perf_counter()
                turn = assistant.handle(f"+1720555{person:04d}", text, "sms", at)
                latencies.append((time.perf_counter() - start) * 1000)
                shown += bool(turn.results)
                handoffs += turn.handoff is not None
        db.close()
    result = {
        "turns": len(latencies),
        "turns_with_results": shown,
        "handoffs": handoffs,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
    }
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    print("| turns | with results | hand-offs | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {result['turns']:,} | {shown:,} | {handoffs:,} | {result['p50_ms']} | "
          f"{result['p95_ms']} | {result['p99_ms']} | {result['max_ms']} |")  # fmt: skip
    print(f"\nMachine: {result['machine']}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
