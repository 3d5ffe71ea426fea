"""Several server processes behind one port, each accepting on a listening socket of its own.

Sanic's worker manager hands every worker the same listening socket. Under keep-alive load
Linux then gives the connections to whichever worker accepted last: in a 200,000-message soak
with 20 connections one worker used 9.5 minutes of CPU and the other 3 seconds. Here each
worker gets its own socket, bound to the same port with SO_REUSEPORT, and the kernel spreads
new connections over the sockets by a hash of their addresses.

A worker is a fresh interpreter (nothing of the supervisor's database connections or model
crosses over), started with its socket as an inherited descriptor and the app factory on its
standard input. That pipe stays open for the worker's life: when the supervisor goes away,
even killed outright, the worker reads end-of-file and stops, so no orphan keeps answering
on the port. A worker that dies on its own is replaced by a new one on a new socket.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

log = logging.getLogger("wayfinder.workers")

# A worker that fails (exits with an error) this soon after its start is not restarted: the
# cause is in its setup (a settings error, a broken model), and another would only fail the
# same way, forever. One killed by a signal (the OOM killer, an operator) is replaced.
STEADY_AFTER_S = 30.0
STOP_TIMEOUT_S = 10.0


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets listening on one port (port 0: a free one)."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise OSError("several workers need SO_REUSEPORT, which this system lacks")
    # SO_REUSEPORT would also let these join the sockets of another server already on the
    # port (a second copy started by mistake) and take half its connections. A plain bind
    # fails where anything listens, so it claims the port first.
    with socket.create_server((host, port)) as claim:
        port = claim.getsockname()[1]
    return [socket.create_server((host, port), reuse_port=True) for _ in range(count)]


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    pipe: IO[bytes]
    started: float = field(default_factory=time.monotonic)


class Supervisor:
    """Starts one worker per socket, replaces the ones that die, and stops them all on
    SIGINT or SIGTERM (each finishes the requests it holds)."""

    def __init__(self, factory: Callable[[], Any], host: str, port: int) -> None:
        self.factory = factory  # picklable: builds a worker's Sanic app
        self.host, self.port = host, port
        self.workers: list[_Worker] = []
        self.stopping = threading.Event()

    def run(self, sockets: list[socket.socket]) -> int:
        """Serve until stopped; the exit status (1 when a worker failed at its start)."""
        for sock in sockets:
            self.workers.append(self._start(sock))
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self._watch()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            self._stop_all()

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping.set()

    def _start(self, sock: socket.socket) -> _Worker:
        """A worker on `sock`; the supervisor's copy of the socket is closed, so that a dead
        worker's socket leaves the port's group instead of holding connections unanswered."""
        with sock:
            process = subprocess.Popen(
                [sys.executable, "-c", "from channels.workers import worker; worker()",
                 str(sock.fileno())],
                stdin=subprocess.PIPE, pass_fds=[sock.fileno()],
            )  # fmt: skip
        assert process.stdin is not None
        payload = pickle.dumps(self.factory)
        process.stdin.write(len(payload).to_bytes(8, "big") + payload)
        process.stdin.flush()
        return _Worker(process, process.stdin)

    def _watch(self) -> int:
        while not self.stopping.wait(0.2):
            for n, worker in enumerate(self.workers):
                code = worker.process.poll()
                if code is None:
                    continue
                if code > 0 and time.monotonic() - worker.started < STEADY_AFTER_S:
                    log.error("worker %d stopped at its start (exit %s)", worker.process.pid, code)
                    return 1
                log.error("worker %d stopped (exit %s); starting another", worker.process.pid,
                          code)  # fmt: skip
                worker.pipe.close()
                sock = socket.create_server((self.host, self.port), reuse_port=True)
                self.workers[n] = self._start(sock)
        return 0

    def _stop_all(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for worker in self.workers:
            try:
                worker.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            worker.pipe.close()


def worker() -> None:
    """A worker process: build the app from the factory on stdin and serve on the inherited
    socket until SIGTERM, SIGINT, or the supervisor's end (end-of-file on stdin)."""
    fd = int(sys.argv[1])
    size = int.from_bytes(_read_exactly(0, 8), "big")
    factory = pickle.loads(_read_exactly(0, size))
    sock = socket.socket(fileno=fd)

    def orphaned() -> None:
        # Unbuffered reads: a thread blocked in a buffered reader's lock at exit would
        # abort the interpreter.
        while os.read(0, 512):
            pass  # only the end of the pipe (the supervisor gone) ends the loop
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=orphaned, daemon=True, name="supervisor-watch").start()
    app = factory()
    app.run(sock=sock, single_process=True, access_log=False, motd=False)


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise SystemExit("the supervisor went away before the worker started")
        data += chunk
    return data
