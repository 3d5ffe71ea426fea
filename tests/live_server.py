"""Start `wayfinder serve` (or `browse`) as a real process on 127.0.0.1 for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(db: Path, env: Mapping[str, str], log_path: Path | None = None) -> Iterator[str]:
    """`wayfinder serve` on the file: its base URL while the block runs."""
    with running_wayfinder(["serve", "--db", str(db)], "/healthz", env, log_path) as base:
        yield base


@contextmanager
def running_wayfinder(
    args: list[str],
    ready: str,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[str]:
    """A `wayfinder` server command (with `--port` added) as a real process; its base URL
    once `ready` answers 200. The process is always stopped. Its output goes to
    `log_path` when given (a file, never a pipe, which a chatty server could fill and
    block on)."""
    port = free_port()
    opened = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()  # noqa: SIM115
    with opened as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from wayfinder.cli import cli; cli()", *args,
             "--port", str(port)],
            env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(base + ready, process, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"it did not start:\n{log.read().decode(errors='replace')}")
        time.sleep(0.1)
