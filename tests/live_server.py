"""Start `wayfinder serve` (or `browse`) as a real process on 127.0.0.1 for tests.

The server binds port 0 and the test reads the port it got from the address it prints:
picking a free port first and handing it over would race with anything else that binds
one in between."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

_ADDRESS = re.compile(rb"http://127\.0\.0\.1:([1-9]\d*)")


@contextmanager
def running_server(
    db: Path | str, env: Mapping[str, str], log_path: Path | None = None, workers: int = 1
) -> Iterator[str]:
    """`wayfinder serve` on the file (one worker unless asked): its base URL while the
    block runs."""
    args = ["serve", "--db", str(db), "--workers", str(workers)]
    with running_wayfinder(args, "/healthz", env, log_path) as base:
        yield base


@contextmanager
def running_wayfinder(
    args: list[str],
    ready: str,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[str]:
    """A `wayfinder` server command (with `--port 0` added) as a real process; its base URL
    (with the port it printed) once `ready` answers 200. The process is always stopped.
    Its output goes to `log_path` when given (a file, never a pipe, which a chatty server
    could fill and block on)."""
    with wayfinder_process(args, ready, env, log_path) as (base, _):
        yield base


@contextmanager
def wayfinder_process(
    args: list[str],
    ready: str,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`running_wayfinder`, with the process too (for tests that signal it)."""
    opened = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()  # noqa: SIM115
    with opened as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from wayfinder.cli import cli; cli()", *args,
             "--port", "0"],
            env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = _address(process, log)
            _wait_until_ready(base + ready, process, log)
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _address(process: subprocess.Popen[bytes], log: IO[bytes]) -> str:
    """The base URL the server printed once it had bound its port."""
    deadline = time.monotonic() + 60
    while True:
        # pread: the server writes through the same file offset, which must not move
        output = os.pread(log.fileno(), os.fstat(log.fileno()).st_size, 0)
        if found := _ADDRESS.search(output):
            return f"http://127.0.0.1:{int(found[1])}"
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"it did not start:\n{output.decode(errors='replace')}")
        time.sleep(0.05)


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
