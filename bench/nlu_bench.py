"""Parse latency and model load time of the language understanding.

Loads the trained model (`wayfinder nlu train` first) with the directory's gazetteer,
then parses every held-out message (bot/nlu/data/test.yml) --rounds times, timing each
parse. Reports model load time, parse p50/p95/p99/max in ms and messages per second.

    python bench/nlu_bench.py --db wayfinder-demo.db [--rounds 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from stats import percentile  # bench/stats.py (this folder is on sys.path)

import directory
from bot.nlu.parser import Parser, model_path
from bot.nlu.training import load
from wayfinder.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", default=os.environ.get("WAYFINDER_DB", "wayfinder.db"))
    args.add_argument("--rounds", type=int, default=10)
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    texts = [e.text for e in load(ROOT / "bot" / "nlu" / "data" / "test.yml").examples]
    training = load(ROOT / "bot" / "nlu" / "data" / "nlu.yml")
    started = time.perf_counter()
    model = model_path(Settings.from_environ().nlu_model)
    parser = Parser.load(directory.open_db(options.db), model, default_state="CO",
                         training=training)  # fmt: skip
    load_s = time.perf_counter() - started
    for text in texts[:50]:
        parser.parse(text)  # warm-up
    latencies = []
    for _ in range(options.rounds):
        for text in texts:
            start = time.perf_counter()
            parser.parse(text)
            latencies.append((time.perf_counter() - start) * 1000)
    result = {
        "messages": len(latencies),
        "model_load_s": round(load_s, 3),
        "parse_p50_ms": round(percentile(latencies, 0.50), 3),
        "parse_p95_ms": round(percentile(latencies, 0.95), 3),
        "parse_p99_ms": round(percentile(latencies, 0.99), 3),
        "parse_max_ms": round(max(latencies), 3),
        "messages_per_s": round(len(latencies) / (sum(latencies) / 1000)),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
    }
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    print("| messages | model load s | p50 ms | p95 ms | p99 ms | max ms | messages/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {result['messages']:,} | {result['model_load_s']} | {result['parse_p50_ms']} | "
          f"{result['parse_p95_ms']} | {result['parse_p99_ms']} | {result['parse_max_ms']} | "
          f"{result['messages_per_s']:,} |")  # fmt: skip
    print(f"\nMachine: {result['machine']}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
