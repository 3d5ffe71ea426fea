"""Throughput and latency of SMS through the real server, with valid Twilio signatures.

Starts `wayfinder serve` on 127.0.0.1 on a copy of the database, then `--concurrency`
simulated senders post to /sms/twilio at the same time, each message signed with
twilio's RequestValidator as Twilio would sign it. Every sender holds an 8-message
conversation (need, place, details, phone, more, another need, a crisis message with a
resource, thanks) and then hands over to a new phone number, so no one reaches the rate
limit. Then the same load against the bare `/healthz` gives the server's ceiling on this
machine (the load generator runs on the same 2 cores as the server).

With `--workers 1,2` the server runs once per count, in the same run, and the same script
also runs in this process straight through `Assistant.handle` (no HTTP, no signature):
each worker's webhook rate is compared with that. Each run's messages are split into
tenths, to see whether throughput holds as the tables grow, and the resident memory of
every server process is read at the start and the end of the load.

With `--postgres` every worker count runs on PostgreSQL too (the demo directory loaded
into a new database there; a throw-away server from Debian's binaries unless a URL is
given), beside the same counts on the SQLite file.

    python bench/sms_bench.py --db wayfinder-demo.db [--messages 4000] [--concurrency 20]
                              [--workers 1,2] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from pg import postgres_database, postgres_server  # bench/pg.py
from stats import percentile  # bench/stats.py (this folder is on sys.path)
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]

TOKEN = "bench-token"
PUBLIC = "https://bot.example.org"
SCRIPT = ["detox", "80204", "2", "call 1", "more", "what about shelter",
          "suicidal, need a crisis bed 80203", "thanks"]  # fmt: skip


def requests(total: int, sms: bool, port: int, first: int = 0) -> list[bytes]:
    """Every request as raw HTTP/1.1 bytes, signed in advance: the load generator shares
    the machine's two cores with the server, so it must cost as little as possible.
    Messages are numbered from `first` (each its own MessageSid)."""
    validator = RequestValidator(TOKEN)
    built = []
    for n in range(first, first + total):
        if not sms:
            built.append(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            continue
        conversation, step = divmod(n, len(SCRIPT))
        params = {"MessageSid": f"SM{n:032d}", "From": f"+1720{conversation:07d}",
                  "To": "+17205550999", "Body": SCRIPT[step], "NumMedia": "0"}  # fmt: skip
        signature = validator.compute_signature(f"{PUBLIC}/sms/twilio", params)
        body = urlencode(params).encode()
        head = (f"POST /sms/twilio HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-Twilio-Signature: {signature}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")  # fmt: skip
        built.append(head.encode() + body)
    return built


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    body = await reader.readexactly(length)
    return int(status_line.split()[1]), body


async def load(port: int, batch: list[bytes], concurrency: int) -> dict[str, Any]:
    """Closed loop: `concurrency` keep-alive connections, each sending the next request
    as soon as its previous answer has arrived."""
    queue = iter(batch)
    latencies: list[float] = []
    finished: list[float] = []
    statuses: dict[int, int] = {}
    answered = 0

    async def worker() -> None:
        nonlocal answered
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in queue:
            start = time.perf_counter()
            status, body = await _exchange(reader, writer, request)
            finished.append(time.perf_counter())
            latencies.append((finished[-1] - start) * 1000)
            answered += b"<Message>" in body or b'"ok"' in body
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    tenth = max(1, len(finished) // 10)
    first = tenth / (finished[tenth - 1] - started)
    last = tenth / (finished[-1] - finished[-tenth - 1]) if len(finished) > tenth else first
    return {
        "requests": len(latencies),
        "per_s": round(len(latencies) / elapsed, 1),
        "first_tenth_per_s": round(first, 1),
        "last_tenth_per_s": round(last, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "non_200": sum(v for k, v in statuses.items() if k != 200),
        "answered": answered,
    }


def in_process_rate(db_path: Path | str, messages: int) -> float:
    """Turns per second of `Assistant.handle` on the same script, in this process."""
    from bot.engine import Assistant
    from bot.nlu.parser import Parser, model_path
    from bot.nlu.training import load as load_training
    from directory import open_db
    from wayfinder.settings import Settings

    db = open_db(db_path)
    current = Settings.from_environ()
    settings = current.directory.for_directory(db)
    training = load_training(ROOT / "bot" / "nlu" / "data" / "nlu.yml")
    parser = Parser.load(
        db, model_path(current.nlu_model), default_state=settings.default_state, training=training
    )
    assistant = Assistant(db, parser, key=b"bench", settings=settings)
    for text in SCRIPT:
        assistant.handle("+17205550000", text, "sms")
    started = time.perf_counter()
    for n in range(messages):
        conversation, step = divmod(n, len(SCRIPT))
        assistant.handle(f"+1721{conversation:07d}", SCRIPT[step], "sms")
    rate = messages / (time.perf_counter() - started)
    db.close()
    return rate


def rss_mb(pid: int) -> dict[int, float]:
    """Resident memory of the process and its children (the workers), in MB."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            status = (proc / "status").read_text()
        except OSError:
            continue
        if int(proc.name) == pid or int(fields[1]) == pid:
            kb = next((line.split()[1] for line in status.splitlines()
                       if line.startswith("VmRSS:")), "0")  # fmt: skip
            found[int(proc.name)] = round(int(kb) / 1024, 1)
    return found


