"""Throughput and latency of SMS through the real server, with valid Twilio signatures.

Starts `wayfinder serve` on 127.0.0.1 on a copy of the database, then `--concurrency`
simulated senders post to /sms/twilio at the same time, each message signed with
twilio's RequestValidator as Twilio would sign it. Every sender holds an 8-message
conversation (need, place, details, phone, more, another need, a crisis message with a
resource, thanks) and then hands over to a new phone number, so no one reaches the rate
limit. Then the same load against the bare `/healthz` gives the server's ceiling on this
machine (the load generator runs on the same 2 cores as the server).

    python bench/sms_bench.py --db wayfinder-demo.db [--messages 4000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from stats import percentile  # bench/stats.py (this folder is on sys.path)
from twilio.request_validator import RequestValidator

TOKEN = "bench-token"
PUBLIC = "https://bot.example.org"
SCRIPT = ["detox", "80204", "2", "call 1", "more", "what about shelter",
          "suicidal, need a crisis bed 80203", "thanks"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def requests(total: int, sms: bool, port: int) -> list[bytes]:
    """Every request as raw HTTP/1.1 bytes, signed in advance: the load generator shares
    the machine's two cores with the server, so it must cost as little as possible."""
    validator = RequestValidator(TOKEN)
    built = []
    for n in range(total):
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


async def load(port: int, batch: list[bytes], concurrency: int) -> dict[str, float]:
    """Closed loop: `concurrency` keep-alive connections, each sending the next request
    as soon as its previous answer has arrived."""
    queue = iter(batch)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    answered = 0

    async def worker() -> None:
        nonlocal answered
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in queue:
            start = time.perf_counter()
            status, body = await _exchange(reader, writer, request)
            latencies.append((time.perf_counter() - start) * 1000)
            answered += b"<Message>" in body or b'"ok"' in body
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "non_200": sum(v for k, v in statuses.items() if k != 200),
        "answered": answered,
    }


def log_text(folder: str) -> str:
    return (Path(folder) / "server.log").read_text(errors="replace")


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", default=os.environ.get("WAYFINDER_DB", "wayfinder.db"))
    args.add_argument("--messages", type=int, default=4000)
    args.add_argument("--concurrency", type=int, default=20)
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        shutil.copyfile(options.db, db)
        port = free_port()
        env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "WAYFINDER_PUBLIC_URL": PUBLIC}
        with open(Path(folder) / "server.log", "wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-c", "from wayfinder.cli import cli; cli()", "serve",
                 "--port", str(port), "--db", str(db)], env=env, stdout=log, stderr=log,
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(600):
                    if server.poll() is not None:
                        raise SystemExit("the server stopped:\n" + log_text(folder))
                    try:
                        if httpx.get(f"{base}/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.1)
                else:
                    raise SystemExit("the server did not start:\n" + log_text(folder))
                every = requests(options.messages + 400, True, port)
                asyncio.run(load(port, every[:400], options.concurrency))  # warm-up
                sms = asyncio.run(load(port, every[400:], options.concurrency))
                bare = requests(options.messages, False, port)
                ceiling = asyncio.run(load(port, bare, options.concurrency))
            finally:
                server.terminate()
                server.wait()
    result = {"concurrency": options.concurrency, "sms": sms, "healthz": ceiling,
              "ratio": round(sms["per_s"] / ceiling["per_s"], 2),
              "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}"}  # fmt: skip
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        "| route | concurrency | requests | answered | per s | p50 ms | p99 ms | max ms | non-200 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in (("/sms/twilio", sms), ("/healthz", ceiling)):
        print(f"| {name} | {options.concurrency} | {row['requests']:,} | {row['answered']:,} | "
              f"{row['per_s']} | {row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} | "
              f"{row['non_200']} |")  # fmt: skip
    print(f"\nSMS throughput is {result['ratio']:.0%} of the bare /healthz ceiling. "
          f"Machine: {result['machine']}.")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