Setup = tuple[str, int]  # the engine and the number of workers


def log_text(folder: str, name: str) -> str:
    return (Path(folder) / f"server-{name}.log").read_text(errors="replace")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait()


def serve(
    db: Path | str, workers: int, folder: str, env: dict[str, str], engine: str
) -> tuple[subprocess.Popen[bytes], int]:
    """`wayfinder serve` with `workers` on port 0; the process and the port it printed."""
    name = f"{engine}-{workers}"
    log = open(Path(folder) / f"server-{name}.log", "wb")  # noqa: SIM115 (lives with it)
    server = subprocess.Popen(
        [sys.executable, "-c", "from wayfinder.cli import cli; cli()", "serve",
         "--port", "0", "--workers", str(workers), "--db", str(db)],
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    for _ in range(1200):
        if server.poll() is not None:
            raise SystemExit("the server stopped:\n" + log_text(folder, name))
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", log_text(folder, name))
        if found:
            try:
                if httpx.get(f"http://127.0.0.1:{found.group(1)}/healthz").status_code == 200:
                    return server, int(found.group(1))
            except httpx.TransportError:
                pass
        time.sleep(0.1)
    raise SystemExit("the server did not start:\n" + log_text(folder, name))


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", default=os.environ.get("WAYFINDER_DB", "wayfinder.db"))
    args.add_argument("--messages", type=int, default=4000)
    args.add_argument("--concurrency", type=int, default=20)
    args.add_argument("--workers", default="1", help="worker counts to run, e.g. 1,2")
    args.add_argument(
        "--rounds", type=int, default=3, help="loads per worker count, in turn; median reported"
    )
    args.add_argument(
        "--postgres", nargs="?", const="", metavar="URL",
        help="also run every worker count on PostgreSQL: a server's URL (a database is made "
        "there and dropped), or none to start a throw-away server",
    )  # fmt: skip
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    counts = [int(w) for w in options.workers.split(",")]
    engines = ["sqlite"] + (["postgres"] if options.postgres is not None else [])
    setups = [(engine, workers) for engine in engines for workers in counts]
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "WAYFINDER_PUBLIC_URL": PUBLIC}
    if options.postgres is not None:
        env.setdefault("WAYFINDER_HMAC_KEY", "bench-" + "k" * 32)  # a shared database's key
    os.environ.update(env)  # the in-process assistant reads the same settings
    loads: dict[Setup, list[dict[str, Any]]] = {s: [] for s in setups}
    memory: dict[Setup, tuple[dict[int, float], dict[int, float]]] = {}
    ceilings, handle = {}, {}
    with (
        tempfile.TemporaryDirectory() as folder,
        contextlib.ExitStack() as servers,
        postgres_server(options.postgres or "") if options.postgres is not None
        else contextlib.nullcontext("") as pg,
    ):  # fmt: skip
        started = {}

        def database(engine: str, name: str) -> Path | str:
            if engine == "postgres":
                return postgres_database(pg, f"bench_{name}")
            db = Path(folder) / f"bench-{name}.db"
            shutil.copyfile(options.db, db)
            return db

        for engine, workers in setups:  # all servers up first; the loads then take turns
            db = database(engine, str(workers))
            server, port = serve(db, workers, folder, env, engine)
            servers.callback(_stop, server)
            started[engine, workers] = (server, port)
            asyncio.run(load(port, requests(400, True, port, 10**8), options.concurrency))
        for round_ in range(options.rounds):
            for setup, (server, port) in started.items():
                batch = requests(options.messages, True, port, round_ * options.messages)
                before = rss_mb(server.pid)
                loads[setup].append(asyncio.run(load(port, batch, options.concurrency)))
                memory.setdefault(setup, (before, {}))
                memory[setup] = (memory[setup][0], rss_mb(server.pid))
        for setup, (_, port) in started.items():
            bare = requests(min(options.messages, 4000), False, port)
            ceilings[setup] = asyncio.run(load(port, bare, options.concurrency))
        for engine in engines:
            handle[engine] = in_process_rate(
                database(engine, "in_process"), min(options.messages, 4000)
            )
    runs = []
    for engine, workers in setups:
        done = loads[engine, workers]
        sms = sorted(done, key=lambda row: row["per_s"])[len(done) // 2]
        runs.append({"engine": engine, "workers": workers, "sms": sms,
                     "healthz": ceilings[engine, workers],
                     "all_per_s": [row["per_s"] for row in done],
                     "per_worker_per_s": round(sms["per_s"] / workers, 1),
                     "rss_mb_before": memory[engine, workers][0],
                     "rss_mb_after": memory[engine, workers][1]})  # fmt: skip
    for row in runs:
        first = next(r for r in runs if r["engine"] == row["engine"])
        row["per_worker_vs_in_process"] = round(row["per_worker_per_s"] / handle[row["engine"]], 2)
        row["vs_one_worker"] = round(row["sms"]["per_s"] / first["sms"]["per_s"], 2)
    result = {"concurrency": options.concurrency,
              "in_process_per_s": {e: round(rate, 1) for e, rate in handle.items()},
              "runs": runs,
              "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}"}  # fmt: skip
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        "| engine | workers | messages | answered | msg/s (median) | rounds "
        "| × first row of the engine | per worker ÷ in-process "
        "| first → last tenth msg/s | p50 ms | p99 ms | non-200 | worker RSS MB start → end "
        "| /healthz per s |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---|---:|")
    for row in runs:
        sms = row["sms"]
        before, after = row["rss_mb_before"], row["rss_mb_after"]
        rss = ", ".join(f"{before.get(pid, 0):.0f} → {after.get(pid, 0):.0f}"
                        for pid in sorted(after))  # fmt: skip
        print(f"| {row['engine']} | {row['workers']} | {sms['requests']:,} | "
              f"{sms['answered']:,} | "
              f"{sms['per_s']} | {', '.join(map(str, row['all_per_s']))} | "
              f"{row['vs_one_worker']} | {row['per_worker_vs_in_process']} | "
              f"{sms['first_tenth_per_s']} → {sms['last_tenth_per_s']} | {sms['p50_ms']} | "
              f"{sms['p99_ms']} | {sms['non_200']} | {rss} | "
              f"{row['healthz']['per_s']} |")  # fmt: skip
    rates = ", ".join(f"{rate:.0f} on {engine}" for engine, rate in handle.items())
    print(f"\nIn process, `Assistant.handle` on the same script: {rates} turns/s. "
          f"Machine: {result['machine']}.")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
